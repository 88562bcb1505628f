// Rate limits: per-key hourly/daily counts on the simulated clock; signed-URL transfers not counted.
// 'evidence' profile (default): 403 with the framework's text, no Retry-After, sliding windows (a call
// counts for exactly 60 minutes / 24 hours). 'classic' profile: 429 + Retry-After over fixed hours/days.
import { describe, expect, it } from 'vitest';
import { KEY, KEY_B, PROFILES, api, emulator, ok, refusedWith } from './helpers';

describe('emulator rate limits (evidence profile: 403, sliding windows)', () => {
  it('refuses past the hourly limit with 403, the service text, the counters and no Retry-After; each call frees its slot 60 minutes after it was made', async () => {
    const emu = await emulator({ keys: [{ key: KEY, hourlyLimit: 3 }, { key: KEY_B, hourlyLimit: 3 }], startTime: new Date('2026-09-24T10:59:00Z') });
    expect((await api(emu, 'GET', '/simulation/view-cpu')).status).toBe(200);
    await emu.clock.advance(10 * 60);
    for (let i = 0; i < 2; i++) expect((await api(emu, 'GET', '/simulation/view-cpu')).status).toBe(200);
    const r = await api(emu, 'GET', '/simulation/view-cpu');
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ errors: ['Hourly rate limit reached (3 requests per hour)'] });
    expect(r.headers.get('retry-after')).toBeNull();
    expect(r.headers.get('x-ratelimit-hourly-used')).toBe('3');
    expect(r.headers.get('x-ratelimit-hourly-limit')).toBe('3');
    expect(emu.calls(KEY).hourly).toBe(3);
    expect((await api(emu, 'GET', '/simulation/view-cpu', undefined, KEY_B)).status).toBe(200);
    // the clock hour ends at 11:00 (+1 min): nothing resets with a sliding window
    await emu.clock.advance(60);
    expect((await api(emu, 'GET', '/simulation/view-cpu')).status).toBe(403);
    // 60 minutes after the first call (10:59 → 11:59) its slot is free again, only that one
    await emu.clock.advance(49 * 60);
    const after = await api(emu, 'GET', '/simulation/view-cpu');
    expect(after.status).toBe(200);
    expect(after.headers.get('x-ratelimit-hourly-used')).toBe('3');
    expect((await api(emu, 'GET', '/simulation/view-cpu')).status).toBe(403);
    await emu.clock.advance(10 * 60);
    expect((await api(emu, 'GET', '/simulation/view-cpu')).status).toBe(200);
    expect(emu.calls(KEY)).toMatchObject({ hourly: 2, daily: 5, total: 5 });
  });

  it('applies a daily limit over the last 24 hours with its own text; 0 = no limit', async () => {
    const emu = await emulator({ keys: [{ key: KEY, hourlyLimit: 0, dailyLimit: 2 }], startTime: new Date('2026-09-24T10:00:00Z') });
    expect((await api(emu, 'GET', '/simulation/view-ram')).headers.get('x-ratelimit-hourly-limit')).toBe('0');
    await api(emu, 'GET', '/simulation/view-ram');
    const r = await api(emu, 'GET', '/simulation/view-ram');
    expect(r.status).toBe(403);
    expect(r.json.errors).toEqual(['Daily rate limit reached (2 requests per day)']);
    await emu.clock.advance(14 * 3600);
    expect((await api(emu, 'GET', '/simulation/view-ram')).status).toBe(403);
    await emu.clock.advance(10 * 3600);
    expect((await api(emu, 'GET', '/simulation/view-ram')).status).toBe(200);
  });
});

describe('emulator rate limits (classic profile: 429 + Retry-After, fixed windows)', () => {
  it('refuses calls past the hourly limit with 429, an errors envelope and Retry-After; the window reopens on the simulated clock', async () => {
    const emu = await emulator({ profile: 'classic', keys: [{ key: KEY, hourlyLimit: 3 }, { key: KEY_B, hourlyLimit: 3 }], startTime: new Date('2026-09-24T10:59:00Z') });
    for (let i = 0; i < 3; i++) expect((await api(emu, 'GET', '/simulation/view-cpu')).status).toBe(200);
    const r = await api(emu, 'GET', '/simulation/view-cpu');
    expect(r.status).toBe(429);
    expect(r.json.errors?.[0]).toMatch(/limit/i);
    expect(r.headers.get('retry-after')).toBe('60');
    expect(r.headers.get('x-ratelimit-hourly-used')).toBe('3');
    expect(r.headers.get('x-ratelimit-hourly-limit')).toBe('3');
    expect(emu.calls(KEY).hourly).toBe(3);
    expect((await api(emu, 'GET', '/simulation/view-cpu', undefined, KEY_B)).status).toBe(200);
    await emu.clock.advance(60);
    const after = await api(emu, 'GET', '/simulation/view-cpu');
    expect(after.status).toBe(200);
    expect(after.headers.get('x-ratelimit-hourly-used')).toBe('1');
    expect(after.headers.get('x-ratelimit-daily-used')).toBe('4');
  });

  it('applies a daily limit and 0 = no limit', async () => {
    const emu = await emulator({ profile: 'classic', keys: [{ key: KEY, hourlyLimit: 0, dailyLimit: 2 }], startTime: new Date('2026-09-24T10:00:00Z') });
    expect((await api(emu, 'GET', '/simulation/view-ram')).headers.get('x-ratelimit-hourly-limit')).toBe('0');
    await api(emu, 'GET', '/simulation/view-ram');
    const r = await api(emu, 'GET', '/simulation/view-ram');
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBe(14 * 3600);
    await emu.clock.advance(14 * 3600);
    expect((await api(emu, 'GET', '/simulation/view-ram')).status).toBe(200);
  });

  it('expresses Retry-After in real seconds when the clock runs scaled', async () => {
    const emu = await emulator({ profile: 'classic', keys: [{ key: KEY, hourlyLimit: 1 }], timeScale: 600, startTime: new Date('2026-09-24T10:00:00Z') });
    await api(emu, 'GET', '/simulation/view-ram');
    const r = await api(emu, 'GET', '/simulation/view-ram');
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(6);
  });
});

describe.each(PROFILES)('emulator rate limits (%s profile)', (profile) => {
  it('does not count signed-URL transfers', async () => {
    const emu = await emulator({ profile, keys: [{ key: KEY, hourlyLimit: 2 }] });
    const { url } = await ok<{ url: string }>(emu, 'POST', '/storage/upload-url', { dirname: 'c', filename: 'f', contentType: 'text/plain' });
    for (let i = 0; i < 5; i++) expect((await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: `v${i}` })).status).toBe(200);
    expect(emu.calls(KEY).hourly).toBe(1);
    expect((await api(emu, 'GET', '/simulation/view-ram')).status).toBe(200);
    expect((await api(emu, 'GET', '/simulation/view-ram')).status).toBe(refusedWith(emu, 429));
  });

  it('answers a key refused on one endpoint only with 403 "Unauthorized." there, and normally elsewhere', async () => {
    const emu = await emulator({ profile, keys: [{ key: KEY, deniedEndpoints: ['GET /storage/view-url/{id}'] }] });
    await emu.seedFile(KEY, 'caseA/a.txt', 'A');
    await emu.clock.advance(5);
    const it = await ok<{ id: number }>(emu, 'POST', '/storage/view-by-path', { path: 'caseA/a.txt' });
    const r = await api(emu, 'GET', `/storage/view-url/${it.id}`);
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ errors: ['Unauthorized.'] });
    expect(r.headers.get('x-ratelimit-hourly-used')).toBe('2');
    expect((await api(emu, 'GET', `/storage/download/${it.id}`)).status).toBe(200);
    expect((await api(emu, 'GET', '/simulation/view-cpu')).status).toBe(200);
  });
});

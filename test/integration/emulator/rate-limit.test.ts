// Rate limits: per-key hourly/daily windows on the simulated clock, HTTP 429 + Retry-After past the limit,
// signed-URL transfers not counted.
import { describe, expect, it } from 'vitest';
import { KEY, KEY_B, api, emulator, ok } from './helpers';

describe('emulator rate limits', () => {
  it('refuses calls past the hourly limit with 429, an errors envelope and Retry-After; the window reopens on the simulated clock', async () => {
    const emu = await emulator({ keys: [{ key: KEY, hourlyLimit: 3 }, { key: KEY_B, hourlyLimit: 3 }], startTime: new Date('2026-09-24T10:59:00Z') });
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
    const emu = await emulator({ keys: [{ key: KEY, hourlyLimit: 0, dailyLimit: 2 }], startTime: new Date('2026-09-24T10:00:00Z') });
    expect((await api(emu, 'GET', '/simulation/view-ram')).headers.get('x-ratelimit-hourly-limit')).toBe('0');
    await api(emu, 'GET', '/simulation/view-ram');
    const r = await api(emu, 'GET', '/simulation/view-ram');
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBe(14 * 3600);
    await emu.clock.advance(14 * 3600);
    expect((await api(emu, 'GET', '/simulation/view-ram')).status).toBe(200);
  });

  it('expresses Retry-After in real seconds when the clock runs scaled', async () => {
    const emu = await emulator({ keys: [{ key: KEY, hourlyLimit: 1 }], timeScale: 600, startTime: new Date('2026-09-24T10:00:00Z') });
    await api(emu, 'GET', '/simulation/view-ram');
    const r = await api(emu, 'GET', '/simulation/view-ram');
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(6);
  });

  it('does not count signed-URL transfers', async () => {
    const emu = await emulator({ keys: [{ key: KEY, hourlyLimit: 2 }] });
    const { url } = await ok<{ url: string }>(emu, 'POST', '/storage/upload-url', { dirname: 'c', filename: 'f', contentType: 'text/plain' });
    for (let i = 0; i < 5; i++) expect((await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: `v${i}` })).status).toBe(200);
    expect(emu.calls(KEY).hourly).toBe(1);
    expect((await api(emu, 'GET', '/simulation/view-ram')).status).toBe(200);
    expect((await api(emu, 'GET', '/simulation/view-ram')).status).toBe(429);
  });
});

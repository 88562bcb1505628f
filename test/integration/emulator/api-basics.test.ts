// Auth, envelopes, option lists, unknown endpoints, key isolation: real HTTP against the emulator.
import { describe, expect, it } from 'vitest';
import { KEY, KEY_B, PROFILES, api, emulator, refusedWith, ok, upload } from './helpers';

describe('emulator API basics', () => {
  it('answers the option lists in a response envelope', async () => {
    const emu = await emulator();
    expect(await ok(emu, 'GET', '/simulation/view-cpu')).toEqual([1, 2, 4, 8, 16, 32, 48, 64, 96, 112, 192, 224]);
    const rams = await ok<string[]>(emu, 'GET', '/simulation/view-ram');
    expect(rams).toHaveLength(7);
    expect(rams).toEqual(expect.arrayContaining(['highcpu', 'standard', 'highmem', 'hypercpu', 'basegpu', 'highcore', 'hypercore']));
    const scripts = await ok<string[]>(emu, 'GET', '/simulation/view-scripts');
    for (const prefix of ['fds', 'openFoam', 'snappyHexMesh', 'codeAster', 'calculiX', 'codeSaturne', 'openRadioss', 'custom-script']) {
      expect(scripts.some((s) => s.startsWith(prefix)), prefix).toBe(true);
    }
    expect(scripts).toContain('codeSaturne-8.0');
  });

  it('takes configured option lists', async () => {
    const emu = await emulator({ cpus: [2, 4], rams: ['standard'], scripts: ['fds6.9.1'] });
    expect(await ok(emu, 'GET', '/simulation/view-cpu')).toEqual([2, 4]);
    expect(await ok(emu, 'GET', '/simulation/view-ram')).toEqual(['standard']);
    expect(await ok(emu, 'GET', '/simulation/view-scripts')).toEqual(['fds6.9.1']);
  });

  it('refuses a missing or wrong key with 403 Unauthorized', async () => {
    const emu = await emulator();
    for (const key of [null, 'wrong', '']) {
      const r = await api(emu, 'GET', '/simulation/view-cpu', undefined, key);
      expect(r.status).toBe(403);
      expect(r.json).toEqual({ errors: ['Unauthorized.'] });
    }
  });

  it('matches the X-API-key header case-insensitively', async () => {
    const emu = await emulator();
    for (const name of ['X-API-key', 'X-API-Key', 'x-api-key', 'X-Api-Key']) {
      const r = await api(emu, 'GET', '/simulation/view-ram', undefined, KEY, name);
      expect(r.status, name).toBe(200);
    }
  });

  it('puts the four rate-limit headers on every API reply, errors included', async () => {
    const emu = await emulator({ keys: [{ key: KEY, hourlyLimit: 100, dailyLimit: 1000 }] });
    const a = await api(emu, 'GET', '/simulation/view-cpu');
    expect(a.headers.get('x-ratelimit-hourly-limit')).toBe('100');
    expect(a.headers.get('x-ratelimit-hourly-used')).toBe('1');
    expect(a.headers.get('x-ratelimit-daily-limit')).toBe('1000');
    expect(a.headers.get('x-ratelimit-daily-used')).toBe('1');
    const b = await api(emu, 'GET', '/simulation/view-short/999999');
    expect(b.status).toBe(403);
    expect(b.headers.get('x-ratelimit-hourly-used')).toBe('2');
    expect(emu.calls(KEY)).toMatchObject({ hourly: 2, daily: 2, total: 2 });
    expect(emu.calls(KEY).byEndpoint).toEqual({ 'GET /simulation/view-cpu': 1, 'GET /simulation/view-short/{id}': 1 });
  });

  it.each(PROFILES)('answers unknown endpoints and wrong methods with an errors envelope (%s profile)', async (profile) => {
    const emu = await emulator({ profile });
    const r = await api(emu, 'GET', '/nothing/here');
    expect(r.status).toBe(refusedWith(emu, 404));
    expect(r.json.errors?.[0]).toMatch(/Unknown API endpoint/);
    const m = await api(emu, 'DELETE', '/simulation/view-cpu');
    expect(m.status).toBe(refusedWith(emu, 405));
    expect(m.json.errors?.[0]).toMatch(/not allowed/);
    const outside = await fetch(`${emu.origin}/somewhere`);
    expect(outside.status).toBe(404);
  });

  it('keeps each key in its own storage and simulations; foreign ids are a technical problem', async () => {
    const emu = await emulator({ keys: [{ key: KEY }, { key: KEY_B }] });
    await upload(emu, 'caseA', 'a.fds', "&HEAD CHID='a' /\n");
    await upload(emu, 'caseB', 'b.fds', "&HEAD CHID='b' /\n", KEY_B);
    await ok(emu, 'DELETE', '/user/delete-cache');
    await ok(emu, 'DELETE', '/user/delete-cache', undefined, KEY_B);
    const rootA = await ok<{ name: string }[]>(emu, 'GET', '/storage/index/name/asc/1');
    const rootB = await ok<{ name: string }[]>(emu, 'GET', '/storage/index/name/asc/1', undefined, KEY_B);
    expect(rootA.map((i) => i.name)).toEqual(['caseA']);
    expect(rootB.map((i) => i.name)).toEqual(['caseB']);
    const itemA = await ok<{ id: number }>(emu, 'POST', '/storage/view-by-path', { path: 'caseA/a.fds' });
    const foreign = { errors: ['A technical problem has occurred, try again later.'] };
    for (const path of [`/storage/download/${itemA.id}`, `/storage/view-url/${itemA.id}`, `/storage/index/name/asc/parent_id/${rootA[0] && (rootA[0] as unknown as { id: number }).id}/1`]) {
      const r = await api(emu, 'GET', path, undefined, KEY_B);
      expect(r.status, path).toBe(403);
      expect(r.json).toEqual(foreign);
    }
    const del = await api(emu, 'DELETE', `/storage/delete/${itemA.id}`, undefined, KEY_B);
    expect(del.status).toBe(403);
    expect(await emu.files(KEY, 'caseA')).toHaveProperty(['a.fds']);
    const idA = await ok<number>(emu, 'POST', '/simulation/add', { cpu: 1, ram: 'standard', script: 'fds6.9.1', folder: 'caseA' });
    for (const [m, p, body] of [
      ['GET', `/simulation/view-short/${idA}`],
      ['GET', `/simulation/view/${idA}`],
      ['PUT', `/simulation/sync/${idA}`],
      ['PUT', `/simulation/stop/${idA}`, { signal: 'SIGINT' }],
    ] as [string, string, unknown?][]) {
      const r = await api(emu, m, p, body, KEY_B);
      expect(r.status, p).toBe(403);
      expect(r.json).toEqual(foreign);
    }
    expect(await ok(emu, 'GET', '/simulation/index-short/id/asc/1', undefined, KEY_B)).toEqual([]);
    expect(emu.simulations(KEY_B)).toEqual([]);
    expect(emu.simulations(KEY)).toHaveLength(1);
    const missing = await api(emu, 'GET', '/simulation/view/424242');
    expect(missing.status).toBe(403);
    expect(missing.json).toEqual(foreign);
    const notNumber = await api(emu, 'GET', '/simulation/view/abc');
    expect(notNumber.json).toEqual(foreign);
  });

  it('refuses to start without a key or with a duplicate', async () => {
    const { startEmulator } = await import('../../../emulator/index');
    await expect(startEmulator({ port: 0 })).rejects.toThrow(/API key/);
    await expect(startEmulator({ keys: [{ key: 'x' }, { key: 'x' }] })).rejects.toThrow(/twice/);
  });
});

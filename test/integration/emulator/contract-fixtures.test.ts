// The emulator (default 'evidence' profile) answers the calls of the contract fixtures
// (test/fixtures/cloudhpc-api-v2.ts, facts from the provider's public code) with replies of the same
// shape: the same envelope and status, every field of the fixture present with a compatible type
// ("" where a value may be empty), the same rate-limit headers, and the service's exact texts for
// errors. The client parses the same fixtures (test/unit/api/contract-fixtures.test.ts), so the two
// cannot drift apart without a test failing.
import { describe, expect, it } from 'vitest';
import { FACTS, REPLIES, type ReplyFixture } from '../../fixtures/cloudhpc-api-v2';
import { writeFdsSample } from '../../../emulator/samples';
import { KEY, api, emulator, ok, tarGz, tempDir, upload } from './helpers';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';

/** Differences between a fixture's shape and a reply (empty when the reply conforms). */
function conforms(fixture: unknown, actual: unknown, at = 'response'): string[] {
  if (fixture === '') return actual === '' || typeof actual === 'string' || typeof actual === 'number' ? [] : [`${at}: "" or a value expected, got ${JSON.stringify(actual)}`];
  if (actual === '' && (typeof fixture === 'string' || typeof fixture === 'number')) return []; // a value that may be empty
  if (Array.isArray(fixture)) {
    if (!Array.isArray(actual)) return [`${at}: a list expected`];
    if (fixture.length === 0 || actual.length === 0) return [];
    // each row must have the shape of one of the fixture's rows (e.g. a folder or a file)
    return actual.flatMap((a, i) => {
      const tries = fixture.map((f) => conforms(f, a, `${at}[${i}]`));
      return tries.some((t) => t.length === 0) ? [] : tries[0]!;
    });
  }
  if (fixture !== null && typeof fixture === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${at}: an object expected`];
    return Object.entries(fixture).flatMap(([k, v]) => (k in actual ? conforms(v, (actual as Record<string, unknown>)[k], `${at}.${k}`) : [`${at}.${k}: missing`]));
  }
  return typeof fixture === typeof actual ? [] : [`${at}: ${typeof fixture} expected, got ${JSON.stringify(actual)}`];
}

const fixture = (name: string): ReplyFixture => {
  const f = REPLIES.find((x) => x.name === name);
  if (!f) throw new Error(`no fixture "${name}"`);
  return f;
};

describe('the emulator against the contract fixtures (default profile)', () => {
  it('answers every success fixture with the same envelope, status, headers and shape', async () => {
    const emu = await emulator({ keys: [{ key: KEY, hourlyLimit: 100 }], durations: { pendingSeconds: 10, runSeconds: 100_000, stoppingSeconds: 10 } });
    const dir = await tempDir();
    await writeFdsSample(dir);
    await upload(emu, 'caseA', 'upload.tar.gz', await tarGz({ 'room_fire.fds': await fsp.readFile(join(dir, 'room_fire.fds'), 'utf8') }));
    await emu.seedFile(KEY, 'caseA/sub/x.txt', 'x');
    await emu.seedFile(KEY, 'loose.fds', '&HEAD /');
    await ok(emu, 'DELETE', '/user/delete-cache');
    const running = await ok<number>(emu, 'POST', '/simulation/add', { cpu: '4', ram: 'standard', folder: 'caseA', script: 'fds6.9.1', nopre: '0', mesh: '' });
    await emu.clock.advance(20);
    const root = await ok<{ id: number; name: string }[]>(emu, 'GET', '/storage/index/name/asc/1');
    const caseA = root.find((i) => i.name === 'caseA')!;
    const file = await ok<{ id: number }>(emu, 'POST', '/storage/view-by-path', { path: 'caseA/upload.tar.gz' });

    const calls: Record<string, () => ReturnType<typeof api>> = {
      'GET /simulation/view-cpu': () => api(emu, 'GET', '/simulation/view-cpu'),
      'GET /simulation/view-ram': () => api(emu, 'GET', '/simulation/view-ram'),
      'GET /simulation/view-scripts': () => api(emu, 'GET', '/simulation/view-scripts'),
      'GET /simulation/index-short/{field}/{order}/{page}': () => api(emu, 'GET', '/simulation/index-short/id/desc/1'),
      'GET /simulation/view-short/{id}': () => api(emu, 'GET', `/simulation/view-short/${running}`),
      'GET /simulation/view/{id}': () => api(emu, 'GET', `/simulation/view/${running}`),
      'POST /simulation/add': () => api(emu, 'POST', '/simulation/add', FACTS.interactiveNopre.body),
      'PUT /simulation/sync/{id}': () => api(emu, 'PUT', `/simulation/sync/${running}`),
      'PUT /simulation/stop/{id}': () => api(emu, 'PUT', `/simulation/stop/${running}`, { signal: 'SIGTSTP' }),
      'GET /storage/index/{field}/{order}/{page}': () => api(emu, 'GET', '/storage/index/name/asc/1'),
      'GET /storage/index/{field}/{order}/parent_id/{id}/{page}': () => api(emu, 'GET', `/storage/index/name/asc/parent_id/${caseA.id}/1`),
      'POST /storage/view-by-path': () => api(emu, 'POST', '/storage/view-by-path', { path: 'caseA/upload.tar.gz' }),
      'GET /storage/view-url/{id}': () => api(emu, 'GET', `/storage/view-url/${file.id}`),
      'POST /storage/upload-url': () => api(emu, 'POST', '/storage/upload-url', { dirname: 'caseB', filename: 'upload.tar.gz', contentType: 'application/octet-stream' }),
      'DELETE /user/delete-cache': () => api(emu, 'DELETE', '/user/delete-cache'),
      'DELETE /storage/delete/{id}': () => api(emu, 'DELETE', `/storage/delete/${file.id}`),
    };
    const order = Object.keys(calls);
    const successes = REPLIES.filter((f) => 'response' in f.body).sort((a, b) => order.indexOf(a.endpoint) - order.indexOf(b.endpoint));
    expect(new Set(successes.map((f) => f.endpoint))).toEqual(new Set(order));
    for (const f of successes) {
      if (f.name === 'view-url: the link is not ready yet') continue; // below, on a new file
      const r = await calls[f.endpoint]!();
      expect(r.status, f.name).toBe(f.status);
      expect(Object.keys(r.json), f.name).toEqual(['response']);
      expect(conforms((f.body as { response: unknown }).response, r.json.response), f.name).toEqual([]);
      for (const h of Object.keys(f.headers)) expect(r.headers.get(h), `${f.name}: ${h}`).toMatch(/^\d+$/);
    }
    // a file written a moment ago has no link yet, as the bash client's loop expects
    await upload(emu, 'caseB', 'fresh.bin', 'fresh');
    await ok(emu, 'DELETE', '/user/delete-cache');
    const fresh = await ok<{ id: number }>(emu, 'POST', '/storage/view-by-path', { path: 'caseB/fresh.bin' });
    const notReady = await api(emu, 'GET', `/storage/view-url/${fresh.id}`);
    expect(notReady.json).toEqual(fixture('view-url: the link is not ready yet').body);
  });

  it('answers the error fixtures with their status and the exact texts', async () => {
    const emu = await emulator({ keys: [{ key: KEY, hourlyLimit: 100 }] });
    const badKey = fixture('a bad key');
    const r1 = await api(emu, 'GET', '/simulation/view-cpu', undefined, 'not-a-key');
    expect([r1.status, r1.json]).toEqual([badKey.status, badKey.body]);
    const unknown = fixture('an unknown or foreign id');
    const r2 = await api(emu, 'GET', '/simulation/view-short/999');
    expect([r2.status, r2.json]).toEqual([unknown.status, unknown.body]);
    for (const h of Object.keys(unknown.headers)) expect(r2.headers.get(h)).toMatch(/^\d+$/);
    const limit = fixture('the hourly rate limit');
    for (let i = 1; i < 100; i++) await ok(emu, 'GET', '/simulation/view-ram');
    const r3 = await api(emu, 'GET', '/simulation/view-cpu');
    expect([r3.status, r3.json]).toEqual([limit.status, limit.body]);
    expect(r3.headers.get('x-ratelimit-hourly-used')).toBe(limit.headers['x-ratelimit-hourly-used']);
    expect(r3.headers.get('x-ratelimit-hourly-limit')).toBe(limit.headers['x-ratelimit-hourly-limit']);
    expect(r3.headers.get('retry-after')).toBeNull();
  });

  it('pages like the facts say: 100 rows, page 1 again past the last page', async () => {
    const emu = await emulator();
    for (let i = 0; i < 101; i++) await emu.seedFile(KEY, `big/f${String(i).padStart(3, '0')}.txt`, 'x');
    const big = (await ok<{ id: number; name: string }[]>(emu, 'GET', '/storage/index/name/asc/1')).find((i) => i.name === 'big')!;
    const page = (n: number) => ok<{ id: number }[]>(emu, 'GET', `/storage/index/name/asc/parent_id/${big.id}/${n}`);
    const [p1, p2, p3] = [await page(1), await page(2), await page(3)];
    expect([p1.length, p2.length]).toEqual([FACTS.pageSize.value, 1]);
    expect(p3).toEqual(p1);
  });
});

// Fault injection: latency, HTTP 500 share, replies dropped after processing, transfers cut mid-body,
// URLs issued expired, throttled transfers; configured at start and replaced at run time.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { KEY, api, emulator, itemByPath, ok, upload } from './helpers';

/** Raw HTTP call that reports a dropped connection instead of throwing. */
function raw(url: string, method: string, headers: Record<string, string>, body?: Buffer | string): Promise<{ status?: number; body?: Buffer; dropped: boolean }> {
  return new Promise((resolve) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks), dropped: false }));
      res.on('error', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks), dropped: true }));
      res.on('aborted', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks), dropped: true }));
    });
    req.on('error', () => resolve({ dropped: true }));
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

describe('emulator faults', () => {
  it('adds latency to every API call', async () => {
    const emu = await emulator({ faults: { latencyMs: 150 } });
    const t0 = performance.now();
    await ok(emu, 'GET', '/simulation/view-cpu');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    emu.setFaults({ latencyMs: 400 });
    const t1 = performance.now();
    await ok(emu, 'GET', '/simulation/view-cpu');
    expect(performance.now() - t1).toBeGreaterThanOrEqual(390);
  });

  it('answers a seeded share of calls with HTTP 500 and an errors envelope', async () => {
    const emu = await emulator({ faults: { error500Rate: 0.5, seed: 42 }, keys: [{ key: KEY, hourlyLimit: 0 }] });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await api(emu, 'GET', '/simulation/view-ram');
      statuses.push(r.status);
      if (r.status === 500) expect(r.json.errors).toHaveLength(1);
    }
    const fails = statuses.filter((s) => s === 500).length;
    expect(fails).toBeGreaterThan(8);
    expect(fails).toBeLessThan(32);
    const emu2 = await emulator({ faults: { error500Rate: 0.5, seed: 42 }, keys: [{ key: KEY, hourlyLimit: 0 }] });
    const again: number[] = [];
    for (let i = 0; i < 40; i++) again.push((await api(emu2, 'GET', '/simulation/view-ram')).status);
    expect(again).toEqual(statuses);
  });

  it('processes a call then drops its reply (dropReplyFor, once per entry)', async () => {
    const emu = await emulator();
    await emu.seedFile(KEY, 'caseA/room.fds', "&HEAD CHID='r' /\n");
    emu.setFaults({ dropReplyFor: ['POST /simulation/add'] });
    const body = JSON.stringify({ cpu: 1, ram: 'standard', script: 'fds6.9.1', folder: 'caseA' });
    const r = await raw(`${emu.url}/simulation/add`, 'POST', { 'x-api-key': KEY, 'content-type': 'application/json' }, body);
    expect(r.dropped).toBe(true);
    expect(emu.simulations(KEY)).toHaveLength(1);
    const second = await ok<number>(emu, 'POST', '/simulation/add', JSON.parse(body));
    expect(emu.simulations(KEY).map((s) => s.id)).toContain(second);
    expect(emu.simulations(KEY)).toHaveLength(2);
  });

  it('drops a share of replies after processing (dropReplyRate)', async () => {
    const emu = await emulator({ faults: { dropReplyRate: 1 } });
    const r = await raw(`${emu.url}/user/delete-cache`, 'DELETE', { 'x-api-key': KEY });
    expect(r.dropped).toBe(true);
    expect(emu.calls(KEY).total).toBe(1);
  });

  it('cuts a signed-URL PUT mid-body: nothing is stored, a retry succeeds', async () => {
    const emu = await emulator({ faults: { dropTransferRate: 1, dropTransferAfterBytes: 100_000 } });
    const data = Buffer.alloc(1_000_000, 7);
    const { url } = await ok<{ url: string }>(emu, 'POST', '/storage/upload-url', { dirname: 'c', filename: 'f.bin', contentType: 'application/octet-stream' });
    const r = await raw(url, 'PUT', { 'content-type': 'application/octet-stream', 'content-length': String(data.length) }, data);
    expect(r.dropped).toBe(true);
    expect(await emu.files(KEY, '')).toEqual({});
    emu.setFaults({});
    const again = await raw(url, 'PUT', { 'content-type': 'application/octet-stream', 'content-length': String(data.length) }, data);
    expect(again.status).toBe(200);
    expect((await emu.files(KEY, 'c'))['f.bin']?.size).toBe(1_000_000);
  });

  it('cuts a signed-URL GET mid-body', async () => {
    const emu = await emulator();
    await emu.seedFile(KEY, 'c/r.bin', Buffer.alloc(500_000, 3));
    await ok(emu, 'DELETE', '/user/delete-cache');
    const item = await itemByPath(emu, 'c/r.bin');
    const { url } = await ok<{ url: string }>(emu, 'GET', `/storage/download/${item.id}`);
    emu.setFaults({ dropTransferRate: 1 });
    const r = await raw(url, 'GET', {});
    expect(r.dropped).toBe(true);
    expect(r.body?.length ?? 0).toBeLessThan(500_000);
    emu.setFaults({});
    const ok2 = await raw(url, 'GET', {});
    expect(ok2.body?.length).toBe(500_000);
  });

  it('issues the next N signed URLs already expired', async () => {
    const emu = await emulator();
    emu.setFaults({ expireNextUrls: 1 });
    const first = await ok<{ url: string }>(emu, 'POST', '/storage/upload-url', { dirname: 'c', filename: 'a', contentType: 'text/plain' });
    const second = await ok<{ url: string }>(emu, 'POST', '/storage/upload-url', { dirname: 'c', filename: 'a', contentType: 'text/plain' });
    const r1 = await fetch(first.url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'a' });
    expect(r1.status).toBe(400);
    expect(await r1.text()).toContain('ExpiredToken');
    const r2 = await fetch(second.url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'a' });
    expect(r2.status).toBe(200);
  });

  it('throttles signed-URL transfers', async () => {
    const emu = await emulator({ faults: { transferBytesPerSec: 200_000 } });
    const t0 = performance.now();
    await upload(emu, 'c', 'slow.bin', Buffer.alloc(100_000, 1));
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(400);
  });
});

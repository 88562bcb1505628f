// Streaming transfers against the emulator's signed URLs: progress, recovery from a dropped
// connection and an expired URL, stall timeouts (never total duration), cancellation, and
// downloads that never leave a half-written file in place. Bytes are checked by sha256 end to end.
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TransferProgress } from '../../../src-main/node/api/types';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { truncate } from 'node:fs/promises';
import { Agent } from 'undici';
import { uploadFile } from '../../../src-main/node/api/transfer';
import { KEY, harness, until, type Harness } from './helpers';

let h: Harness;
let local: string;
let data: Buffer;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeEach(async () => {
  h = await harness({}, { stallTimeoutMs: 5_000 });
  await h.emu.seedFile(KEY, 'caseA/input.fds', '&HEAD /');
  data = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
  local = join(h.tmp, 'field.bin');
  await writeFile(local, data);
});
afterEach(async () => h.close());

/** Turns a fault off once the client logs that an attempt failed (reacts to the event, no sleep). */
function healAfterFirstFailure(): void {
  const push = h.logs.push.bind(h.logs);
  h.logs.push = (...lines: string[]) => {
    if (lines.some((l) => /attempt 1 failed/.test(l))) h.emu.setFaults({});
    return push(...lines);
  };
}

describe('uploads', () => {
  it('streams a file with progress events and the bytes arrive intact', async () => {
    const events: TransferProgress[] = [];
    const r = await h.client.uploadFile(local, { dirname: 'caseA', filename: 'field.bin' }, { onProgress: (p) => events.push(p) });
    expect(r).toMatchObject({ bytes: data.length, sha256: sha(data), attempts: 1, urls: 1 });
    expect(events.at(-1)).toMatchObject({ bytes: data.length, total: data.length });
    expect(events.every((e, i) => i === 0 || e.bytes >= events[i - 1]!.bytes)).toBe(true);
    expect((await h.emu.files(KEY, 'caseA'))['field.bin']).toEqual({ size: data.length, sha256: sha(data) });
  });

  it('recovers from a connection dropped mid-upload by sending the whole file again', async () => {
    h.emu.setFaults({ dropTransferRate: 1, dropTransferAfterBytes: 1024 * 1024 });
    healAfterFirstFailure();
    const r = await h.client.uploadFile(local, { dirname: 'caseA', filename: 'field.bin' });
    expect(r.attempts).toBe(2);
    expect(r.urls).toBe(1);
    expect((await h.emu.files(KEY, 'caseA'))['field.bin']).toEqual({ size: data.length, sha256: sha(data) });
  });

  it('recovers from an expired URL by asking for a new one once', async () => {
    h.emu.setFaults({ expireNextUrls: 1 });
    const r = await h.client.uploadFile(local, { dirname: 'caseA', filename: 'field.bin' });
    expect(r.urls).toBe(2);
    expect(h.emu.calls(KEY).byEndpoint['POST /storage/upload-url']).toBe(2);
    expect((await h.emu.files(KEY, 'caseA'))['field.bin']).toEqual({ size: data.length, sha256: sha(data) });
    expect(h.logs.some((l) => /ExpiredToken/.test(l))).toBe(true);
  });

  it('can be cancelled, and nothing is stored', async () => {
    h.emu.setFaults({ transferBytesPerSec: 512 * 1024 });
    const ac = new AbortController();
    const p = h.client.uploadFile(local, { dirname: 'caseA', filename: 'field.bin' }, { signal: ac.signal, onProgress: (e) => e.bytes > 0 && ac.abort() });
    await expect(p).rejects.toMatchObject({ kind: 'cancelled' });
    expect(await h.emu.files(KEY, 'caseA')).not.toHaveProperty('field.bin');
  });

  it('a slow but steady upload is not timed out although it lasts longer than the stall timeout', async () => {
    const big = Buffer.alloc(32 * 1024 * 1024, 3);
    const bigPath = join(h.tmp, 'big.bin');
    await writeFile(bigPath, big);
    const slow = h.makeClient({ stallTimeoutMs: 400 });
    h.emu.setFaults({ transferBytesPerSec: 16 * 1024 * 1024 });
    const started = Date.now();
    const r = await slow.uploadFile(bigPath, { dirname: 'caseA', filename: 'big.bin' });
    expect(Date.now() - started).toBeGreaterThan(1_500);
    expect(r.attempts).toBe(1);
    expect(r.sha256).toBe(sha(big));
  });
});

describe('upload stalls', () => {
  it('an upload to a server that stops reading fails as a stall, with the URL logged without its query', async () => {
    const held: IncomingMessage[] = [];
    const server = createServer((req) => held.push(req)); // never reads, never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const agent = new Agent();
    const lines: string[] = [];
    try {
      const path = join(h.tmp, 'sparse.bin');
      await writeFile(path, '');
      await truncate(path, 256 * 1024 * 1024); // far more than the socket buffers hold
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/gcs/b/o?X-Goog-Signature=secret`;
      const e = await uploadFile({ dispatcher: agent, log: (_l, m) => lines.push(m), stallTimeoutMs: 300, maxAttempts: 1 }, async () => url, path).catch((x: unknown) => x);
      expect(e).toMatchObject({ kind: 'transfer' });
      expect((e as { detail: string }).detail).toMatch(/no bytes moved/);
      expect(lines.join('\n')).not.toContain('secret');
    } finally {
      for (const r of held) r.socket.destroy();
      await agent.close().catch(() => undefined);
      await new Promise((r) => server.close(r));
    }
  });
});

describe('downloads', () => {
  async function storedUrl(): Promise<string> {
    await h.client.uploadFile(local, { dirname: 'caseA', filename: 'field.bin' });
    await h.emu.clock.advance(2); // past the new file's first second (empty mediaLink)
    const item = await h.client.viewByPath('caseA/field.bin');
    return h.client.downloadUrl(item.id);
  }

  it('downloads into place by temp file + rename, verified by sha256', async () => {
    const url = await storedUrl();
    const dest = join(h.tmp, 'out', 'field.bin');
    await import('node:fs/promises').then((f) => f.mkdir(join(h.tmp, 'out')));
    const events: TransferProgress[] = [];
    const r = await h.client.downloadToFile(url, dest, { onProgress: (p) => events.push(p) });
    expect(r.sha256).toBe(sha(data));
    expect(sha(await readFile(dest))).toBe(sha(data));
    expect(await readdir(join(h.tmp, 'out'))).toEqual(['field.bin']);
    expect(events.at(-1)).toMatchObject({ bytes: data.length, total: data.length });
  });

  it('a dropped download leaves nothing half-written in place, and the old file untouched', async () => {
    const url = await storedUrl();
    const dir = join(h.tmp, 'case');
    await import('node:fs/promises').then((f) => f.mkdir(dir));
    const dest = join(dir, 'field.bin');
    await writeFile(dest, 'previous version');
    h.emu.setFaults({ dropTransferRate: 1, dropTransferAfterBytes: 1024 * 1024 });
    await expect(h.client.downloadToFile(url, dest)).rejects.toMatchObject({ kind: 'transfer' });
    expect(await readFile(dest, 'utf8')).toBe('previous version');
    expect(await readdir(dir)).toEqual(['field.bin']);

    const fresh = join(dir, 'new.bin');
    await expect(h.client.downloadToFile(url, fresh)).rejects.toMatchObject({ kind: 'transfer' });
    expect(await readdir(dir)).toEqual(['field.bin']);
  });

  it('recovers from one dropped download by fetching again', async () => {
    const url = await storedUrl();
    h.emu.setFaults({ dropTransferRate: 1, dropTransferAfterBytes: 1024 * 1024 });
    healAfterFirstFailure();
    const dest = join(h.tmp, 'again.bin');
    const r = await h.client.downloadToFile(url, dest);
    expect(r.attempts).toBe(2);
    expect(sha(await readFile(dest))).toBe(sha(data));
  });

  it('times out on a stall and cleans up; a cancelled download leaves nothing either', async () => {
    const url = await storedUrl();
    const stally = h.makeClient({ stallTimeoutMs: 300, transferAttempts: 2 });
    h.emu.setFaults({ transferBytesPerSec: 1024 }); // one 1 KiB piece per second: a stall for 300 ms
    const dir = join(h.tmp, 'stall');
    await import('node:fs/promises').then((f) => f.mkdir(dir));
    const e = await stally.downloadToFile(url, join(dir, 'x.bin')).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'transfer' });
    expect((e as { detail: string }).detail).toMatch(/no bytes moved/);
    expect(await readdir(dir)).toEqual([]);

    h.emu.setFaults({ transferBytesPerSec: 256 * 1024 });
    const ac = new AbortController();
    const p = h.client.downloadToFile(url, join(dir, 'y.bin'), { signal: ac.signal, onProgress: (ev) => ev.bytes > 0 && ac.abort() });
    await expect(p).rejects.toMatchObject({ kind: 'cancelled' });
    await until(async () => (await readdir(dir)).length === 0, 2_000, 'temp file removal');
  });

  it('downloads by id through view-url, asking again while the new file has no mediaLink yet', async () => {
    const slow = h.makeClient({ mediaLinkDelayMs: 400 });
    await h.client.uploadFile(local, { dirname: 'caseA', filename: 'field.bin' });
    const item = await h.client.viewByPath('caseA/field.bin');
    const before = h.emu.calls(KEY).byEndpoint['GET /storage/view-url/{id}'] ?? 0;
    const dest = join(h.tmp, 'byid.bin');
    const r = await slow.downloadFile(item.id, dest);
    expect(r.sha256).toBe(sha(data));
    expect(slow.downloadRoute).toBe('view-url');
    expect(h.emu.calls(KEY).byEndpoint['GET /storage/view-url/{id}']! - before).toBeGreaterThanOrEqual(2);
    expect(h.emu.calls(KEY).byEndpoint['GET /storage/download/{id}'] ?? 0).toBe(0);
  });

  it('falls back to download/{id} when the key may not use view-url, remembers it, one call per file', async () => {
    const p = await harness({ keys: [{ key: KEY, hourlyLimit: 0, deniedEndpoints: ['GET /storage/view-url/{id}'] }] });
    try {
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) {
        await p.emu.seedFile(KEY, `caseA/r${i}.txt`, `result ${i}`);
      }
      await p.emu.clock.advance(2);
      for (let i = 0; i < 3; i++) ids.push((await p.client.viewByPath(`caseA/r${i}.txt`)).id);
      const before = { ...p.emu.calls(KEY).byEndpoint };
      for (let i = 0; i < 3; i++) {
        const dest = join(p.tmp, `r${i}.txt`);
        await p.client.downloadFile(ids[i]!, dest);
        expect(await readFile(dest, 'utf8')).toBe(`result ${i}`);
      }
      const after = p.emu.calls(KEY).byEndpoint;
      const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
      // the first file: view-url refused, view-cpu shows the key works, download/{id}; then download/{id} only
      expect(delta('GET /storage/view-url/{id}')).toBe(1);
      expect(delta('GET /simulation/view-cpu')).toBe(1);
      expect(delta('GET /storage/download/{id}')).toBe(3);
      expect(p.client.downloadRoute).toBe('download');
      // downloads work: nothing for the person to miss
      expect(p.client.unavailableFeatures()).toEqual([]);
    } finally {
      await p.close();
    }
  });
});

// Storage: upload URLs and PUT, listings with cache and pagination, view-by-path, download, view-url,
// delete, signed-URL checks (expiry, Content-Type, tamper), streaming of a large upload.
import { createHash } from 'node:crypto';
import { existsSync, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY, PROFILES, type StorageItemJson, api, emulator, itemByPath, ok, refusedWith, upload } from './helpers';

const list = (emu: Awaited<ReturnType<typeof emulator>>, path: string) => ok<StorageItemJson[]>(emu, 'GET', path);

describe('emulator storage', () => {
  it('uploads through a signed URL, creating intermediate folders, and lists items with the real field names', async () => {
    const emu = await emulator({ startTime: new Date('2026-09-24T10:00:00Z') });
    const url = await upload(emu, 'caseA/sub/deeper', 'data.bin', 'hello world');
    expect(url.startsWith(emu.origin)).toBe(true);
    expect(url).not.toContain(KEY);
    expect(await fsp.readFile(join(emu.storageDir(KEY), 'caseA', 'sub', 'deeper', 'data.bin'), 'utf8')).toBe('hello world');
    await ok(emu, 'DELETE', '/user/delete-cache');
    const root = await list(emu, '/storage/index/name/asc/1');
    expect(root).toHaveLength(1);
    const dir = root[0]!;
    expect(dir).toEqual({ id: expect.any(Number), name: 'caseA', basename: 'caseA', dirname: '', type: 'dir', size: '' });
    const children = await list(emu, `/storage/index/name/asc/parent_id/${dir.id}/1`);
    expect(children.map((c) => [c.name, c.type])).toEqual([['caseA/sub', 'dir']]);
    const file = await itemByPath(emu, 'caseA/sub/deeper/data.bin');
    expect(file).toEqual({ id: expect.any(Number), name: 'caseA/sub/deeper/data.bin', basename: 'data.bin', dirname: 'caseA/sub/deeper', type: 'file', size: 11, timeCreated: '2026-09-24T10:00:00Z' });
    expect(await itemByPath(emu, '/caseA/sub/')).toMatchObject({ name: 'caseA/sub', type: 'dir' });
  });

  it('caches listings until delete-cache or the cache lifetime, for uploads and deletions', async () => {
    const emu = await emulator({ cacheTtlSeconds: 600 });
    await upload(emu, 'c1', 'a.txt', 'a');
    expect(await list(emu, '/storage/index/name/asc/1')).toHaveLength(1);
    await upload(emu, 'c2', 'b.txt', 'b');
    expect((await list(emu, '/storage/index/name/asc/1')).map((i) => i.name)).toEqual(['c1']);
    const stale = await api(emu, 'POST', '/storage/view-by-path', { path: 'c2/b.txt' });
    expect(stale.status).toBe(403);
    await ok(emu, 'DELETE', '/user/delete-cache');
    expect((await list(emu, '/storage/index/name/asc/1')).map((i) => i.name)).toEqual(['c1', 'c2']);
    const c1 = await itemByPath(emu, 'c1');
    expect(await ok(emu, 'DELETE', `/storage/delete/${c1.id}`)).toBe(true);
    expect(existsSync(join(emu.storageDir(KEY), 'c1'))).toBe(false);
    expect((await list(emu, '/storage/index/name/asc/1')).map((i) => i.name)).toEqual(['c1', 'c2']);
    await emu.clock.advance(599);
    expect((await list(emu, '/storage/index/name/asc/1')).map((i) => i.name)).toEqual(['c1', 'c2']);
    await emu.clock.advance(2);
    expect((await list(emu, '/storage/index/name/asc/1')).map((i) => i.name)).toEqual(['c2']);
  });

  it.each(PROFILES)('paginates with the page size, sorts by name and size both ways; past the end: page 1 again (evidence) or [] (classic) (%s profile)', async (profile) => {
    const emu = await emulator({ pageSize: 3, profile });
    for (let i = 1; i <= 7; i++) await emu.seedFile(KEY, `case/f${i}.txt`, 'x'.repeat(i * 10));
    await ok(emu, 'DELETE', '/user/delete-cache');
    const folder = await itemByPath(emu, 'case');
    const pages: string[][] = [];
    for (let p = 1; p <= 4; p++) pages.push((await list(emu, `/storage/index/name/asc/parent_id/${folder.id}/${p}`)).map((i) => i.basename));
    const past = profile === 'evidence' ? ['f1.txt', 'f2.txt', 'f3.txt'] : [];
    expect(pages).toEqual([['f1.txt', 'f2.txt', 'f3.txt'], ['f4.txt', 'f5.txt', 'f6.txt'], ['f7.txt'], past]);
    const bySizeDesc = await list(emu, `/storage/index/size/desc/parent_id/${folder.id}/1`);
    expect(bySizeDesc.map((i) => i.size)).toEqual([70, 60, 50]);
    const nameDesc = await list(emu, `/storage/index/name/desc/parent_id/${folder.id}/1`);
    expect(nameDesc[0]!.basename).toBe('f7.txt');
    expect((await list(emu, '/storage/index/name/asc/2')).map((i) => i.name)).toEqual(profile === 'evidence' ? ['case'] : []);
    for (const bad of ['/storage/index/colour/asc/1', '/storage/index/name/up/1', '/storage/index/name/asc/0', '/storage/index/name/asc/x']) {
      const r = await api(emu, 'GET', bad);
      expect(r.status, bad).toBe(refusedWith(emu, 400));
      expect(r.json.errors).toHaveLength(1);
    }
    const fileAsParent = await itemByPath(emu, 'case/f1.txt');
    expect((await api(emu, 'GET', `/storage/index/name/asc/parent_id/${fileAsParent.id}/1`)).status).toBe(403);
  });

  it('gives download and view-url links that fetch the bytes without a key; view-url starts empty when configured', async () => {
    const emu = await emulator({ emptyMediaLinkCalls: 2, mediaLinkDelaySeconds: 0 });
    const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
    await upload(emu, 'res', 'r.bin', data);
    await ok(emu, 'DELETE', '/user/delete-cache');
    const it0 = await itemByPath(emu, 'res/r.bin');
    const dl = await ok<{ url: string }>(emu, 'GET', `/storage/download/${it0.id}`);
    const res = await fetch(dl.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('5000');
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    expect(await ok(emu, 'GET', `/storage/view-url/${it0.id}`)).toEqual({ mediaLink: '' });
    expect(await ok(emu, 'GET', `/storage/view-url/${it0.id}`)).toEqual({ mediaLink: '' });
    const { mediaLink } = await ok<{ mediaLink: string }>(emu, 'GET', `/storage/view-url/${it0.id}`);
    expect(mediaLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const ranged = await fetch(mediaLink, { headers: { range: 'bytes=4990-' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(data.subarray(4990))).toBe(true);
    const folder = await itemByPath(emu, 'res');
    expect((await api(emu, 'GET', `/storage/download/${folder.id}`)).status).toBe(403);
  });

  it('answers an empty mediaLink for the first second of a new file (evidence profile), on both clocks', async () => {
    const emu = await emulator();
    await upload(emu, 'res', 'new.bin', 'fresh');
    await ok(emu, 'DELETE', '/user/delete-cache');
    const it0 = await itemByPath(emu, 'res/new.bin');
    expect(await ok(emu, 'GET', `/storage/view-url/${it0.id}`)).toEqual({ mediaLink: '' });
    await emu.clock.advance(1);
    const { mediaLink } = await ok<{ mediaLink: string }>(emu, 'GET', `/storage/view-url/${it0.id}`);
    expect(await (await fetch(mediaLink)).text()).toBe('fresh');
    // download/{id} has no such delay
    const dl = await ok<{ url: string }>(emu, 'GET', `/storage/download/${it0.id}`);
    expect(dl.url).toMatch(/^http:/);
    const classic = await emulator({ profile: 'classic' });
    await upload(classic, 'res', 'new.bin', 'fresh');
    await ok(classic, 'DELETE', '/user/delete-cache');
    const it1 = await itemByPath(classic, 'res/new.bin');
    expect((await ok<{ mediaLink: string }>(classic, 'GET', `/storage/view-url/${it1.id}`)).mediaLink).toMatch(/^http:/);
  });

  it('deletes a file and a folder with everything in it', async () => {
    const emu = await emulator();
    await emu.seedFile(KEY, 'keep/a.txt', 'a');
    await emu.seedFile(KEY, 'gone/x/y.txt', 'y');
    await emu.seedFile(KEY, 'gone/z.txt', 'z');
    await ok(emu, 'DELETE', '/user/delete-cache');
    const a = await itemByPath(emu, 'keep/a.txt');
    const gone = await itemByPath(emu, 'gone');
    const y = await itemByPath(emu, 'gone/x/y.txt');
    expect(await ok(emu, 'DELETE', `/storage/delete/${a.id}`)).toBe(true);
    expect(await ok(emu, 'DELETE', `/storage/delete/${gone.id}`)).toBe(true);
    expect(await emu.files(KEY, '')).toEqual({});
    expect((await api(emu, 'GET', `/storage/download/${y.id}`)).status).toBe(403);
    expect((await api(emu, 'DELETE', `/storage/delete/${gone.id}`)).status).toBe(403);
    await ok(emu, 'DELETE', '/user/delete-cache');
    expect((await list(emu, '/storage/index/name/asc/1')).map((i) => i.name)).toEqual(['keep']);
  });

  it('refuses a PUT whose Content-Type differs from the signed one, like GCS', async () => {
    const emu = await emulator();
    const { url } = await ok<{ url: string }>(emu, 'POST', '/storage/upload-url', { dirname: 'c', filename: 'f.bin', contentType: 'application/octet-stream' });
    for (const ct of ['text/plain', 'application/octet-stream; charset=utf-8']) {
      const r = await fetch(url, { method: 'PUT', headers: { 'content-type': ct }, body: 'data' });
      expect(r.status).toBe(403);
      const xml = await r.text();
      expect(xml).toContain('<Error><Code>SignatureDoesNotMatch</Code>');
      expect(r.headers.get('content-type')).toContain('application/xml');
    }
    expect(existsSync(join(emu.storageDir(KEY), 'c', 'f.bin'))).toBe(false);
  });

  it('refuses tampered URLs: path, signature, expiry, method', async () => {
    const emu = await emulator();
    const { url } = await ok<{ url: string }>(emu, 'POST', '/storage/upload-url', { dirname: 'c', filename: 'f.bin', contentType: 'application/octet-stream' });
    const put = (u: string) => fetch(u, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: 'x' });
    const otherPath = url.replace('/c/f.bin?', '/c/evil.bin?');
    const u2 = new URL(url);
    u2.searchParams.set('X-Goog-Signature', '0'.repeat(64));
    const u3 = new URL(url);
    u3.searchParams.set('X-Goog-Expires', '604800');
    for (const bad of [otherPath, u2.toString(), u3.toString()]) {
      const r = await put(bad);
      expect(r.status).toBe(403);
      expect(await r.text()).toContain('SignatureDoesNotMatch');
    }
    const u4 = new URL(url);
    u4.searchParams.delete('X-Goog-Signature');
    const r4 = await put(u4.toString());
    expect(r4.status).toBe(400);
    const asGet = await fetch(url);
    expect(asGet.status).toBe(403);
    expect(await emu.files(KEY, '')).toEqual({});
    expect((await put(url)).status).toBe(200);
  });

  it('keeps signed URLs valid for their real lifetime when the clock runs fast', async () => {
    const emu = await emulator({ timeScale: 100_000, urlTtlSeconds: 900 });
    const { url } = await ok<{ url: string }>(emu, 'POST', '/storage/upload-url', { dirname: 'c', filename: 'n.txt', contentType: 'text/plain' });
    const start = emu.clock.now().getTime();
    while (emu.clock.now().getTime() - start < 1_000_000) await new Promise((r) => setTimeout(r, 5));
    const p = await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'n' });
    expect(p.status).toBe(200);
  });

  it('expires signed URLs after urlTtlSeconds of clock advance', async () => {
    const emu = await emulator({ urlTtlSeconds: 60 });
    await emu.seedFile(KEY, 'c/r.txt', 'result');
    await ok(emu, 'DELETE', '/user/delete-cache');
    const it0 = await itemByPath(emu, 'c/r.txt');
    const { url } = await ok<{ url: string }>(emu, 'GET', `/storage/download/${it0.id}`);
    const up = await ok<{ url: string }>(emu, 'POST', '/storage/upload-url', { dirname: 'c', filename: 'n.txt', contentType: 'text/plain' });
    // the URL clock is wall time plus advances: leave a few seconds for a loaded machine
    await emu.clock.advance(55);
    expect((await fetch(url)).status).toBe(200);
    await emu.clock.advance(6);
    const r = await fetch(url);
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('<Code>ExpiredToken</Code>');
    const p = await fetch(up.url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'n' });
    expect(p.status).toBe(400);
    expect(await p.text()).toContain('ExpiredToken');
  });

  it('streams a large upload to disk and back (temp file then rename; byte-identical)', async () => {
    const emu = await emulator();
    const size = 48 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) % 256;
    const hash = createHash('sha256');
    for (let i = 0; i < size / chunk.length; i++) hash.update(chunk);
    const digest = hash.digest('hex');
    const { url } = await ok<{ url: string }>(emu, 'POST', '/storage/upload-url', { dirname: 'big', filename: 'big.bin', contentType: 'application/octet-stream' });
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (sent >= size) return ctrl.close();
        sent += chunk.length;
        ctrl.enqueue(new Uint8Array(chunk));
      },
    });
    const r = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) }, body, duplex: 'half' } as RequestInit);
    expect(r.status).toBe(200);
    expect(await emu.files(KEY, 'big')).toEqual({ 'big.bin': { size, sha256: digest } });
    await ok(emu, 'DELETE', '/user/delete-cache');
    const it0 = await itemByPath(emu, 'big/big.bin');
    expect(it0.size).toBe(size);
    const { url: dl } = await ok<{ url: string }>(emu, 'GET', `/storage/download/${it0.id}`);
    const res = await fetch(dl);
    expect(res.headers.get('content-length')).toBe(String(size));
    const back = createHash('sha256');
    let got = 0;
    for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
      back.update(part);
      got += part.length;
    }
    expect(got).toBe(size);
    expect(back.digest('hex')).toBe(digest);
  });

  it.each(PROFILES)('overwrites an existing file in place and refuses a file where a folder is (%s profile)', async (profile) => {
    const emu = await emulator({ profile });
    await upload(emu, 'c', 'f.txt', 'one');
    await ok(emu, 'DELETE', '/user/delete-cache');
    const first = await itemByPath(emu, 'c/f.txt');
    await upload(emu, 'c', 'f.txt', 'two!');
    await ok(emu, 'DELETE', '/user/delete-cache');
    const second = await itemByPath(emu, 'c/f.txt');
    expect(second.id).toBe(first.id);
    expect(second.size).toBe(4);
    const r = await api(emu, 'POST', '/storage/upload-url', { dirname: '', filename: 'c', contentType: 'text/plain' });
    expect(r.status).toBe(refusedWith(emu, 400));
    const { url } = await ok<{ url: string }>(emu, 'POST', '/storage/upload-url', { dirname: 'c/f.txt', filename: 'x', contentType: 'text/plain' });
    const put = await fetch(url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(put.status).toBe(409);
    expect(await fsp.readFile(join(emu.storageDir(KEY), 'c', 'f.txt'), 'utf8')).toBe('two!');
  });
});

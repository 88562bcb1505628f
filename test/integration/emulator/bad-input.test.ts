// Hostile or broken requests get a clear errors envelope and never write outside the storage root.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { KEY, PROFILES, api, emulator, ok, refusedWith } from './helpers';

async function treeOf(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(r);
      if (e.isDirectory()) await walk(join(d, e.name), r);
    }
  };
  await walk(dir, '');
  return out.sort();
}

describe('emulator bad input', () => {
  it.each(PROFILES)('answers malformed JSON, non-object bodies, missing bodies and unknown fields with an errors envelope (%s profile)', async (profile) => {
    const emu = await emulator({ profile });
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', '/storage/upload-url', '{"dirname": "a",', /Malformed JSON body/],
      ['POST', '/storage/upload-url', '[1,2]', /must be a JSON object/],
      ['POST', '/storage/upload-url', '"text"', /must be a JSON object/],
      ['POST', '/storage/upload-url', undefined, /JSON object body is required/],
      ['POST', '/storage/upload-url', { dirname: 'a', filename: 'b', contentType: 'x', extra: 1 }, /unknown field\(s\): extra/],
      ['POST', '/storage/upload-url', { dirname: 'a', filename: 5, contentType: 'x' }, /filename/],
      ['POST', '/storage/view-by-path', { path: 'a', more: true }, /unknown field/],
      ['PUT', '/simulation/stop/1', '{', /Malformed JSON|technical problem/],
      ['POST', '/simulation/add', '{"cpu":1,"ram":"standard","script":"fds6.9.1","folder":"a\u0000"}', /NUL|control/],
    ];
    for (const [m, p, body, re] of cases) {
      const r = await api(emu, m, p, body);
      expect([refusedWith(emu, 400), 403], `${p} ${String(body)}`).toContain(r.status);
      expect(r.json.errors?.[0], `${p} ${String(body)}`).toMatch(re);
    }
  });

  it.each(PROFILES)('refuses a JSON body larger than the API limit (413, or 403 in the evidence profile) (%s profile)', async (profile) => {
    const emu = await emulator({ profile });
    const huge = JSON.stringify({ path: 'x'.repeat(3 * 1024 * 1024) });
    const r = await api(emu, 'POST', '/storage/view-by-path', huge);
    expect(r.status).toBe(refusedWith(emu, 413));
    expect(r.json.errors?.[0]).toMatch(/too large/);
    const chunked = await new Promise<number | undefined>((resolve) => {
      const req = request(`${emu.url}/storage/view-by-path`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', () => resolve(undefined));
      for (let i = 0; i < 4; i++) req.write('x'.repeat(1024 * 1024));
      req.end();
    });
    expect([refusedWith(emu, 413), undefined]).toContain(chunked);
    expect((await api(emu, 'GET', '/simulation/view-cpu')).status).toBe(200);
  });

  it.each(PROFILES)('refuses path traversal, NUL and backslashes in dirname, filename and path, and writes nothing outside the root (%s profile)', async (profile) => {
    const emu = await emulator({ profile });
    const root = join(emu.storageDir(KEY), '..');
    const before = await treeOf(root);
    const bad: Record<string, string>[] = [
      { dirname: '../outside', filename: 'f', contentType: 'text/plain' },
      { dirname: 'a/../../b', filename: 'f', contentType: 'text/plain' },
      { dirname: 'a', filename: '../f', contentType: 'text/plain' },
      { dirname: 'a', filename: '..', contentType: 'text/plain' },
      { dirname: 'a', filename: 'x/y', contentType: 'text/plain' },
      { dirname: 'a', filename: '', contentType: 'text/plain' },
      { dirname: 'a', filename: 'f\u0000.txt', contentType: 'text/plain' },
      { dirname: 'a\\..\\..', filename: 'f', contentType: 'text/plain' },
      { dirname: 'C:/x', filename: 'f', contentType: 'text/plain' },
      { dirname: 'a//b', filename: 'f', contentType: 'text/plain' },
      { dirname: 'a', filename: 'f', contentType: 'text/plain\r\nx: y' },
    ];
    for (const body of bad) {
      const r = await api(emu, 'POST', '/storage/upload-url', body);
      expect(r.status, JSON.stringify(body)).toBe(refusedWith(emu, 400));
      expect(r.json.errors?.[0]).toBeTruthy();
    }
    for (const path of ['../x', 'a/../../x', 'a\u0000b', 'a\\b']) {
      const r = await api(emu, 'POST', '/storage/view-by-path', { path });
      expect(r.status, path).toBe(refusedWith(emu, 400));
    }
    const { url } = await ok<{ url: string }>(emu, 'POST', '/storage/upload-url', { dirname: 'a', filename: 'f', contentType: 'text/plain' });
    for (const evil of [url.replace('/a/f?', '/a/..%2F..%2Fevil?'), url.replace('/a/f?', '/%2E%2E/evil?'), url.replace('/a/f?', '/a/f%00?')]) {
      const r = await fetch(evil, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'evil' });
      expect([400, 403, 404], evil).toContain(r.status);
      expect(await r.text()).toContain('<Error>');
    }
    expect(await treeOf(root)).toEqual(before);
    await expect(emu.seedFile(KEY, '../escape.txt', 'x')).rejects.toThrow(/\.\./);
  });

  it('hides the control surface unless enabled', async () => {
    const emu = await emulator();
    const r = await fetch(`${emu.origin}/__emulator/clock`);
    expect(r.status).toBe(404);
  });
});

// A 2 GiB upload streams: the test process's peak RSS stays under 150 MB while the file goes over
// loopback, and the stored bytes match by sha256. The emulator runs in a child process here
// (emulator/cli.ts, inspected through its control surface) so that the RSS measured is the
// client's own, not the emulator's receiving side; this file runs alone in its worker for the same reason.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { KEY } from './helpers';

const SIZE = 2 * 1024 ** 3;
const root = join(import.meta.dirname, '..', '..', '..');
let child: ChildProcess | null = null;
let apiUrl = '';
let origin = '';
let tmp = '';
let path = '';

async function control(method: string, sub: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${origin}/__emulator${sub}`, {
    method,
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as { response?: unknown; errors?: string[] };
  if (!res.ok) throw new Error(`control ${sub}: ${json.errors?.[0] ?? res.status}`);
  return json.response;
}

beforeAll(async () => {
  const c = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'emulator', 'cli.ts'), '--port', '0', '--api-key', KEY, '--rate-limit', '0', '--control'], { stdio: ['ignore', 'pipe', 'inherit'] });
  child = c;
  apiUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    c.once('exit', (code) => reject(new Error(`emulator exited (${code})`)));
  });
  origin = new URL(apiUrl).origin;
  await control('POST', '/seed', { path: 'bigCase/input.fds', text: '&HEAD /' });

  // a sparse file with a distinct marker every 64 MiB, so a lost, repeated or reordered block changes the hash
  tmp = await mkdtemp(join(tmpdir(), 'client-2gib-'));
  path = join(tmp, 'big.bin');
  const fh = await open(path, 'w');
  try {
    await fh.truncate(SIZE);
    for (let off = 0; off < SIZE; off += 64 * 1024 * 1024) {
      const marker = Buffer.alloc(4096, 0);
      marker.write(`block at ${off} ${'#'.repeat(100)}`);
      await fh.write(marker, 0, marker.length, off);
    }
  } finally {
    await fh.close();
  }
}, 60_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
  const c = child;
  if (c && c.exitCode === null) {
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  }
});

it('uploads a 2 GiB file with peak RSS under 150 MB and the bytes verified end to end', async () => {
  const client = new CloudHpcClient({ baseUrl: apiUrl, apiKey: KEY, stallTimeoutMs: 30_000 });
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  let last = 0;
  let events = 0;
  let result;
  try {
    result = await client.uploadFile(path, { dirname: 'bigCase', filename: 'big.bin' }, { onProgress: (p) => { last = p.bytes; events++; } });
  } finally {
    clearInterval(sampler);
    await client.close();
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(`2 GiB upload: RSS ${(base / 1048576).toFixed(0)} MB before, peak ${(peak / 1048576).toFixed(0)} MB`);
  expect(result.bytes).toBe(SIZE);
  expect(last).toBe(SIZE);
  expect(events).toBeGreaterThan(10);
  expect(peak / 1024 / 1024).toBeLessThan(150);

  // the bytes the client read from the file and sent are the bytes the service stored
  const files = (await control('GET', '/files?folder=bigCase')) as Record<string, { size: number; sha256: string }>;
  expect(files['big.bin']).toEqual({ size: SIZE, sha256: result.sha256 });
}, 120_000);

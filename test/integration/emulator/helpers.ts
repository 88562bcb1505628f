// Shared helpers for the emulator suites: start/stop emulators, call the API over real HTTP, make archives.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promises as fsp } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';
import * as tar from 'tar';
import { afterEach } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../emulator/index';

export const KEY = 'test-key-A';
export const KEY_B = 'test-key-B';

const running: Emulator[] = [];
const temps: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Starts an emulator on 127.0.0.1:0 with a frozen clock unless told otherwise; stopped after each test. */
export async function emulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const e = await startEmulator({ ...(opts.keys ? {} : { apiKey: KEY }), timeScale: 0, ...opts });
  running.push(e);
  return e;
}

export async function tempDir(prefix = 'emu-test-'): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  temps.push(d);
  return d;
}

export interface Reply {
  status: number;
  headers: Headers;
  json: { response?: unknown; errors?: string[] };
}

/**
 * The HTTP status of a refusal: the 'evidence' profile answers every error with 403 (as the service's
 * framework does), the 'classic' profile with the status of its cause.
 */
export function refusedWith(emu: Emulator, classic: number): number {
  return emu.profile === 'evidence' ? 403 : classic;
}

export const PROFILES = ['evidence', 'classic'] as const;

/** One API call with fetch; `body` objects are sent as JSON, strings as given. */
export async function api(emu: Emulator, method: string, path: string, body?: unknown, key: string | null = KEY, headerName = 'X-API-key'): Promise<Reply> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key !== null) headers[headerName] = key;
  let payload: string | undefined;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(`${emu.url}${path}`, { method, headers, body: payload });
  const text = await res.text();
  let json: Reply['json'] = {};
  try {
    json = JSON.parse(text) as Reply['json'];
  } catch {
    json = {};
  }
  return { status: res.status, headers: res.headers, json };
}

/** The `response` of a successful call (fails the test otherwise). */
export async function ok<T = unknown>(emu: Emulator, method: string, path: string, body?: unknown, key = KEY): Promise<T> {
  const r = await api(emu, method, path, body, key);
  if (r.status !== 200 || !('response' in r.json)) throw new Error(`${method} ${path} -> ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.response as T;
}

/** Uploads `data` the provider's way: upload-url then PUT with the signed Content-Type. */
export async function upload(emu: Emulator, dirname: string, filename: string, data: Buffer | string, key = KEY, contentType = 'application/octet-stream'): Promise<string> {
  const { url } = await ok<{ url: string }>(emu, 'POST', '/storage/upload-url', { dirname, filename, contentType }, key);
  const res = await fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body: typeof data === 'string' ? data : new Uint8Array(data) });
  if (res.status !== 200) throw new Error(`PUT ${res.status} ${await res.text()}`);
  return url;
}

/** A .tar.gz of `files` (relative path → content) with the content at the archive root. */
export async function tarGz(files: Record<string, string>): Promise<Buffer> {
  const dir = await tempDir('emu-tar-');
  for (const [rel, content] of Object.entries(files)) {
    const full = join(dir, 'src', ...rel.split('/'));
    await fsp.mkdir(join(full, '..'), { recursive: true });
    await fsp.writeFile(full, content);
  }
  const out = join(dir, 'a.tar.gz');
  const entries = await fsp.readdir(join(dir, 'src'));
  await tar.c({ gzip: true, file: out, cwd: join(dir, 'src') }, entries);
  return fsp.readFile(out);
}

/** Lists the member paths of a .tar.gz buffer. */
export async function tarList(buf: Buffer): Promise<string[]> {
  const dir = await tempDir('emu-tarl-');
  const file = join(dir, 'x.tar.gz');
  await fsp.writeFile(file, buf);
  const names: string[] = [];
  await tar.t({ file, onReadEntry: (e) => names.push(e.path) });
  return names;
}

export interface StorageItemJson {
  id: number;
  name: string;
  basename: string;
  dirname: string;
  type: 'dir' | 'file';
  size: number | '';
  timeCreated?: string;
}

export async function itemByPath(emu: Emulator, path: string, key = KEY): Promise<StorageItemJson> {
  return ok<StorageItemJson>(emu, 'POST', '/storage/view-by-path', { path }, key);
}

export async function downloadByPath(emu: Emulator, path: string, key = KEY): Promise<Buffer> {
  await ok(emu, 'DELETE', '/user/delete-cache', undefined, key);
  const it = await itemByPath(emu, path, key);
  const { url } = await ok<{ url: string }>(emu, 'GET', `/storage/download/${it.id}`, undefined, key);
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

export interface ZipMember {
  name: string;
  data?: string;
  /** Unix mode (e.g. 0o120777 for a symlink); default a regular file. */
  mode?: number;
  deflate?: boolean;
}

/** A small .zip (stored or deflate members) written by hand, so tests can also build hostile ones. */
export function makeZip(members: ZipMember[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const raw = Buffer.from(m.data ?? '');
    const body = m.deflate ? deflateRawSync(raw) : raw;
    const name = Buffer.from(m.name);
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(m.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(m.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((m.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

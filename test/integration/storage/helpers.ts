// Helpers of the storage-browser suites: a workspace on the emulator, the provider's bash client's
// `-batch` as its calls (the same sequence test/integration/emulator/provider-client.test.ts replays:
// tar of the case at the archive root, upload-url, PUT, simulation/add with string values), and a
// settled local edit.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { Workspace } from '../../../src-main/node/workspace';
import { tarGz } from '../emulator/helpers';

export const FDS = "&HEAD CHID='room_fire' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TIME T_END=10 /\n&TAIL /\n";
export const CASE = { 'room_fire.fds': FDS, 'notes/readme.txt': 'sample\n' };

export function sha(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A temp folder removed by the returned function. */
export function temp(prefix: string): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A workspace as the command line opens it (no background tracking), on the emulator. */
export async function workspaceOn(emu: Emulator, key: string, home: string): Promise<Workspace> {
  const ws = new Workspace({ home, env: { CLOUDHPC_API_KEY: key, CLOUDHPC_API_URL: emu.url }, useKeychain: false, trackAll: false, cliKeyFile: join(home, 'no-cli-key') });
  if (!(await ws.connect())) throw new Error('no key');
  return ws;
}

export interface Each {
  emu: Emulator;
  ws: Workspace;
  /** A temp folder for the test's cases (the workspace's home is inside it). */
  dir: string;
}

/** For each test: an emulator (frozen clock, no hourly limit), a temp folder and a workspace on them; all stopped after it. */
export function workspaceEach(key: string, prefix: string): Each {
  const each = {} as Each;
  let done = (): void => undefined;
  beforeEach(async () => {
    each.emu = await startEmulator({ keys: [{ key, hourlyLimit: 0 }], timeScale: 0 });
    const t = temp(prefix);
    each.dir = t.dir;
    done = t.done;
    each.ws = await workspaceOn(each.emu, key, join(t.dir, 'home'));
  });
  afterEach(async () => {
    await each.ws.close();
    await each.emu.stop();
    done();
  });
  return each;
}

async function call<T>(emu: Emulator, key: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: { 'X-API-key': key, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body, null, 2),
  });
  const json = (await res.json()) as { response?: T; errors?: string[] };
  if (json.errors) throw new Error(`${method} ${path}: ${json.errors[0]}`);
  return json.response as T;
}

/**
 * `cloudHPCexec -batch CPU RAM SCRIPT FOLDER` in a local folder: the case as one archive into the
 * storage folder (`archive`: its newest public version names it upload.tar.gz and refreshes the cache;
 * the replay in provider-client.test.ts, `<local folder>.tar.gz`), then one simulation/add. Returns its id.
 */
export async function bashBatch(emu: Emulator, key: string, o: { folder: string; archive: string; files: Record<string, string>; launch?: boolean }): Promise<number | null> {
  const { url } = await call<{ url: string }>(emu, key, 'POST', '/storage/upload-url', { dirname: o.folder, filename: o.archive, contentType: 'application/octet-stream' });
  const put = await fetch(url, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(await tarGz(o.files)) });
  if (put.status !== 200) throw new Error(`PUT ${put.status}`);
  if (o.archive === 'upload.tar.gz') await call(emu, key, 'DELETE', '/user/delete-cache');
  if (o.launch === false) return null;
  return call<number>(emu, key, 'POST', '/simulation/add', { cpu: '1', ram: 'standard', folder: o.folder, script: 'fds6.9.1', nopre: '0', mesh: '' });
}

/** A run added by a bare API call (as the web app does) on a folder that is already in storage. */
export function bareAdd(emu: Emulator, key: string, folder: string): Promise<number> {
  return call<number>(emu, key, 'POST', '/simulation/add', { cpu: 1, ram: 'standard', folder, script: 'fds6.9.1' });
}

/** Advances the emulator's clock through a whole run (default durations: 30 s pending, 180 s running). */
export async function runToEnd(emu: Emulator): Promise<void> {
  await emu.clock.advance(31);
  await emu.clock.advance(181);
}

/** Appends a line and dates the file back past the quiet period, so the next scan takes it. */
export function settledEdit(file: string, line: string): string {
  const text = `${readFileSync(file, 'utf8')}${line}\n`;
  writeFileSync(file, text);
  const past = new Date(Date.now() - 10_000);
  utimesSync(file, past, past);
  return text;
}

// `npm run demo` (for now): a scripted tour of the cloudHPC API v2 flow against the embedded emulator.
// Starts the emulator (time scale 600), writes a small FDS case, uploads it the provider's way
// (one tar.gz with the case at the archive root, upload-url, PUT, delete-cache), launches it, waits,
// downloads the result archive into the case folder and lists it. Every step is printed.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { startEmulator } from '../emulator/index';
import { writeFdsSample } from '../emulator/samples';

const KEY = 'demo-api-key';

interface Envelope<T> {
  response?: T;
  errors?: string[];
}

async function call<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'X-API-key': KEY, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as Envelope<T>;
  if (json.errors) throw new Error(`${method} ${path}: ${json.errors[0]}`);
  return json.response as T;
}

const step = (n: number, text: string): void => console.log(`\n[${n}] ${text}`);
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'cloudhpc-demo-'));
  const emu = await startEmulator({ apiKey: KEY, timeScale: 600 });
  try {
    console.log(`cloudHPC emulator listening on ${emu.url}`);
    const caseDir = join(work, 'room_fire');
    step(1, `Write a small FDS case into ${caseDir}`);
    for (const f of await writeFdsSample(caseDir)) console.log(`    ${f}`);

    step(2, 'Pack the case (content at the archive root) into upload.tar.gz');
    const archive = join(work, 'upload.tar.gz');
    await tar.c({ gzip: true, file: archive, cwd: caseDir, portable: true }, await readdir(caseDir));

    step(3, 'POST /storage/upload-url {dirname: "room_fire", filename: "upload.tar.gz"}');
    const { url } = await call<{ url: string }>(emu.url, 'POST', '/storage/upload-url', { dirname: 'room_fire', filename: 'upload.tar.gz', contentType: 'application/octet-stream' });
    console.log(`    signed URL: ${url.split('?')[0]}?…`);

    step(4, 'PUT the archive to the signed URL (no API key)');
    const put = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(await readFile(archive)) });
    console.log(`    HTTP ${put.status}`);

    step(5, 'DELETE /user/delete-cache (uploads complete)');
    await call(emu.url, 'DELETE', '/user/delete-cache');

    step(6, 'POST /simulation/add {cpu: 4, ram: standard, script: fds6.9.1, folder: room_fire}');
    const id = await call<number>(emu.url, 'POST', '/simulation/add', { cpu: 4, ram: 'standard', script: 'fds6.9.1', folder: 'room_fire' });
    console.log(`    simulation id ${id}`);

    step(7, 'Wait: GET /simulation/view-short/{id} until the status is final');
    const names: Record<number, string> = { 20: 'PENDING', 30: 'RUNNING', 40: 'STOPPING', 50: 'STOPPED', 10: 'COMPLETED', 60: 'ERROR' };
    let last = -1;
    for (;;) {
      const s = await call<{ status: number; edate: string; cpu_hrs: number | ''; cost: number | '' }>(emu.url, 'GET', `/simulation/view-short/${id}`);
      if (s.status !== last) console.log(`    ${names[s.status] ?? s.status} (${s.status})`);
      last = s.status;
      if (![20, 30, 40].includes(s.status)) {
        console.log(`    ended ${s.edate}, ${s.cpu_hrs} cpu hours, ${s.cost} EUR`);
        break;
      }
      await pause(200);
    }

    step(8, 'Find the result archive: DELETE /user/delete-cache, POST /storage/view-by-path {path: "room_fire/FDS.tar.gz"}');
    await call(emu.url, 'DELETE', '/user/delete-cache');
    const item = await call<{ id: number; size: number }>(emu.url, 'POST', '/storage/view-by-path', { path: 'room_fire/FDS.tar.gz' });
    console.log(`    id ${item.id}, ${item.size} bytes`);

    step(9, 'GET /storage/download/{id}, then GET the signed URL into the case folder');
    const dl = await call<{ url: string }>(emu.url, 'GET', `/storage/download/${item.id}`);
    const res = await fetch(dl.url);
    const target = join(caseDir, 'FDS.tar.gz');
    await writeFile(target, Buffer.from(await res.arrayBuffer()));
    const members: string[] = [];
    await tar.t({ file: target, onReadEntry: (e) => members.push(e.path) });
    for (const m of members) console.log(`    ${m}`);

    const calls = emu.calls(KEY);
    console.log(`\nDone: ${calls.total} API calls used (${Object.entries(calls.byEndpoint).map(([k, v]) => `${k} ×${v}`).join(', ')}).`);
  } finally {
    await emu.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(`demo failed: ${e.message}`);
  process.exit(1);
});

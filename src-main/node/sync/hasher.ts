// Streaming SHA-256 with a torn-read check: stat before, hash the stream, stat after. If size or
// mtime moved while we read, the result is 'moved' (the caller retries after the quiet period):
// we never record or push a hash of bytes that were not a settled version of the file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

/** Files up to this size are read whole for hashing (bounded memory: concurrency × this). */
const SMALL_FILE = 256 * 1024;

export interface FileStat {
  size: number;
  mtimeMs: number;
}

export type HashResult =
  | ({ kind: 'ok'; sha256: string } & FileStat)
  | { kind: 'moved' }
  | { kind: 'gone' }
  | { kind: 'unreadable'; message: string };

/**
 * File times tick coarsely (a few ms on Linux): a file written again within the same tick with the
 * same size keeps its size and mtime. Like git's "racily clean" rule, an mtime this close to the
 * moment we hashed is not trusted: the index stores null and the next scan hashes the file again.
 */
export const RACY_MS = 1000;

export function trustedMtime(mtimeMs: number, hashedAt: number): number | null {
  return hashedAt - mtimeMs < RACY_MS ? null : mtimeMs;
}

export function sameStat(a: FileStat, b: FileStat): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** sha256 of a file's bytes, read in 1 MiB chunks (the loop stays free between chunks). */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  const rs = createReadStream(path, { highWaterMark: 1 << 20, signal });
  for await (const chunk of rs) h.update(chunk as Buffer);
  return h.digest('hex');
}

// Plain JavaScript run by a worker thread (eval): no module to bundle or resolve in any runtime.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
try {
  const h = createHash('sha256');
  const fd = fs.openSync(workerData, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  parentPort.postMessage({ sha256: h.digest('hex') });
} catch (e) {
  parentPort.postMessage({ error: String(e && e.message || e) });
}`;

/**
 * sha256 of a file computed on a worker thread, i.e. on another core: a large file's hash while the
 * event loop's thread sends it (the caller checks with stats that the file did not move meanwhile).
 */
export function sha256FileOnWorker(path: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: path });
    const onAbort = (): void => void w.terminate();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal?.removeEventListener('abort', onAbort);
    w.once('message', (m: { sha256?: string; error?: string }) => {
      done();
      void w.terminate();
      if (m.sha256) resolve(m.sha256);
      else reject(new Error(m.error ?? 'hashing failed'));
    });
    w.once('error', (e) => { done(); reject(e); });
    w.once('exit', () => { done(); reject(signal?.aborted ? signal.reason : new Error('the hashing thread stopped')); });
  });
}

function errCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

/** Hashes a file only if it is still a regular file and did not move while being read. */
export async function hashSettled(path: string, expected?: FileStat, signal?: AbortSignal): Promise<HashResult> {
  try {
    const before = await lstat(path);
    if (!before.isFile()) return { kind: 'gone' };
    if (expected && !sameStat(expected, before)) return { kind: 'moved' };
    // Small files in one read (a stream per file costs more than the hashing); large ones streamed.
    const sha256 = before.size <= SMALL_FILE
      ? createHash('sha256').update(await readFile(path, { signal })).digest('hex')
      : await sha256File(path, signal);
    const after = await lstat(path);
    if (!sameStat(before, after)) return { kind: 'moved' };
    return { kind: 'ok', sha256, size: after.size, mtimeMs: after.mtimeMs };
  } catch (e) {
    const code = errCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'gone' };
    if (code === 'ABORT_ERR') throw e;
    return { kind: 'unreadable', message: `${code ?? 'error'}: ${(e as Error).message}` };
  }
}

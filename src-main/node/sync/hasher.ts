// Streaming SHA-256 with a torn-read check: stat before, hash the stream, stat after. If size or
// mtime moved while we read, the result is 'moved' (the caller retries after the quiet period):
// we never record or push a hash of bytes that were not a settled version of the file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';

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

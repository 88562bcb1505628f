// Small helpers shared by the emulator's modules: date formats, seeded RNG, path checks, atomic writes.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname, join } from 'node:path';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** "YYYY-MM-DD HH:MM:SS" (UTC), the service's date format for simulations. */
export function formatSqlDate(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** "2026-09-24T10:00:00Z", the storage items' timeCreated format. */
export function formatIsoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "20260924T100000Z", GCS X-Goog-Date format. */
export function formatGoogDate(d: Date): string {
  return formatIsoSeconds(d).replace(/[-:]/g, '');
}

export function parseGoogDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Deterministic PRNG (mulberry32) for fault injection. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Directory name for one API key: never the key itself. */
export function safeKeyId(key: string): string {
  return `key-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

export function randomSecret(): string {
  return randomBytes(32).toString('hex');
}

export class PathError extends Error {}

/**
 * Normalises a storage path ("a/b/c", no leading or trailing slash). Refuses what could leave the
 * storage root or confuse a file system: "..", ".", empty segments in the middle, NUL and control
 * characters, backslashes, absolute Windows paths. Returns "" for the root.
 */
export function normaliseStoragePath(raw: string, what = 'path'): string {
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw new PathError(`${what} must not contain NUL or control characters.`);
  if (raw.includes('\\')) throw new PathError(`${what} must use "/" as separator, not "\\".`);
  if (/^[a-zA-Z]:/.test(raw)) throw new PathError(`${what} must be relative to the storage root.`);
  const trimmed = raw.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return '';
  const parts = trimmed.split('/');
  for (const p of parts) {
    if (p === '' ) throw new PathError(`${what} must not contain empty segments ("//").`);
    if (p === '.' || p === '..') throw new PathError(`${what} must not contain "." or ".." segments.`);
    if (Buffer.byteLength(p) > 255) throw new PathError(`${what} has a segment longer than 255 bytes.`);
  }
  if (Buffer.byteLength(trimmed) > 1024) throw new PathError(`${what} is longer than 1024 bytes.`);
  return parts.join('/');
}

export function joinStorage(a: string, b: string): string {
  return a === '' ? b : b === '' ? a : `${a}/${b}`;
}

export function storageDirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

export function storageBasename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

/** Writes a file atomically: temp file in the same folder, fsync, rename. */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  await fsp.mkdir(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

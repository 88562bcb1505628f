// Minimal, safe .zip extraction (stored and deflate members, no zip64, no encryption) for input
// archives. Hostile members (absolute, "..", links, encrypted) are refused, never written.
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import type { ExtractOutcome } from './archive';

const EOCD = 0x06054b50;
const CEN = 0x02014b50;
const LOC = 0x04034b50;

interface Entry {
  name: string;
  method: number;
  flags: number;
  compSize: number;
  size: number;
  mode: number;
  localOffset: number;
}

async function readAt(fh: fsp.FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  return buf.subarray(0, bytesRead);
}

async function centralDirectory(fh: fsp.FileHandle, fileSize: number): Promise<Entry[]> {
  const tailLen = Math.min(fileSize, 65_557);
  const tail = await readAt(fh, fileSize - tailLen, tailLen);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new Error('not a zip archive (no end of central directory)');
  const count = tail.readUInt16LE(at + 10);
  const cdSize = tail.readUInt32LE(at + 12);
  const cdOffset = tail.readUInt32LE(at + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) throw new Error('zip64 archives are not supported');
  const cd = await readAt(fh, cdOffset, cdSize);
  const entries: Entry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CEN) throw new Error('corrupt zip central directory');
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    entries.push({
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      compSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      mode: cd.readUInt32LE(p + 38) >>> 16,
      localOffset: cd.readUInt32LE(p + 42),
      name: cd.subarray(p + 46, p + 46 + nameLen).toString('utf8'),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function refusal(e: Entry): string | undefined {
  const name = e.name;
  if (name.includes('\0')) return 'NUL in member name';
  if (name.startsWith('/') || name.startsWith('\\') || /^[a-zA-Z]:/.test(name)) return 'absolute member path';
  if (name.split(/[\\/]+/).includes('..')) return '".." in member path';
  const type = e.mode & 0o170000;
  if (type === 0o120000) return 'link member';
  if (type !== 0 && type !== 0o100000 && type !== 0o040000) return 'unsupported member type';
  if (e.flags & 1) return 'encrypted member';
  if (e.method !== 0 && e.method !== 8) return `unsupported compression method ${e.method}`;
  if (e.compSize === 0xffffffff || e.size === 0xffffffff) return 'zip64 member';
  return undefined;
}

/** The bytes a zip's members say they hold (central directory; extraction holds each member to it). */
export async function zipExpandedBytes(archive: string): Promise<number> {
  const fh = await fsp.open(archive, 'r');
  try {
    let total = 0;
    for (const e of await centralDirectory(fh, (await fh.stat()).size)) if (!refusal(e)) total += e.size;
    return total;
  } finally {
    await fh.close();
  }
}

/** Passes at most `max` bytes: a member that inflates past its declared size is a lie (a bomb). */
function atMost(max: number, name: string): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      if (n > max) cb(new Error(`${name} inflates past its declared size of ${max} bytes`));
      else cb(null, chunk);
    },
  });
}

export async function extractZipSafely(archive: string, dest: string): Promise<ExtractOutcome> {
  const outcome: ExtractOutcome = { extracted: [], refused: [] };
  const fh = await fsp.open(archive, 'r');
  try {
    const { size } = await fh.stat();
    for (const e of await centralDirectory(fh, size)) {
      const why = refusal(e);
      if (why) {
        outcome.refused.push({ path: e.name, reason: why });
        continue;
      }
      const parts = e.name.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
      if (parts.length === 0) continue;
      const target = join(dest, ...parts);
      if (e.name.endsWith('/') || e.name.endsWith('\\') || (e.mode & 0o170000) === 0o040000) {
        await fsp.mkdir(target, { recursive: true });
        outcome.extracted.push(parts.join('/'));
        continue;
      }
      const local = await readAt(fh, e.localOffset, 30);
      if (local.length < 30 || local.readUInt32LE(0) !== LOC) throw new Error(`corrupt zip local header for ${e.name}`);
      const start = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      await fsp.mkdir(join(target, '..'), { recursive: true });
      await fsp.rm(target, { force: true });
      const src = e.compSize === 0 ? [] : createReadStream(archive, { start, end: start + e.compSize - 1 });
      const out = createWriteStream(target);
      if (e.method === 8 && e.compSize > 0) await pipeline(src as NodeJS.ReadableStream, createInflateRaw(), atMost(e.size, e.name), out);
      else if (e.compSize > 0) await pipeline(src as NodeJS.ReadableStream, out);
      else await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      outcome.extracted.push(parts.join('/'));
    }
  } finally {
    await fh.close();
  }
  return outcome;
}

// The snapshot archive: upload.tar.gz of the case (content at the archive root), built to a temp
// file so the PUT knows its exact length.
//
// Built as one gzip member from pieces compressed independently (see gzip-join.ts), one or more per
// tar member, so that:
//  - a member whose path, size, mtime and sha256 are unchanged is copied from the last archive (see
//    member-cache.ts) instead of being read and compressed again: rebuilding after a small edit costs
//    a copy, not a compression;
//  - each member's compression level follows its compressibility: a sample is deflated first, and
//    what does not shrink by at least 10% is stored (level 0, ~150 MiB/s here), the rest is deflated at
//    level 1 (measured on OpenFOAM ASCII fields: level 1 runs at 74 MiB/s for 43% of the size, level 6
//    at 19 MiB/s for 37%: level 6 only pays off below an uplink of about 1.5 MB/s);
//  - pieces are compressed in Node's zlib thread pool, several at once (both cores), and written in
//    order; memory stays bounded (pieces of at most 4 MiB, a few in flight).
// Every member read from the case is checked: stat before, sha256 of the bytes archived equal to the
// planned (settled) hash, stat after. A file that moved is reported as torn and the archive must not
// be used (the engine retries after the quiet period).
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, readSync } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { crc32 } from 'node:zlib';
import { Header, Pax } from 'tar';
import { isLocalFileChanged, openRegularFile, openRegularFileSync } from '../api/local-file';
import { sameStat } from './hasher';
import { FINAL_BLOCK, GZIP_HEADER, crc32Combine, deflatePiece, deflatePieceSync, gzipTrailer } from './gzip-join';
import { type CachedMember, MemberCache } from './member-cache';
import type { LocalFile } from './planner';

export interface Snapshot {
  /** The archive file (the caller removes it unless `cached`). */
  file: string;
  size: number;
  sha256: string;
  files: LocalFile[];
  /** Members copied from the last archive instead of being compressed again. */
  reused: number;
  /** The file is the member cache's archive (keep it: the next build copies from it). */
  cached: boolean;
}

export type SnapshotResult = { kind: 'ok'; snapshot: Snapshot } | { kind: 'torn'; paths: string[] };

export interface SnapshotOptions {
  signal?: AbortSignal;
  /** Uncompressed bytes of the case archived so far, and their total (progress while building). */
  onProgress?: (bytesIn: number, totalIn: number) => void;
  /** The project's member cache folder (app data): unchanged members are copied from the last archive. */
  cacheDir?: string;
}

/** Largest piece compressed at once (bounded memory; large files are split). */
const PIECE = 4 * 1024 * 1024;
/** Pieces compressed at the same time (zlib's thread pool has 4 threads). */
const IN_FLIGHT = 4;
/** Bytes sampled to decide a member's level. */
const SAMPLE = 64 * 1024;
/** A sample that keeps more than this share of its size is stored, not deflated. */
const STORE_ABOVE = 0.9;
const DEFLATE_LEVEL = 1;
/** Members up to this size are read and compressed on the event loop's thread, in slices of SLICE_MS. */
const SMALL_MEMBER = 64 * 1024;
const SLICE_MS = 8;
/** Output buffered up to this size per write. */
const WRITE_BUFFER = 1024 * 1024;
/** Consecutive cached members read at once, up to this many bytes. */
const READ_RUN = 8 * 1024 * 1024;

/** Tar header block(s) of a regular file (PAX when the path or size does not fit ustar). */
export function tarHeader(path: string, size: number, mtimeMs: number, mode: number): Buffer {
  const mtime = new Date(Math.floor(mtimeMs / 1000) * 1000);
  const h = new Header({ path, mode: mode & 0o7777, size, mtime, type: 'File', uid: 0, gid: 0 });
  const block = Buffer.alloc(512);
  if (!h.encode(block, 0)) return block;
  return Buffer.concat([new Pax({ path, size, mtime }).encode(), block]);
}

/** Zero padding to the next 512-byte boundary. */
function padding(size: number): Buffer {
  return Buffer.alloc((512 - (size % 512)) % 512);
}

/** A piece ready to write, with what the writer needs to account for its member. */
interface Piece {
  data: Buffer;
  rawLength: number;
  crc: number;
  file: LocalFile;
  first: boolean;
  last: boolean;
  /** File bytes inside this piece, hashed by the writer in order (null: copied from the cache). */
  fileBytes: Buffer | null;
  /** Set for a run of members copied from the last archive (then `file` is the first of them). */
  copied?: Array<{ file: LocalFile; hit: CachedMember }>;
}

/** Opening a member (no link followed, no FIFO waited on, fstat as planned): any change is Torn. */
function tornIfChanged<T>(rel: string, openIt: () => T): T {
  try {
    const r = openIt();
    return r instanceof Promise ? (r.catch((e: unknown) => { throw isLocalFileChanged(e) ? new Torn(rel) : e; }) as T) : r;
  } catch (e) {
    throw isLocalFileChanged(e) ? new Torn(rel) : e;
  }
}

class Torn extends Error {
  constructor(readonly path: string) {
    super(`${path} changed while it was archived`);
  }
}

/** Deflates at level 1 unless that saves less than 10%: then stores (level 0). */
async function deflateAdaptive(raw: Buffer, level: number | null): Promise<{ data: Buffer; rawLength: number; crc: number }> {
  if (level !== null) return deflatePiece(raw, level);
  const d = await deflatePiece(raw, DEFLATE_LEVEL);
  return d.data.length > raw.length * STORE_ABOVE ? deflatePiece(raw, 0) : d;
}

/** A large member's level, from samples at its start and middle. */
async function sampledLevel(fh: FileHandle, size: number, first: Buffer): Promise<number> {
  const samples = [first.subarray(0, SAMPLE)];
  const mid = Buffer.alloc(SAMPLE);
  const { bytesRead } = await fh.read(mid, 0, SAMPLE, Math.floor(size / 2));
  samples.push(mid.subarray(0, bytesRead));
  const raw = Buffer.concat(samples);
  const d = await deflatePiece(raw, DEFLATE_LEVEL);
  return d.data.length > raw.length * STORE_ABOVE ? 0 : DEFLATE_LEVEL;
}

/** Reads exactly n bytes at pos (fewer means the file shrank: torn). */
async function readExactly(fh: FileHandle, n: number, pos: number, path: string): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(n);
  let off = 0;
  while (off < n) {
    const { bytesRead } = await fh.read(buf, off, n - off, pos + off);
    if (bytesRead === 0) throw new Torn(path);
    off += bytesRead;
  }
  return buf;
}

/** Builds the archive of the given files of root at tmpFile; the files must be settled and hashed. */
export async function buildSnapshot(root: string, files: readonly LocalFile[], tmpFile: string, opts: SnapshotOptions = {}): Promise<SnapshotResult> {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const totalIn = sorted.reduce((n, f) => n + f.size, 0);
  const cache = opts.cacheDir ? await MemberCache.load(opts.cacheDir) : null;
  const out = await open(tmpFile, 'w', 0o600);
  const cacheFh = cache && cache.members.size > 0 ? await open(cache.archivePath, 'r').catch(() => null) : null;
  const hash = createHash('sha256');
  let outSize = 0;
  let crc = 0;
  let rawTotal = 0;
  let inDone = 0;
  let reused = 0;
  const members: CachedMember[] = [];
  // Output goes through a 1 MiB buffer: thousands of small members cost a few writes, not thousands.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let written = 0;
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const b = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await out.write(b, 0, b.length, written);
    written += b.length;
  };
  const write = async (b: Buffer): Promise<void> => {
    if (b.length === 0) return;
    hash.update(b);
    pending.push(b);
    pendingBytes += b.length;
    outSize += b.length;
    if (pendingBytes >= WRITE_BUFFER) await flush();
  };
  // Pieces are produced concurrently (reads in order, compression in the thread pool) and written in order.
  const window: Array<Promise<Piece>> = [];
  let m = { start: 0, crc: 0, raw: 0, ccrc: 0, hash: createHash('sha256') };
  const writeOne = async (): Promise<void> => {
    const p = await (window.shift() as Promise<Piece>);
    opts.signal?.throwIfAborted();
    if (p.copied) {
      // A run of members copied from the last archive: their ranges move by the same offset.
      const start = outSize;
      const base = (p.copied[0] as { hit: CachedMember }).hit.offset;
      await write(p.data);
      crc = crc32Combine(crc, p.crc, p.rawLength);
      rawTotal += p.rawLength;
      for (const { file: f, hit } of p.copied) {
        members.push({ path: f.path, size: f.size, mtimeMs: f.mtimeMs, sha256: f.sha256, offset: start + hit.offset - base, length: hit.length, rawLength: hit.rawLength, crc: hit.crc, ccrc: hit.ccrc });
        inDone += f.size;
      }
      reused += p.copied.length;
      opts.onProgress?.(inDone, totalIn);
      return;
    }
    if (p.first) m = { start: outSize, crc: 0, raw: 0, ccrc: 0, hash: createHash('sha256') };
    await write(p.data);
    crc = crc32Combine(crc, p.crc, p.rawLength);
    rawTotal += p.rawLength;
    m.crc = p.first ? p.crc : crc32Combine(m.crc, p.crc, p.rawLength);
    m.raw += p.rawLength;
    m.ccrc = crc32(p.data, m.ccrc);
    if (p.fileBytes) {
      m.hash.update(p.fileBytes);
      inDone += p.fileBytes.length;
    }
    if (!p.last) return;
    const f = p.file;
    // The bytes archived must be the settled version the plan hashed.
    if (m.hash.digest('hex') !== f.sha256) throw new Torn(f.path);
    members.push({ path: f.path, size: f.size, mtimeMs: f.mtimeMs, sha256: f.sha256, offset: m.start, length: outSize - m.start, rawLength: m.raw, crc: m.crc, ccrc: m.ccrc });
    opts.onProgress?.(inDone, totalIn);
  };
  const push = async (job: Promise<Piece>): Promise<void> => {
    job.catch(() => undefined); // awaited in order by writeOne; no unhandled rejection meanwhile
    window.push(job);
    while (window.length >= IN_FLIGHT) await writeOne();
  };
  // Unchanged members lie in the last archive in the same order: a run of them is read at once and
  // goes out as one piece. Returns how many files it covered (0: the next file is not in the cache).
  const copyRun = async (at: number): Promise<number> => {
    const first = cache?.get(sorted[at] as LocalFile);
    if (!first || !cache || !cacheFh) return 0;
    const items: Array<{ file: LocalFile; hit: CachedMember }> = [{ file: sorted[at] as LocalFile, hit: first }];
    let end = first.offset + first.length;
    for (let j = at + 1; j < sorted.length && end - first.offset < READ_RUN; j++) {
      const h = cache.get(sorted[j] as LocalFile);
      if (!h || h.offset !== end) break;
      items.push({ file: sorted[j] as LocalFile, hit: h });
      end = h.offset + h.length;
    }
    const data = Buffer.allocUnsafe(end - first.offset);
    const { bytesRead } = await cacheFh.read(data, 0, data.length, first.offset);
    // The longest prefix whose bytes check out against their CRC-32 (a damaged member is compressed again).
    let n = 0;
    let rawLength = 0;
    let runCrc = 0;
    let len = 0;
    for (const { hit } of items) {
      const from = hit.offset - first.offset;
      if (from + hit.length > bytesRead || crc32(data.subarray(from, from + hit.length)) !== hit.ccrc) break;
      runCrc = n === 0 ? hit.crc : crc32Combine(runCrc, hit.crc, hit.rawLength);
      rawLength += hit.rawLength;
      len = from + hit.length;
      n++;
    }
    if (n === 0) return 0;
    await push(Promise.resolve({ data: data.subarray(0, len), rawLength, crc: runCrc, file: sorted[at] as LocalFile, first: true, last: true, fileBytes: null, copied: items.slice(0, n) }));
    return n;
  };

  let sliceStart = performance.now();
  try {
    await write(GZIP_HEADER);
    for (let i = 0; i < sorted.length; i++) {
      const f = sorted[i] as LocalFile;
      opts.signal?.throwIfAborted();
      const copied = await copyRun(i);
      if (copied > 0) {
        i += copied - 1;
        continue;
      }
      if (f.size <= SMALL_MEMBER) {
        await push(Promise.resolve(smallPiece(root, f)));
        if (performance.now() - sliceStart >= SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
      } else {
        await addFresh(root, f, push);
      }
    }
    while (window.length > 0) await writeOne();
    const end = await deflatePiece(Buffer.alloc(1024), DEFLATE_LEVEL); // tar's end-of-archive blocks
    await write(end.data);
    crc = crc32Combine(crc, end.crc, end.rawLength);
    rawTotal += end.rawLength;
    await write(FINAL_BLOCK);
    await write(gzipTrailer(crc, rawTotal));
    await flush();
    // No fsync: the archive is checked by its sha256 when sent, and after a crash the cache's size
    // check and each member's CRC-32 keep a damaged copy from being reused.
  } catch (e) {
    await Promise.allSettled(window);
    await out.close();
    await cacheFh?.close();
    await rm(tmpFile, { force: true });
    if (e instanceof Torn) return { kind: 'torn', paths: [e.path] };
    const code = (e as { code?: string }).code;
    // A file that vanished, or was replaced by a link or a folder, under us: torn, retried later.
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'EISDIR' || code === 'ENOTDIR') {
      const p = String((e as { path?: string }).path ?? '');
      return { kind: 'torn', paths: [p.startsWith(root) ? p.slice(root.length + 1) : p] };
    }
    throw e;
  }
  await out.close();
  await cacheFh?.close();
  const sha256 = hash.digest('hex');
  if (opts.cacheDir) {
    await mkdir(opts.cacheDir, { recursive: true });
    const c = await MemberCache.replace(opts.cacheDir, tmpFile, members);
    return { kind: 'ok', snapshot: { file: c.archivePath, size: outSize, sha256, files: sorted, reused, cached: true } };
  }
  return { kind: 'ok', snapshot: { file: tmpFile, size: outSize, sha256, files: sorted, reused, cached: false } };
}

/** A small member read and compressed on this thread (sync calls: no thread-pool round trips). */
function smallPiece(root: string, f: LocalFile): Piece {
  const abs = join(root, f.path);
  const before = lstatSync(abs);
  if (!before.isFile() || !sameStat(before, f)) throw new Torn(f.path);
  const fd = tornIfChanged(f.path, () => openRegularFileSync(abs, f).fd);
  const bytes = Buffer.allocUnsafe(f.size);
  try {
    let off = 0;
    while (off < f.size) {
      const n = readSync(fd, bytes, off, f.size - off, off);
      if (n === 0) throw new Torn(f.path);
      off += n;
    }
  } finally {
    closeSync(fd);
  }
  if (!sameStat(lstatSync(abs), f)) throw new Torn(f.path);
  const raw = Buffer.concat([tarHeader(f.path, f.size, f.mtimeMs, before.mode), bytes, padding(f.size)]);
  const d = deflatePieceSync(raw, DEFLATE_LEVEL);
  const piece = d.data.length > raw.length * STORE_ABOVE ? deflatePieceSync(raw, 0) : d;
  return { ...piece, file: f, first: true, last: true, fileBytes: bytes };
}

/** Reads one member from the case in order (stat before and after) and queues its pieces' compression. */
async function addFresh(root: string, f: LocalFile, push: (job: Promise<Piece>) => Promise<void>): Promise<void> {
  const abs = join(root, f.path);
  const before = await lstat(abs);
  if (!before.isFile() || !sameStat(before, f)) throw new Torn(f.path);
  const fh = (await tornIfChanged(f.path, () => openRegularFile(abs, f))).fh;
  try {
    const header = tarHeader(f.path, f.size, f.mtimeMs, before.mode);
    // Small members choose their level on their own bytes (deflateAdaptive); large ones from samples.
    let level: number | null = null;
    for (let pos = 0; pos < f.size || pos === 0; pos += PIECE) {
      const n = Math.min(PIECE, f.size - pos);
      const chunk = await readExactly(fh, n, pos, f.path);
      if (pos === 0 && f.size > PIECE) level = await sampledLevel(fh, f.size, chunk);
      const first = pos === 0;
      const last = pos + n === f.size;
      if (last) {
        // Every byte is read: the file must not have moved meanwhile (the writer checks the sha256).
        const after = await lstat(abs);
        if (!sameStat(after, f)) throw new Torn(f.path);
      }
      const raw = Buffer.concat([first ? header : Buffer.alloc(0), chunk, last ? padding(f.size) : Buffer.alloc(0)]);
      const lv = level;
      await push(deflateAdaptive(raw, lv).then((d) => ({ ...d, file: f, first, last, fileBytes: chunk })));
      if (last) break;
    }
  } finally {
    await fh.close();
  }
}

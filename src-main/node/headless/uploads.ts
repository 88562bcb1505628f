// Browser drops cannot give file paths, so the headless UI uploads the dropped files' bytes first
// (streamed, bounded) into a staging folder; the core then plans the drop from that folder
// exactly as it does from real paths in Electron. Bounded per batch and in total (batches the drop has
// not taken yet, and their bytes), so a token holder cannot fill the temp folder; a path that clashes
// with one already staged (`x`, then `x/y`) is a 409. Staged files are created with the usual modes
// (0666 less the umask; the batch folder itself is 0700), so dropped files keep them in the case.
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const STAGING_ID = /^[a-f0-9]{32}$/;

export interface UploadLimits {
  /** Bytes per staging batch (default 2 GiB). */
  maxBatchBytes: number;
  /** Files per staging batch (default 20,000). */
  maxBatchFiles: number;
  /** Bytes staged in all batches not taken by a drop yet (default 4 GiB). */
  maxTotalBytes?: number;
  /** Batches staged and not taken by a drop yet (default 16). */
  maxBatches?: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxBatchBytes: 2 * 1024 ** 3, maxBatchFiles: 20_000, maxTotalBytes: 4 * 1024 ** 3, maxBatches: 16 };

export class UploadError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'UploadError';
  }
}

/** A relative path from the browser (webkitRelativePath style, '/' separated), checked segment by segment. */
export function checkRelativePath(p: string): string[] {
  if (p.length === 0 || p.length > 1024 || p.includes('\0') || p.includes('\\') || p.startsWith('/')) {
    throw new UploadError(400, 'The file path is not a plain relative path.');
  }
  const parts = p.split('/');
  if (parts.length > 64 || parts.some((s) => s === '' || s === '.' || s === '..' || s.length > 255)) {
    throw new UploadError(400, 'The file path is not a plain relative path.');
  }
  return parts;
}

interface Batch {
  bytes: number;
  files: number;
  /** Paths staged (or being staged) as files, and the folders they make. */
  paths: Set<string>;
  dirs: Set<string>;
}

export class StagingUploads {
  private readonly batches = new Map<string, Batch>();

  constructor(private readonly root: string, private readonly limits: UploadLimits = DEFAULT_UPLOAD_LIMITS) {}

  async create(): Promise<string> {
    this.forgetTaken();
    const max = this.limits.maxBatches ?? DEFAULT_UPLOAD_LIMITS.maxBatches!;
    if (this.batches.size >= max) throw new UploadError(429, `${max} drops are still waiting to be copied: finish or cancel them, then drop again.`);
    const id = randomBytes(16).toString('hex');
    await mkdir(join(this.root, id), { recursive: true, mode: 0o700 });
    this.batches.set(id, { bytes: 0, files: 0, paths: new Set(), dirs: new Set() });
    return id;
  }

  /** Streams one file of a batch to disk (temp name, then rename); refuses past the limits. */
  async receive(id: string, relPath: string, req: IncomingMessage): Promise<number> {
    const batch = this.batches.get(id);
    if (!STAGING_ID.test(id) || !batch) throw new UploadError(404, 'Unknown upload batch: drop the files again.');
    const parts = checkRelativePath(relPath);
    if (batch.files + 1 > this.limits.maxBatchFiles) throw new UploadError(413, `Too many files in one drop (at most ${this.limits.maxBatchFiles}).`);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.limits.maxBatchBytes - batch.bytes) throw new UploadError(413, tooBig(this.limits.maxBatchBytes));
    this.forgetTaken();
    const totalLimit = this.limits.maxTotalBytes ?? DEFAULT_UPLOAD_LIMITS.maxTotalBytes!;
    if (declared > totalLimit - this.totalBytes()) throw new UploadError(413, tooMuchStaged(totalLimit));
    const rel = parts.join('/');
    const clash = clashOf(batch, parts);
    if (clash !== null) throw new UploadError(409, `${rel} clashes with ${clash}, already in this drop (a file and a folder cannot have one name): drop them separately.`);
    batch.paths.add(rel);
    for (let i = 1; i < parts.length; i++) batch.dirs.add(parts.slice(0, i).join('/'));
    batch.files += 1;
    const target = join(this.root, id, 'files', ...parts);
    const tmp = `${target}.${randomBytes(4).toString('hex')}.part`;
    let written = 0;
    const limit = this.limits.maxBatchBytes;
    const total = (): number => this.totalBytes();
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        batch.bytes += chunk.length;
        if (batch.bytes > limit) cb(new UploadError(413, tooBig(limit)));
        else if (total() > totalLimit) cb(new UploadError(413, tooMuchStaged(totalLimit)));
        else cb(null, chunk);
      },
    });
    try {
      await mkdir(dirname(target), { recursive: true });
      // the usual modes (0666 less the umask): the batch folder (0700) keeps others out meanwhile
      await pipeline(req, counter, createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      batch.bytes -= written;
      batch.files -= 1;
      batch.paths.delete(rel);
      throw err instanceof UploadError ? err : new UploadError(400, 'The upload was interrupted: drop the files again.');
    }
    return written;
  }

  /** Bytes in all batches not taken yet. */
  private totalBytes(): number {
    let n = 0;
    for (const b of this.batches.values()) n += b.bytes;
    return n;
  }

  /** Batches a drop copied or cancelled (their folder is gone) no longer count. */
  private forgetTaken(): void {
    for (const id of [...this.batches.keys()]) if (!existsSync(join(this.root, id))) this.batches.delete(id);
  }

  async removeAll(): Promise<void> {
    await Promise.all([...this.batches.keys()].map((id) => rm(join(this.root, id), { recursive: true, force: true })));
    this.batches.clear();
  }
}

/** An earlier path of the batch that `parts` cannot live beside (x then x/y, x/y then x, x twice), or null. */
function clashOf(batch: Batch, parts: string[]): string | null {
  const rel = parts.join('/');
  if (batch.paths.has(rel) || batch.dirs.has(rel)) return rel;
  for (let i = 1; i < parts.length; i++) {
    const up = parts.slice(0, i).join('/');
    if (batch.paths.has(up)) return up;
  }
  return null;
}

function tooMuchStaged(limit: number): string {
  return `More than ${Math.round(limit / 1024 ** 2)} MiB of drops are waiting to be copied: finish or cancel them, then drop again.`;
}

function tooBig(limit: number): string {
  return `The drop is larger than ${Math.round(limit / 1024 ** 2)} MiB: copy big files into the case folder directly.`;
}

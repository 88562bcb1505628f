// Browser drops cannot give file paths, so the headless UI uploads the dropped files' bytes first
// (streamed, bounded) into a staging folder; the core then plans the drop from that folder
// exactly as it does from real paths in Electron.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
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
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxBatchBytes: 2 * 1024 ** 3, maxBatchFiles: 20_000 };

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
}

export class StagingUploads {
  private readonly batches = new Map<string, Batch>();

  constructor(private readonly root: string, private readonly limits: UploadLimits = DEFAULT_UPLOAD_LIMITS) {}

  async create(): Promise<string> {
    const id = randomBytes(16).toString('hex');
    await mkdir(join(this.root, id), { recursive: true, mode: 0o700 });
    this.batches.set(id, { bytes: 0, files: 0 });
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
    batch.files += 1;
    const target = join(this.root, id, 'files', ...parts);
    const tmp = `${target}.${randomBytes(4).toString('hex')}.part`;
    await mkdir(dirname(target), { recursive: true });
    let written = 0;
    const limit = this.limits.maxBatchBytes;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        batch.bytes += chunk.length;
        if (batch.bytes > limit) cb(new UploadError(413, tooBig(limit)));
        else cb(null, chunk);
      },
    });
    try {
      await pipeline(req, counter, createWriteStream(tmp, { mode: 0o600 }));
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      batch.bytes -= written;
      batch.files -= 1;
      throw err instanceof UploadError ? err : new UploadError(400, 'The upload was interrupted: drop the files again.');
    }
    return written;
  }

  async removeAll(): Promise<void> {
    await Promise.all([...this.batches.keys()].map((id) => rm(join(this.root, id), { recursive: true, force: true })));
    this.batches.clear();
  }
}

function tooBig(limit: number): string {
  return `The drop is larger than ${Math.round(limit / 1024 ** 2)} MiB: copy big files into the case folder directly.`;
}

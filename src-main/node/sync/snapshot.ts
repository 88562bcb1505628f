// The snapshot archive: a tar.gz of the case (content at the archive root), built to a temp file so
// the PUT knows its exact length. node-tar produces the tar stream (reading each file in chunks of at
// most 256 KiB); compression runs in Node's zlib thread pool (zlib.createGzip), so the event loop is
// never blocked for long. After the build, every file is stat'ed again: one that moved while it was
// being read is reported as torn and the archive must not be used (the engine retries later).
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { create as tarCreate } from 'tar';
import { sameStat } from './hasher';
import type { LocalFile } from './planner';

export interface Snapshot {
  /** The archive's temp file (the caller removes it). */
  file: string;
  size: number;
  sha256: string;
  files: LocalFile[];
}

export type SnapshotResult = { kind: 'ok'; snapshot: Snapshot } | { kind: 'torn'; paths: string[] };

export interface SnapshotOptions {
  signal?: AbortSignal;
  /** Compressed bytes written so far, and the uncompressed size of the case (progress while building). */
  onProgress?: (bytesOut: number, totalIn: number) => void;
}

/** Builds <tmpDir>/<name> from the given files of root; the files must be settled (size+mtime known). */
export async function buildSnapshot(root: string, files: readonly LocalFile[], tmpFile: string, opts: SnapshotOptions = {}): Promise<SnapshotResult> {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const totalIn = sorted.reduce((n, f) => n + f.size, 0);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      opts.onProgress?.(size, totalIn);
      cb(null, chunk);
    },
  });
  const pack = tarCreate(
    {
      cwd: root,
      portable: true,
      noDirRecurse: true,
      follow: false,
      maxReadSize: 256 * 1024,
    },
    sorted.map((f) => f.path),
  );
  try {
    await pipeline(pack, createGzip({ level: 6 }), meter, createWriteStream(tmpFile, { mode: 0o600 }), { signal: opts.signal });
  } catch (e) {
    await rm(tmpFile, { force: true });
    const code = (e as { code?: string }).code;
    // A file that vanished or shrank under node-tar: report it as torn, retried after it settles.
    if (code === 'ENOENT' || /unexpected EOF|encountered unexpected/i.test(String((e as Error).message))) {
      const moved = await movedFiles(root, sorted);
      return { kind: 'torn', paths: moved.length > 0 ? moved : sorted.map((f) => f.path) };
    }
    throw e;
  }
  const moved = await movedFiles(root, sorted);
  if (moved.length > 0) {
    await rm(tmpFile, { force: true });
    return { kind: 'torn', paths: moved };
  }
  return { kind: 'ok', snapshot: { file: tmpFile, size, sha256: hash.digest('hex'), files: sorted } };
}

async function movedFiles(root: string, files: readonly LocalFile[]): Promise<string[]> {
  const moved: string[] = [];
  const CHUNK = 256;
  for (let i = 0; i < files.length; i += CHUNK) {
    await Promise.all(files.slice(i, i + CHUNK).map(async (f) => {
      try {
        const st = await lstat(join(root, f.path));
        if (!st.isFile() || !sameStat(st, f)) moved.push(f.path);
      } catch {
        moved.push(f.path);
      }
    }));
  }
  return moved;
}

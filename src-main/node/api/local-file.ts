// Opening a file of the case to read it once, safely: no symlink followed (O_NOFOLLOW; on Windows,
// where there is none, an lstat first), never blocking on a FIFO swapped in (O_NONBLOCK), and checked
// on the open descriptor (fstat): a regular file, with the size and mtime it was hashed with. The
// bytes are then read from that descriptor, so a rename or a symlink put at the path meanwhile
// changes nothing about what is read.
import { closeSync, constants as fsc, fstatSync, lstatSync, openSync, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';

const FLAGS = fsc.O_RDONLY | (fsc.O_NOFOLLOW ?? 0) | (fsc.O_NONBLOCK ?? 0);

export interface Expected {
  size: number;
  mtimeMs: number;
}

export type LocalFileChange = 'not-a-file' | 'moved' | 'changed-while-read';

/** The file is not (any more) the regular file, size and mtime it was planned with: try again later. */
export class LocalFileChanged extends Error {
  constructor(readonly path: string, readonly change: LocalFileChange) {
    super(change === 'not-a-file' ? `${path} is not a regular file (a link, a folder or a special file)` : change === 'moved' ? `${path} changed since it was checked` : `${path} changed while it was read`);
    this.name = 'LocalFileChanged';
  }
}

export function isLocalFileChanged(e: unknown): e is LocalFileChanged {
  return e instanceof LocalFileChanged;
}

/** What a failed write on this machine means, in words, from its errno code (null: no known cause). */
export function localCause(code: string | undefined): { kind: 'disk-full' | 'permission' | 'read-only'; words: string } | null {
  if (code === 'ENOSPC' || code === 'EDQUOT') return { kind: 'disk-full', words: 'the disk is full (no space left on the device): free some space' };
  if (code === 'EACCES' || code === 'EPERM') return { kind: 'permission', words: 'permission denied: check that the folder is writable by you' };
  if (code === 'EROFS') return { kind: 'read-only', words: 'the file system is read-only' };
  return null;
}

/** Writing a file on this machine failed (disk full, permission, read-only): not the network's fault. */
export class LocalWriteFailed extends Error {
  readonly code: string | undefined;
  constructor(readonly path: string, cause: unknown) {
    const code = (cause as { code?: string } | null)?.code;
    const known = localCause(code);
    super(`${path} cannot be written: ${known ? known.words : cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'LocalWriteFailed';
    this.code = code;
  }
}

/** Runs a local file operation; its failure becomes LocalWriteFailed. */
export async function writing<T>(path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw e instanceof LocalWriteFailed ? e : new LocalWriteFailed(path, e);
  }
}

function check(path: string, st: Stats, expect?: Expected): void {
  if (!st.isFile()) throw new LocalFileChanged(path, 'not-a-file');
  if (expect && (st.size !== expect.size || st.mtimeMs !== expect.mtimeMs)) throw new LocalFileChanged(path, 'moved');
}

function isLinkError(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === 'ELOOP' || code === 'EMLINK'; // O_NOFOLLOW on a symlink (EMLINK on some BSDs)
}

export interface OpenedFile {
  path: string;
  fh: FileHandle;
  stat: Stats;
}

/** Opens `path` for reading as described above. Throws LocalFileChanged, or the file system's error. */
export async function openRegularFile(path: string, expect?: Expected): Promise<OpenedFile> {
  if (fsc.O_NOFOLLOW === undefined && (await lstat(path)).isSymbolicLink()) throw new LocalFileChanged(path, 'not-a-file');
  let fh: FileHandle;
  try {
    fh = await open(path, FLAGS);
  } catch (e) {
    if (isLinkError(e)) throw new LocalFileChanged(path, 'not-a-file');
    throw e;
  }
  try {
    const stat = await fh.stat();
    check(path, stat, expect);
    return { path, fh, stat };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** After reading: the open file still has the size and mtime it had when opened. */
export async function checkUnchanged(path: string, o: OpenedFile): Promise<void> {
  const now = await o.fh.stat();
  if (now.size !== o.stat.size || now.mtimeMs !== o.stat.mtimeMs) throw new LocalFileChanged(path, 'changed-while-read');
}

/** openRegularFile, synchronously (small reads on the event loop's thread); returns the descriptor. */
export function openRegularFileSync(path: string, expect?: Expected): { fd: number; stat: Stats } {
  if (fsc.O_NOFOLLOW === undefined && lstatSync(path).isSymbolicLink()) throw new LocalFileChanged(path, 'not-a-file');
  let fd: number;
  try {
    fd = openSync(path, FLAGS);
  } catch (e) {
    if (isLinkError(e)) throw new LocalFileChanged(path, 'not-a-file');
    throw e;
  }
  try {
    const stat = fstatSync(fd);
    check(path, stat, expect);
    return { fd, stat };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

// Putting one complete cloud file (already written to a temp file, fsynced, hashed) at its place in
// the case folder without ever losing or silently overwriting a local file:
// - nothing there → the cloud file takes the place (no-clobber link, so a file created meanwhile wins);
// - same content there → nothing to do;
// - the cloud version did not change since our last pull (only the local one did) → keep local;
// - the local file is exactly what we pulled last time (user did not touch it) → cloud update replaces it;
// - anything else (a local input that differs, a pulled file the user edited, a folder or a link in
//   the way) → conflict: local stays, the cloud file goes beside it as `name.cloudhpc-YYYYMMDD-HHMMSS.ext`.
import { createHash } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { copyFile, link, lstat, open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { checkPortableName, type RootedFolder } from '../../rooted-path';
import { sha256File } from '../hasher';
import { conflictName, isConflictCopyOf } from './conflict-name';
import { pullText } from './messages';
import type { RecordStore } from './records';
import { PlaceRefused, type ConflictCode, type PullConflict } from './result';

export type PlaceKind = 'written' | 'updated' | 'unchanged' | 'kept-local' | 'conflict';

export interface PlaceOutcome {
  kind: PlaceKind;
  rel: string;
  /** For 'conflict': the conflict (also recorded as a row in the index batch). */
  conflict?: PullConflict;
}

export interface PlaceInput {
  /** The case folder. */
  root: RootedFolder;
  rel: string;
  /** Complete, fsynced temp file on the same filesystem (normally inside the project's app area). */
  tempPath: string;
  sha256: string;
  size: number;
  /** Hash of what we pulled for this path last time (null when unknown). */
  lastPulled: string | null;
  /** A batch of pending index writes (records and conflict rows), committed by the caller in one transaction. */
  index: RecordStore;
  /** Time stamped into a conflict copy's name. */
  now: Date;
  /** This content also exists as a single file at this path in the storage folder. */
  inStorageAsFile: boolean;
  platform?: NodeJS.Platform;
  signal?: AbortSignal;
  /** Folders already checked by parentForWrite during this extraction. */
  verifiedDirs?: Set<string>;
}

/** Moves src to dest unless dest exists (EEXIST). Falls back to copy+fsync+rename across filesystems. */
async function moveNoClobber(src: string, dest: string): Promise<void> {
  try {
    await link(src, dest);
    await unlink(src).catch(() => undefined);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw e;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
  }
  // Hard links unavailable (FAT, some network shares, another filesystem): copy beside the target
  // (exclusive), fsync, then check again and rename.
  const side = await copyBesideSynced(src, dest);
  try {
    await lstat(dest);
    await unlink(side);
    const err: NodeJS.ErrnoException = new Error(`EEXIST: ${dest}`);
    err.code = 'EEXIST';
    throw err;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await rename(side, dest);
  await unlink(src).catch(() => undefined);
}

/**
 * Copies src to a hidden temp file beside dest (exclusive create) and fsyncs it: the fallback when a
 * rename or hard link cannot cross filesystems. Returns the temp path; the caller renames it into place.
 */
async function copyBesideSynced(src: string, dest: string): Promise<string> {
  const side = path.join(path.dirname(dest), `.${path.basename(dest)}.cloudhpc-part-${process.pid}-${Date.now()}`);
  await copyFile(src, side, fsc.COPYFILE_EXCL);
  const fh = await open(side, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  return side;
}

/** Replaces dest atomically with src (same filesystem expected; copy fallback otherwise). */
async function moveReplace(src: string, dest: string): Promise<void> {
  try {
    await rename(src, dest);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    const side = await copyBesideSynced(src, dest);
    await rename(side, dest);
    await unlink(src).catch(() => undefined);
  }
}

/** The local file's hash, trusting the index when size and mtime match what it recorded. */
async function localHash(abs: string, rel: string, index: RecordStore, signal?: AbortSignal): Promise<string> {
  const st = await lstat(abs);
  const rec = index.get(rel);
  if (rec && rec.sha256 && rec.size === st.size && rec.mtimeMs === st.mtimeMs) return rec.sha256;
  return sha256File(abs, signal);
}

function recordPulled(input: PlaceInput, rel: string, st: { size: number; mtimeMs: number }): void {
  input.index.patch(rel, {
    size: st.size,
    mtimeMs: st.mtimeMs,
    sha256: input.sha256,
    origin: 'pulled',
    storageSha256: input.inStorageAsFile ? input.sha256 : (input.index.get(rel)?.storageSha256 ?? null),
  });
}

/** The conflict id: stable for one cloud copy, however often a pull sees it. */
export function conflictId(copy: string): string {
  return createHash('sha256').update(copy).digest('hex').slice(0, 16);
}

export async function placeFile(input: PlaceInput): Promise<PlaceOutcome> {
  const { root, rel, tempPath, index } = input;
  const platform = input.platform ?? process.platform;
  const abs = root.join(rel);
  await root.parentForWrite(rel, input.verifiedDirs);

  let existing;
  try {
    existing = await lstat(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }

  if (!existing) {
    try {
      await moveNoClobber(tempPath, abs);
      const st = await lstat(abs);
      recordPulled(input, rel, st);
      return { kind: 'written', rel };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A local file appeared meanwhile: handle it as an existing file.
      existing = await lstat(abs);
    }
  }

  if (existing.isFile()) {
    const local = await localHash(abs, rel, index, input.signal);
    if (local === input.sha256) {
      await unlink(tempPath).catch(() => undefined);
      const rec = index.get(rel);
      // Same content: make the index say so; keep 'pushed'/'local' origin when the user had it already.
      if (!rec || rec.sha256 !== local || rec.size !== existing.size || rec.mtimeMs !== existing.mtimeMs) {
        index.patch(rel, {
          size: existing.size,
          mtimeMs: existing.mtimeMs,
          sha256: local,
          origin: rec?.origin ?? 'pulled',
          ...(input.inStorageAsFile ? { storageSha256: local } : {}),
        });
      }
      return { kind: 'unchanged', rel };
    }
    if (input.lastPulled !== null && input.lastPulled === input.sha256) {
      // Changed locally since the last pull, unchanged in the cloud: the local file wins.
      await unlink(tempPath).catch(() => undefined);
      return { kind: 'kept-local', rel };
    }
    const rec = index.get(rel);
    const untouchedPull = (input.lastPulled !== null && input.lastPulled === local) || (rec?.origin === 'pulled' && rec.sha256 === local);
    if (untouchedPull) {
      await moveReplace(tempPath, abs);
      const st = await lstat(abs);
      recordPulled(input, rel, st);
      return { kind: 'updated', rel };
    }
  }

  const code: ConflictCode = existing.isFile()
    ? index.get(rel)?.origin === 'pulled' ? 'changed-both' : 'local-differs'
    : existing.isDirectory() ? 'folder-in-the-way' : 'link-in-the-way';
  const conflict = (copy: string): PlaceOutcome => {
    const c: PullConflict = { id: conflictId(copy), path: rel, copy, code, reason: pullText.conflict(code), at: input.now.getTime() };
    index.addConflict(c);
    return { kind: 'conflict', rel, conflict: c };
  };
  // The same cloud version kept beside it already (an earlier pull, maybe one cut short): nothing new.
  const existingCopy = await findSameCopy(abs, rel, input.size, input.sha256, input.signal);
  if (existingCopy) {
    await unlink(tempPath).catch(() => undefined);
    return conflict(existingCopy);
  }
  for (let attempt = 1; attempt < 100; attempt++) {
    const copy = conflictName(rel, input.now, attempt);
    const check = checkPortableName(copy, { platform });
    if (!check.ok) throw new PlaceRefused(rel, 'no-room-for-copy', pullText.noRoomForCopy(check.reason));
    const copyAbs = root.join(copy);
    try {
      await moveNoClobber(tempPath, copyAbs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        // Same cloud version already written beside under this name: nothing new to keep.
        if ((await sha256File(copyAbs, input.signal).catch(() => null)) === input.sha256) {
          await unlink(tempPath).catch(() => undefined);
          return conflict(copy);
        }
        continue;
      }
      throw e;
    }
    const st = await lstat(copyAbs);
    // The copy came from the cloud: record it as pulled so it is not pushed back unchanged.
    index.patch(copy, { size: st.size, mtimeMs: st.mtimeMs, sha256: input.sha256, origin: 'pulled' });
    return conflict(copy);
  }
  throw new PlaceRefused(rel, 'no-room-for-copy', pullText.tooManyCopies());
}

/** A conflict copy of rel beside it with exactly this content, if there is one (relative path). */
async function findSameCopy(abs: string, rel: string, size: number, sha256: string, signal?: AbortSignal): Promise<string | undefined> {
  const dir = path.dirname(abs);
  const relDir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/') + 1) : '';
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  for (const name of names.filter((n) => isConflictCopyOf(rel, n)).sort()) {
    const p = path.join(dir, name);
    try {
      const st = await lstat(p);
      if (st.isFile() && st.size === size && (await sha256File(p, signal)) === sha256) return relDir + name;
    } catch {
      /* vanished meanwhile */
    }
  }
  return undefined;
}

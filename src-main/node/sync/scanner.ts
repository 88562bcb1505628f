// Full scan of a case folder: every regular file (not ignored) with its size and mtime. No hashing
// here: the engine hashes only files whose size or mtime differ from the index.
//
// Speed: synchronous readdir/lstat are several times faster than their promise forms (no thread-pool
// round trip and no promise per file), so the walk is synchronous but time-sliced: after at most
// SLICE_MS of work it yields to the event loop (setImmediate), which stays free for the window, the
// tray and transfers. Symlinks are never followed (a link to outside the project would push foreign
// files); they, special files and names that are not valid UTF-8 (read as bytes: no string names
// them) are listed in `leftOut` with the reason, unless ignored.
import { type Dirent, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readDirNamesSync } from '../rooted-path';
import type { FileStat } from './hasher';
import type { IgnoreRules } from './ignore-rules';
import { leftOut, type LeftOut } from './left-out';

export interface ScanResult {
  files: Map<string, FileStat>;
  /** Folders that exist (relative, '' excluded). */
  dirs: Set<string>;
  /** Paths we could not read, with the reason (retried at the next scan). */
  unreadable: Map<string, string>;
  /** Symlinks, special files and names that are not valid UTF-8: left out, with the reason. */
  leftOut: LeftOut[];
}

/** Longest stretch of synchronous work before yielding to the event loop. */
const SLICE_MS = 8;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function scanTree(root: string, rules: IgnoreRules, signal?: AbortSignal): Promise<ScanResult> {
  const out: ScanResult = { files: new Map(), dirs: new Set(), unreadable: new Map(), leftOut: [] };
  const queue: string[] = [''];
  let sliceStart = performance.now();
  const maybeYield = async (): Promise<void> => {
    if (performance.now() - sliceStart < SLICE_MS) return;
    await yieldToLoop();
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('scan cancelled');
    sliceStart = performance.now();
  };
  while (queue.length > 0) {
    const rel = queue.pop() as string;
    const abs = rel === '' ? root : join(root, rel);
    let entries: Dirent[];
    try {
      const listed = readDirNamesSync(abs);
      entries = listed.entries;
      for (const u of listed.undecodable) out.leftOut.push(leftOut(rel === '' ? u.shown : `${rel}/${u.shown}`, 'name-not-utf8'));
    } catch (e) {
      if (rel === '') throw e;
      out.unreadable.set(rel, (e as Error).message);
      continue;
    }
    for (const d of entries) {
      const childRel = rel === '' ? d.name : `${rel}/${d.name}`;
      if (d.isDirectory()) {
        if (!rules.ignoresEntry(childRel, d.name, true)) {
          out.dirs.add(childRel);
          queue.push(childRel);
        }
      } else if (d.isFile()) {
        if (!rules.ignoresEntry(childRel, d.name, false)) {
          try {
            const st = lstatSync(join(abs, d.name));
            if (st.isFile()) out.files.set(childRel, { size: st.size, mtimeMs: st.mtimeMs });
          } catch (e) {
            if ((e as { code?: string }).code !== 'ENOENT') out.unreadable.set(childRel, (e as Error).message);
          }
        }
      } else if (!rules.ignoresEntry(childRel, d.name, false)) {
        out.leftOut.push(leftOut(childRel, d.isSymbolicLink() ? 'symlink' : 'special-file'));
      }
      if (performance.now() - sliceStart >= SLICE_MS) await maybeYield();
    }
  }
  return out;
}

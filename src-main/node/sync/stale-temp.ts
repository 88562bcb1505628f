// Temp files of a push or a pull that was killed mid-way (kill -9, power cut, crash): a snapshot
// archive as big as the case, or a pull's run folder of downloads. Their names carry the process id
// that made them (`snapshot-<pid>-…`, `run-<pid>-…`); at start, every one whose process is gone is
// removed. One whose process still runs (a CLI push beside the app) is kept, unless it is older than a
// day (the id was reused by another program); names without an id fall back to their age alone.
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

const DAY_MS = 24 * 3600_000;

/** The part of a temp name that says which process made it. */
export const ownerTag = (): string => String(process.pid);

/** Whether a process with that id runs (EPERM: it does, as another user). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the entries of `dir` named `<prefix>-<pid>-…` whose process is gone, and those (with or
 * without an id) older than `maxAgeMs`. Returns the names removed; a missing folder is nothing to do.
 */
export async function removeStaleTemps(dir: string, prefix: string, maxAgeMs = DAY_MS): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const owned = new RegExp(`^${prefix}-(\\d+)-`);
  const cutoff = Date.now() - maxAgeMs;
  const removed: string[] = [];
  for (const name of entries) {
    if (!name.startsWith(`${prefix}-`)) continue;
    const m = owned.exec(name);
    const p = path.join(dir, name);
    try {
      const gone = m !== null && !processAlive(Number(m[1]));
      if (gone || (await lstat(p)).mtimeMs < cutoff) {
        await rm(p, { recursive: true, force: true });
        removed.push(name);
      }
    } catch {
      /* removed by someone else meanwhile */
    }
  }
  return removed;
}

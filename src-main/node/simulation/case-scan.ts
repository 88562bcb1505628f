// Builds a pre-flight CaseSnapshot from a local case folder: the paths a push would carry
// (the sync engine's ignore rules: its defaults plus .cloudhpcignore), plus a reader for small
// text inputs. Files the app pulled (unchanged since) are left out: they are never pushed.

import { closeSync, readFileSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openRegularFileSync } from '../api/local-file';
import { IgnoreRules } from '../sync/ignore-rules';
import type { CaseSnapshot } from './preflight';

/** Larger inputs are not parsed (an FDS or OpenFOAM dictionary is far smaller). */
const MAX_READ_BYTES = 16 * 1024 * 1024;

export interface ScanCaseOptions {
  /**
   * Files this app pulled and nobody changed since (the index's record: size and mtime). They are
   * never pushed, so the pre-flight leaves them out (listed in `pulled`), and a folder holding only
   * such files is left out too.
   */
  pulled?: ReadonlyMap<string, { size: number; mtimeMs: number }>;
}

export async function scanCase(root: string, o: ScanCaseOptions = {}): Promise<CaseSnapshot> {
  const rules = IgnoreRules.load(root);
  const files: string[] = [];
  const dirs: string[] = [];
  const pulled: string[] = [];
  /** Returns whether the folder holds anything a push would carry (or nothing at all). */
  const walk = async (rel: string): Promise<boolean> => {
    const entries = await readdir(join(root, rel), { withFileTypes: true });
    let kept = entries.length === 0;
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (rules.ignores(p, true)) continue;
        const at = dirs.length;
        dirs.push(p);
        if (await walk(p)) kept = true;
        else dirs.splice(at, 1); // only pulled files inside: not part of what is pushed
      } else if (e.isFile()) {
        if (rules.ignores(p)) continue;
        if (await isPulled(root, p, o.pulled)) {
          pulled.push(p);
          continue;
        }
        files.push(p);
        kept = true;
      }
    }
    return kept;
  };
  await walk('');
  files.sort();
  dirs.sort();
  pulled.sort();
  const known = new Set(files);
  return {
    files,
    dirs,
    pulled,
    read(path: string): string | null {
      if (!known.has(path)) return null;
      let fd: number | null = null;
      try {
        // no link followed, no FIFO waited on (a file swapped since the walk)
        const opened = openRegularFileSync(join(root, ...path.split('/')));
        fd = opened.fd;
        if (opened.stat.size > MAX_READ_BYTES) return null;
        return readFileSync(fd, 'utf8');
      } catch {
        return null;
      } finally {
        if (fd !== null) closeSync(fd);
      }
    },
  };
}

async function isPulled(root: string, rel: string, pulled: ScanCaseOptions['pulled']): Promise<boolean> {
  const rec = pulled?.get(rel);
  if (!rec) return false;
  try {
    const st = await lstat(join(root, ...rel.split('/')));
    return st.size === rec.size && st.mtimeMs === rec.mtimeMs;
  } catch {
    return false;
  }
}

// Builds a pre-flight CaseSnapshot from a local case folder: the paths a push would carry
// (the sync engine's ignore rules: its defaults plus .cloudhpcignore), plus a reader for small
// text inputs.

import { closeSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openRegularFileSync } from '../api/local-file';
import { IgnoreRules } from '../sync/ignore-rules';
import type { CaseSnapshot } from './preflight';

/** Larger inputs are not parsed (an FDS or OpenFOAM dictionary is far smaller). */
const MAX_READ_BYTES = 16 * 1024 * 1024;

export async function scanCase(root: string): Promise<CaseSnapshot> {
  const rules = IgnoreRules.load(root);
  const files: string[] = [];
  const dirs: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(root, rel), { withFileTypes: true });
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (rules.ignores(p, true)) continue;
        dirs.push(p);
        await walk(p);
      } else if (e.isFile()) {
        if (rules.ignores(p)) continue;
        files.push(p);
      }
    }
  };
  await walk('');
  files.sort();
  dirs.sort();
  const known = new Set(files);
  return {
    files,
    dirs,
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

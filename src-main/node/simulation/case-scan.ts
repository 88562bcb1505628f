// Builds a pre-flight CaseSnapshot from a local case folder: the paths a push would carry
// (hidden entries and .cloudhpcignore matches left out, like the sync engine and the provider's
// clients do), plus a reader for small text inputs.

import { readFileSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore from 'ignore';
import type { CaseSnapshot } from './preflight';

/** Larger inputs are not parsed (an FDS or OpenFOAM dictionary is far smaller). */
const MAX_READ_BYTES = 16 * 1024 * 1024;

export async function scanCase(root: string): Promise<CaseSnapshot> {
  const ig = ignore();
  try { ig.add(await readFile(join(root, '.cloudhpcignore'), 'utf8')); } catch { /* no ignore file */ }
  const files: string[] = [];
  const dirs: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(root, rel), { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (ig.ignores(`${p}/`)) continue;
        dirs.push(p);
        await walk(p);
      } else if (e.isFile()) {
        if (ig.ignores(p)) continue;
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
      try {
        const full = join(root, ...path.split('/'));
        if (statSync(full).size > MAX_READ_BYTES) return null;
        return readFileSync(full, 'utf8');
      } catch {
        return null;
      }
    },
  };
}

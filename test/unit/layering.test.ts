import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The lint rule keeps src-main logic free of electron; this test checks the same from the files
// themselves, so a disabled lint rule cannot hide a violation.
const root = join(import.meta.dirname, '..', '..');
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.(ts|svelte)$/.test(d.name))
    .map((d) => join(d.parentPath, d.name));
}

describe('layering', () => {
  it('only src-main/electron-main imports electron', () => {
    const offenders = tsFiles(join(root, 'src-main'))
      .filter((f) => !relative(root, f).startsWith(join('src-main', 'electron-main')))
      .filter((f) => /from\s+['"]electron(\/[^'"]*)?['"]|require\(\s*['"]electron['"]\s*\)|import\(\s*['"]electron['"]\s*\)/.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });
});

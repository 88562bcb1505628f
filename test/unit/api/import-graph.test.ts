// The API client and the emulator have no import circles (a module never reaches itself through
// its imports, types included), and the emulator stays independent of the app (no import from
// src-main): it is started by tests, benchmarks and the demo alike.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');

/** Relative imports of each .ts file of `folder` (recursively), as absolute file paths. */
function graph(folder: string): Map<string, string[]> {
  const g = new Map<string, string[]>();
  const files = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && d.name.endsWith('.ts') && !d.name.endsWith('.test.ts'));
  for (const d of files) {
    const file = join(d.parentPath, d.name);
    const src = readFileSync(file, 'utf8');
    const deps = [...src.matchAll(/(?:from\s+|import\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => resolve(dirname(file), `${m[1]}.ts`));
    g.set(file, deps);
  }
  return g;
}

function circles(g: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const visit = (n: string, stack: string[]): void => {
    if (stack.includes(n)) {
      found.push([...stack.slice(stack.indexOf(n)), n].map((f) => relative(root, f)));
      return;
    }
    if (done.has(n) || !g.has(n)) return;
    for (const d of g.get(n)!) visit(d, [...stack, n]);
    done.add(n);
  };
  for (const n of g.keys()) visit(n, []);
  return found;
}

describe('import graph', () => {
  it.each([['emulator'], ['src-main/node/api']])('%s has no import circle', (folder) => {
    expect(circles(graph(join(root, folder)))).toEqual([]);
  });

  it('the emulator imports nothing from the app', () => {
    const offenders = [...graph(join(root, 'emulator')).entries()].filter(([, deps]) => deps.some((d) => relative(root, d).startsWith('src-main'))).map(([f]) => relative(root, f));
    expect(offenders).toEqual([]);
  });
});

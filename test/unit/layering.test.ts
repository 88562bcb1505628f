// The layering (layering.config.mjs) checked from the files themselves, .ts and .svelte alike, so a
// disabled lint rule cannot hide a violation: every relative import of every file must land in a
// folder its own folder may import, no file outside the Electron shell imports electron, and no
// files import each other in a circle (except the ones listed, each with its TODO).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without types (also read by eslint.config.mjs)
import { CYCLE_EXCEPTIONS, LAYERS, layerOf } from '../../layering.config.mjs';

const root = join(import.meta.dirname, '..', '..');
const layers = LAYERS as Record<string, string[]>;
const exceptions = CYCLE_EXCEPTIONS as string[][];
const of = layerOf as (rel: string) => string | null;

function sourceFiles(): string[] {
  return ['src-main', 'src-renderer/src', 'src-preload', 'emulator', 'bench', 'scripts'].flatMap((d) => readdirSync(join(root, d), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mts|svelte)$/.test(e.name) && !e.parentPath.includes('node_modules'))
    .map((e) => join(e.parentPath, e.name)));
}

const files = sourceFiles();
const known = new Set(files);
const rel = (f: string): string => relative(root, f).split('\\').join('/');

/** Relative imports (static, dynamic, type-only, re-exports) of a file, resolved to files. */
function importsOf(file: string): { spec: string; target: string | null }[] {
  const text = readFileSync(file, 'utf8');
  const out: { spec: string; target: string | null }[] = [];
  for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const base = resolve(dirname(file), m[1]!);
    const target = [base, `${base}.ts`, `${base}.svelte`, join(base, 'index.ts')].find((c) => known.has(c)) ?? (/\.(mjs|cjs|js|json|css)$/.test(base) ? base : null);
    out.push({ spec: m[1]!, target });
  }
  return out;
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));

describe('layering', () => {
  it('every file belongs to a layer of the matrix', () => {
    expect(files.filter((f) => of(rel(f)) === null).map(rel)).toEqual([]);
  });

  it('every relative import lands in a folder its folder may import', () => {
    const offenders: string[] = [];
    for (const [file, imports] of graph) {
      const from = of(rel(file))!;
      for (const { spec, target } of imports) {
        if (target === null) {
          offenders.push(`${rel(file)}: '${spec}' resolves to no file`);
          continue;
        }
        const to = of(rel(target));
        if (to !== null && to !== from && !layers[from]!.includes(to)) offenders.push(`${rel(file)} → ${rel(target)} (${from} may not import ${to})`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the matrix has no circle between folders', () => {
    const seen = new Set<string>();
    const path: string[] = [];
    const visit = (l: string): void => {
      if (path.includes(l)) throw new Error(`circle: ${[...path, l].join(' → ')}`);
      if (seen.has(l)) return;
      path.push(l);
      for (const d of layers[l] ?? []) visit(d);
      path.pop();
      seen.add(l);
    };
    for (const l of Object.keys(layers)) visit(l);
    expect(seen.size).toBe(Object.keys(layers).length);
  });

  it('only the Electron shell (src-main/electron-main, its preload) imports electron', () => {
    const offenders = files
      .filter((f) => !['src-main/electron-main', 'src-preload', 'scripts'].includes(of(rel(f))!))
      .filter((f) => /from\s+['"]electron(\/[^'"]*)?['"]|require\(\s*['"]electron['"]\s*\)|import\(\s*['"]electron['"]\s*\)/.test(readFileSync(f, 'utf8')));
    expect(offenders.map(rel)).toEqual([]);
  });

  it('no files import each other in a circle (but the listed exceptions)', () => {
    // Tarjan's strongly connected components over the file graph.
    let index = 0;
    const stack: string[] = [];
    const on = new Set<string>();
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const circles: string[][] = [];
    const strong = (v: string): void => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      on.add(v);
      for (const { target: w } of graph.get(v) ?? []) {
        if (!w || !graph.has(w)) continue;
        if (!idx.has(w)) {
          strong(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const c: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          c.push(rel(w));
        } while (w !== v);
        if (c.length > 1) circles.push(c.sort());
      }
    };
    for (const v of graph.keys()) if (!idx.has(v)) strong(v);
    const excused = (c: string[]): boolean => exceptions.some((ex) => c.every((f) => ex.some((e) => (e.endsWith('/') ? f.startsWith(e) : f === e))));
    expect(circles.filter((c) => !excused(c))).toEqual([]);
  });
});

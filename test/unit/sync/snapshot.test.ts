// The snapshot archive as the service's likely extractors read it (GNU tar, Python's tarfile in both
// file and stream mode, gzip, and our emulator's extraction), its member cache and its compression choice.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractArchiveSafely } from '../../../emulator/archive';
import { crc32Combine } from '../../../src-main/node/sync/gzip-join';
import type { LocalFile } from '../../../src-main/node/sync/planner';
import { buildSnapshot } from '../../../src-main/node/sync/snapshot';

let base: string;
let dir: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'snap-'));
  dir = join(base, 'case');
  mkdirSync(dir);
});
afterEach(() => { rmSync(base, { recursive: true, force: true }); });

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function write(rel: string, content: string | Buffer): void {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), content);
}

/** The settled LocalFile of rel, as the planner hands it to the builder. */
function local(rel: string): LocalFile {
  const st = statSync(join(dir, rel));
  return { path: rel, size: st.size, mtimeMs: st.mtimeMs, sha256: sha(readFileSync(join(dir, rel))) };
}

/** Every regular file under root with its sha256. */
function digests(root: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of readdirSync(rel ? join(root, rel) : root, { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) Object.assign(out, digests(root, r));
    else out[r] = sha(readFileSync(join(root, r)));
  }
  return out;
}

const LONG = `constant/${'deeply-nested-folder-name/'.repeat(5)}a-file-name-longer-than-one-hundred-characters.stl`;

function makeCase(): LocalFile[] {
  write('system/controlDict', 'application simpleFoam;\n'.repeat(50));
  write('0/U', `${'(1.0e-3 2.0e-3 0)\n'.repeat(5000)}`);
  write('empty.txt', '');
  write('constant/polyMesh/points.bin', randomBytes(5 * 1024 * 1024 + 123)); // several pieces, incompressible
  write(LONG, 'solid\nendsolid\n');
  write('données/résultat é.txt', 'accents\n');
  write('Allrun', '#!/bin/sh\necho run\n');
  chmodSync(join(dir, 'Allrun'), 0o755);
  return ['system/controlDict', '0/U', 'empty.txt', 'constant/polyMesh/points.bin', LONG, 'données/résultat é.txt', 'Allrun'].map(local);
}

describe('crc32Combine', () => {
  it('equals the CRC-32 of the concatenation', () => {
    for (const [a, b] of [[0, 0], [1, 0], [0, 7], [13, 1000], [70_000, 3], [5, 1 << 20]] as const) {
      const x = randomBytes(a);
      const y = randomBytes(b);
      expect(crc32Combine(crc32(x), crc32(y), y.length)).toBe(crc32(Buffer.concat([x, y])));
    }
  });
});

describe('buildSnapshot', () => {
  it('writes one gzip member that GNU tar, Python tarfile (file and stream mode) and the emulator all extract exactly', async () => {
    const files = makeCase();
    const r = await buildSnapshot(dir, files, join(base, 'up.tar.gz'));
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    const file = r.snapshot.file;
    expect(r.snapshot.sha256).toBe(sha(readFileSync(file)));
    expect(r.snapshot.size).toBe(statSync(file).size);
    const want = digests(dir);
    expect(Object.keys(want)).toHaveLength(7);

    execFileSync('gzip', ['-t', file]);

    const gnu = join(base, 'gnu');
    mkdirSync(gnu);
    execFileSync('tar', ['-xzf', file, '-C', gnu]);
    expect(digests(gnu)).toEqual(want);
    expect(statSync(join(gnu, 'Allrun')).mode & 0o111).not.toBe(0);

    for (const mode of ['r:gz', 'r|gz']) {
      const out = join(base, mode === 'r:gz' ? 'py-file' : 'py-stream');
      mkdirSync(out);
      const script = 'import sys, tarfile\nwith tarfile.open(sys.argv[1], sys.argv[2]) as t:\n    t.extractall(sys.argv[3])\n';
      execFileSync('python3', ['-c', script, file, mode, out]);
      expect([mode, digests(out)]).toEqual([mode, want]);
    }

    const emu = join(base, 'emu');
    mkdirSync(emu);
    const outcome = await extractArchiveSafely(file, emu);
    expect(outcome.refused).toEqual([]);
    expect(digests(emu)).toEqual(want);
  });

  it('stores incompressible members and deflates compressible ones', async () => {
    write('random.bin', randomBytes(6 * 1024 * 1024));
    const r1 = await buildSnapshot(dir, [local('random.bin')], join(base, 'a.tar.gz'));
    write('text.txt', '(0.125 0.25 0.5)\n'.repeat(200_000));
    const r2 = await buildSnapshot(dir, [local('text.txt')], join(base, 'b.tar.gz'));
    if (r1.kind !== 'ok' || r2.kind !== 'ok') throw new Error('build failed');
    expect(r1.snapshot.size / (6 * 1024 * 1024)).toBeGreaterThan(1);
    expect(r1.snapshot.size / (6 * 1024 * 1024)).toBeLessThan(1.001);
    expect(r2.snapshot.size).toBeLessThan(statSync(join(dir, 'text.txt')).size / 10);
  });

  it('rebuilds from the member cache: only changed members are read and compressed', async () => {
    const files = makeCase();
    const cacheDir = join(base, 'cache');
    const first = await buildSnapshot(dir, files, join(base, 't1'), { cacheDir });
    if (first.kind !== 'ok') throw new Error('first build failed');
    expect(first.snapshot).toMatchObject({ reused: 0, cached: true });

    write('0/U', 'edited\n');
    const next = files.map((f) => (f.path === '0/U' ? local('0/U') : f));
    const second = await buildSnapshot(dir, next, join(base, 't2'), { cacheDir });
    if (second.kind !== 'ok') throw new Error('second build failed');
    expect(second.snapshot.reused).toBe(files.length - 1);
    const out = join(base, 'x2');
    mkdirSync(out);
    execFileSync('python3', ['-c', 'import sys, tarfile\ntarfile.open(sys.argv[1], "r|gz").extractall(sys.argv[2])', second.snapshot.file, out]);
    expect(digests(out)).toEqual(digests(dir));

    // A damaged cache is never copied: the member is compressed again and the archive stays right.
    const cached = readFileSync(second.snapshot.file);
    cached[12] = (cached[12] as number) ^ 0xff; // inside the first member's compressed bytes
    writeFileSync(second.snapshot.file, cached);
    const third = await buildSnapshot(dir, next, join(base, 't3'), { cacheDir });
    if (third.kind !== 'ok') throw new Error('third build failed');
    expect(third.snapshot.reused).toBe(files.length - 1);
    const out3 = join(base, 'x3');
    mkdirSync(out3);
    execFileSync('tar', ['-xzf', third.snapshot.file, '-C', out3]);
    expect(digests(out3)).toEqual(digests(dir));
  });

  it('reports a file whose bytes are not the planned version as torn', async () => {
    write('a.txt', 'first');
    const planned = local('a.txt');
    // Same size, other bytes, mtime put back: only the sha256 check can tell.
    const st = statSync(join(dir, 'a.txt'));
    write('a.txt', 'FIRST');
    const { utimesSync } = await import('node:fs');
    utimesSync(join(dir, 'a.txt'), st.atime, st.mtime);
    const r = await buildSnapshot(dir, [planned], join(base, 'torn.tar.gz'));
    expect(r).toEqual({ kind: 'torn', paths: ['a.txt'] });
    write('b.txt', 'grown');
    const b = local('b.txt');
    write('b.txt', 'grown more');
    expect(await buildSnapshot(dir, [b], join(base, 'torn2.tar.gz'))).toEqual({ kind: 'torn', paths: ['b.txt'] });
  });
});

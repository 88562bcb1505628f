// How bin/cloudhpc-sync.js picks what to run (bin/launch.js): the bundle when it is at least as new as
// the sources, the sources through tsx when a developer changed them since (so `npx vitest` without a
// build tests today's code), the last bundle with a warning when tsx is absent. And `npm run dist`
// keeping npm's Node build of better-sqlite3 that electron-builder's in-place rebuild replaces.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseLaunch, newestSourceMtime } from '../../bin/launch.js';
import { keepingFile } from '../../scripts/dist.mjs';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'launch-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describe('chooseLaunch', () => {
  it('a bundle at least as new as the sources runs with plain node', () => {
    expect(chooseLaunch({ bundleMtimeMs: 2000, newestSourceMtimeMs: 1000, tsxAvailable: true })).toEqual({ kind: 'bundle', warning: null });
    expect(chooseLaunch({ bundleMtimeMs: 2000, newestSourceMtimeMs: 2000, tsxAvailable: false })).toEqual({ kind: 'bundle', warning: null });
  });

  it('an installed package (no sources) always runs its bundle', () => {
    expect(chooseLaunch({ bundleMtimeMs: 5, newestSourceMtimeMs: null, tsxAvailable: false })).toEqual({ kind: 'bundle', warning: null });
    expect(chooseLaunch({ bundleMtimeMs: null, newestSourceMtimeMs: null, tsxAvailable: true })).toMatchObject({ kind: 'none', message: expect.stringMatching(/reinstall/) });
  });

  it('sources changed since the build, or no build: the sources through tsx', () => {
    expect(chooseLaunch({ bundleMtimeMs: 1000, newestSourceMtimeMs: 2000, tsxAvailable: true })).toEqual({ kind: 'tsx' });
    expect(chooseLaunch({ bundleMtimeMs: null, newestSourceMtimeMs: 2000, tsxAvailable: true })).toEqual({ kind: 'tsx' });
  });

  it('without tsx: the last build with a warning, or a message that says what to run', () => {
    expect(chooseLaunch({ bundleMtimeMs: 1000, newestSourceMtimeMs: 2000, tsxAvailable: false })).toMatchObject({ kind: 'bundle', warning: expect.stringMatching(/npm run build/) });
    expect(chooseLaunch({ bundleMtimeMs: null, newestSourceMtimeMs: 2000, tsxAvailable: false })).toMatchObject({ kind: 'none', message: expect.stringMatching(/npm run build/) });
  });
});

describe('newestSourceMtime', () => {
  it('takes the newest .ts file under the given folders, and the lock file with them', () => {
    mkdirSync(join(dir, 'src-main', 'cli'), { recursive: true });
    writeFileSync(join(dir, 'src-main', 'a.ts'), '');
    writeFileSync(join(dir, 'src-main', 'cli', 'b.ts'), '');
    writeFileSync(join(dir, 'src-main', 'notes.md'), '');
    writeFileSync(join(dir, 'package-lock.json'), '{}');
    utimesSync(join(dir, 'src-main', 'a.ts'), 1000, 1000);
    utimesSync(join(dir, 'src-main', 'cli', 'b.ts'), 3000, 3000);
    utimesSync(join(dir, 'src-main', 'notes.md'), 9000, 9000);
    utimesSync(join(dir, 'package-lock.json'), 2000, 2000);
    expect(newestSourceMtime(dir, ['src-main'])).toBe(3_000_000);
    utimesSync(join(dir, 'package-lock.json'), 4000, 4000);
    expect(newestSourceMtime(dir, ['src-main'])).toBe(4_000_000);
    expect(newestSourceMtime(dir, ['emulator'])).toBeNull();
  });
});

describe('npm run dist keeps the Node build of better-sqlite3', () => {
  it('puts the file back when packaging replaced it, also when packaging failed', async () => {
    const file = join(dir, 'better_sqlite3.node');
    writeFileSync(file, 'built for Node, ABI 115');
    expect(await keepingFile(file, () => { writeFileSync(file, 'rebuilt for Electron, ABI 145'); return 0; })).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('built for Node, ABI 115');
    await expect(keepingFile(file, () => { rmSync(file); throw new Error('packaging failed'); })).rejects.toThrow('packaging failed');
    expect(readFileSync(file, 'utf8')).toBe('built for Node, ABI 115');
  });

  it('leaves an untouched file alone', async () => {
    const file = join(dir, 'better_sqlite3.node');
    writeFileSync(file, 'built for Node');
    utimesSync(file, 1000, 1000);
    await keepingFile(file, () => 0);
    expect(statSync(file).mtimeMs).toBe(1_000_000);
  });
});

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSettled, sha256File, trustedMtime } from '../../../src-main/node/sync/hasher';
import { IgnoreRules, referenceDefaultIgnores } from '../../../src-main/node/sync/ignore-rules';
import { scanTree } from '../../../src-main/node/sync/scanner';
import { ProgressMeter } from '../../../src-main/node/sync/progress';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'local-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

function write(rel: string, content: string | Buffer): void {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), content);
}

describe('ignore rules', () => {
  it('applies the defaults and .cloudhpcignore (gitignore syntax, negation)', () => {
    write('.cloudhpcignore', 'processor*/\n*.bak\n!keep.bak\n');
    const r = IgnoreRules.load(dir);
    const cases: Array<[string, boolean, boolean]> = [
      ['a.txt~', false, true], ['.x.swp', false, true], ['.#lock', false, true], ['#auto#', false, true],
      ['.git', true, true], ['sub/.DS_Store', false, true], ['Thumbs.db', false, true], ['desktop.ini', false, true],
      ['.cloudhpc-sync', true, true], ['upload.tar.gz', false, true], ['sub/upload.tar.gz', false, false],
      ['processor0', true, true], ['processor0', false, false], ['x.bak', false, true], ['keep.bak', false, false],
      ['system/controlDict', false, false], ['case (cloudHPC 2026-01-01 000000).txt', false, false],
    ];
    for (const [p, isDir, ignored] of cases) expect([p, r.ignores(p, isDir)]).toEqual([p, ignored]);
  });

  it('the compiled defaults agree with the gitignore reference', () => {
    const r = new IgnoreRules();
    const names = ['a.txt~', '.x.swp', '.x.swo', '.#lock', '#auto#', '.git', '.svn', '.hg', '.DS_Store', '._res', 'Thumbs.db', 'ehthumbs.db',
      'desktop.ini', '$RECYCLE.BIN', '.cloudhpc-sync', 'x.cloudhpc-tmp', '.cloudhpcignore', 'upload.tar.gz', 'controlDict', '0', 'U', '.hidden', 'a#b', 'swp', 'git'];
    for (const n of names) {
      for (const rel of [n, `sub/${n}`, `sub/${n}/inner.txt`]) {
        for (const isDir of [false, true]) {
          expect([rel, isDir, r.ignores(rel, isDir)]).toEqual([rel, isDir, referenceDefaultIgnores(rel, isDir)]);
        }
      }
    }
  });
});

describe('scanner', () => {
  it('lists regular files with size and mtime, skips ignored trees and symlinks', async () => {
    write('a.txt', 'aa');
    write('d/e/f.txt', 'fff');
    write('.git/HEAD', 'x');
    write('d/swap.txt~', 'x');
    symlinkSync('/etc/passwd', join(dir, 'link'));
    symlinkSync(join(dir, 'd'), join(dir, 'dirlink'));
    const s = await scanTree(dir, IgnoreRules.load(dir));
    expect([...s.files.keys()].sort()).toEqual(['a.txt', 'd/e/f.txt']);
    expect(s.files.get('d/e/f.txt')?.size).toBe(3);
    expect(s.leftOut.map((x) => `${x.code}:${x.path}`).sort()).toEqual(['symlink:dirlink', 'symlink:link']);
    expect(s.dirs.has('d/e')).toBe(true);
  });
});

describe('hasher', () => {
  it('streams a sha256 and refuses a read that overlapped a change', async () => {
    write('f.bin', Buffer.alloc(3 * 1024 * 1024, 7));
    const h = await hashSettled(join(dir, 'f.bin'));
    expect(h.kind).toBe('ok');
    if (h.kind === 'ok') expect(h.sha256).toBe(await sha256File(join(dir, 'f.bin')));
    // The expected stat no longer matches: 'moved', never a hash of other bytes.
    await appendFile(join(dir, 'f.bin'), 'more');
    if (h.kind === 'ok') expect((await hashSettled(join(dir, 'f.bin'), { size: h.size, mtimeMs: h.mtimeMs })).kind).toBe('moved');
    expect((await hashSettled(join(dir, 'missing'))).kind).toBe('gone');
  });

  it('does not trust an mtime within the racy window', () => {
    expect(trustedMtime(1000, 1500)).toBeNull();
    expect(trustedMtime(1000, 5000)).toBe(1000);
  });
});

// The snapshot builder has its own suite: snapshot.test.ts.

describe('progress meter', () => {
  it('counts files and bytes, a rate and an ETA', () => {
    let t = 0;
    const m = new ProgressMeter(2, 1000, () => t);
    m.partial('a', 0);
    t = 1000;
    m.partial('a', 250);
    let s = m.snapshot();
    expect(s).toMatchObject({ filesDone: 0, filesTotal: 2, bytesDone: 250, bytesTotal: 1000, rate: 250, etaSeconds: 3 });
    t = 2000;
    m.fileDone('a', 500);
    s = m.snapshot();
    expect(s).toMatchObject({ filesDone: 1, bytesDone: 500, etaSeconds: 2 });
    m.fileFailed('b');
    expect(m.snapshot().filesDone).toBe(1);
  });
});

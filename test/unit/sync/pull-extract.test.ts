import { mkdtemp, mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IndexStore } from '../../../src-main/node/sync/index-store';
import { RootedFolder } from '../../../src-main/node/rooted-path';
import { extractArchive } from '../../../src-main/node/sync/pull/extract';
import { buildTarGz, snapshotTree } from './pull-helpers';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const when = new Date(Date.UTC(2026, 10, 26, 22, 0, 0));

describe('extracting a result archive', () => {
  let root = '';
  let parent = '';
  let project = '';
  let tmpDir = '';
  let index: IndexStore;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'pull-extract-'));
    parent = path.join(root, 'parent');
    project = path.join(parent, 'project');
    await mkdir(project, { recursive: true });
    await writeFile(path.join(parent, 'sentinel.txt'), 'do not touch');
    await mkdir(path.join(parent, 'outside'));
    tmpDir = path.join(project, '.cloudhpc-sync', 'pull-tmp', 'run');
    index = IndexStore.open(path.join(root, 'index.sqlite'));
  });
  afterEach(async () => {
    index.close();
    await rm(root, { recursive: true, force: true });
  });

  const extract = async (buf: Buffer, extra: Partial<Parameters<typeof extractArchive>[0]> = {}) => {
    const archivePath = path.join(root, `a-${Math.random()}.tar.gz`);
    await writeFile(archivePath, buf);
    return extractArchive({ archivePath, root: new RootedFolder(project), tmpDir, index, now: when, reserved: (r) => r.startsWith('.cloudhpc-sync'), ...extra });
  };

  it('writes nothing outside the project for hostile members, and refuses each with a reason', async () => {
    await symlink(path.join(parent, 'outside'), path.join(project, 'linkout'));
    const before = await snapshotTree(parent);
    const res = await extract(
      buildTarGz([
        { path: path.join(parent, 'abs.txt'), data: 'absolute' },
        { path: '../escape.txt', data: 'dotdot' },
        { path: 'ok/../../escape2.txt', data: 'dotdot2' },
        { path: 'sym', type: 'SymbolicLink', linkpath: '../outside' },
        { path: 'sym/evil.txt', data: 'through a link' },
        { path: 'hard', type: 'Link', linkpath: '../sentinel.txt' },
        { path: 'linkout/evil.txt', data: 'through a pre-existing link' },
        { path: 'dev', type: 'CharacterDevice' },
        { path: 'blk', type: 'BlockDevice' },
        { path: 'fifo', type: 'FIFO' },
        { path: `${'n'.repeat(300)}.txt`, data: 'long name' },
        { path: `${'d'.repeat(200)}/`.repeat(25) + 'deep.txt', data: 'long path' },
        { path: 'CON', data: 'reserved' },
        { path: 'sub/aux.log', data: 'reserved' },
        { path: '..\\..\\win.txt', data: 'backslash' },
        { path: '.cloudhpc-sync/state', data: 'app area' },
        { path: 'results/good.csv', data: 'a,b\n1,2\n' },
        { path: './top.txt', data: 'fine' },
      ]),
    );
    const after = await snapshotTree(parent);
    // Only the project folder changed.
    const outsideProject = (t: Record<string, string>) => Object.fromEntries(Object.entries(t).filter(([k]) => !k.startsWith('project/') && k !== 'project'));
    expect(outsideProject(after)).toEqual(outsideProject(before));
    expect(await readFile(path.join(parent, 'sentinel.txt'), 'utf8')).toBe('do not touch');
    expect(await readdir(path.join(parent, 'outside'))).toEqual([]);

    const refusedNames = res.refused.map((r) => r.name);
    for (const n of ['../escape.txt', 'ok/../../escape2.txt', 'sym', 'hard', 'linkout/evil.txt', 'dev', 'blk', 'fifo', 'CON', 'sub/aux.log', '..\\..\\win.txt', '.cloudhpc-sync/state']) {
      expect(refusedNames).toContain(n);
    }
    const code = (name: string | ((n: string) => boolean)) => res.refused.find((r) => (typeof name === 'string' ? r.name === name : name(r.name)))?.code;
    expect(code('sym')).toBe('symlink-member');
    expect(code('hard')).toBe('hardlink-member');
    expect(code('dev')).toBe('device-member');
    expect(code('blk')).toBe('device-member');
    expect(code('fifo')).toBe('fifo-member');
    expect(code('../escape.txt')).toBe('dot-component');
    expect(code('linkout/evil.txt')).toBe('symlink');
    expect(code('CON')).toBe('reserved-name');
    expect(code('..\\..\\win.txt')).toBe('backslash');
    expect(code('.cloudhpc-sync/state')).toBe('app-area');
    expect(code((n) => n.startsWith('nnn'))).toBe('name-too-long');
    expect(code((n) => n.endsWith('deep.txt'))).toBe('path-too-long');
    expect(code((n) => n.startsWith('/'))).toBe('absolute');
    expect(res.refused.every((r) => r.reason.length > 0)).toBe(true);

    expect(await readFile(path.join(project, 'results', 'good.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect(await readFile(path.join(project, 'top.txt'), 'utf8')).toBe('fine');
    // 'sym/evil.txt' is a plain path inside the project once the link was refused.
    expect(await readFile(path.join(project, 'sym', 'evil.txt'), 'utf8')).toBe('through a link');
    expect(index.get('results/good.csv')).toMatchObject({ origin: 'pulled', sha256: sha('a,b\n1,2\n'), size: 8 });
    // No temp file left anywhere in the case folder.
    const tree = await snapshotTree(project);
    expect(Object.keys(tree).filter((k) => /part|member-/.test(k))).toEqual([]);
  });

  it('keeps a differing local input and writes the cloud version beside it; an equal member is a no-op', async () => {
    await writeFile(path.join(project, 'case.fds'), 'local input');
    await writeFile(path.join(project, 'same.txt'), 'same');
    index.patch('case.fds', { size: 11, sha256: sha('local input'), origin: 'pushed' });
    const res = await extract(buildTarGz([{ path: 'case.fds', data: 'cloud edit' }, { path: 'same.txt', data: 'same' }, { path: 'new.csv', data: 'n' }]));
    expect(await readFile(path.join(project, 'case.fds'), 'utf8')).toBe('local input');
    const copy = 'case.cloudhpc-20261126-220000.fds';
    expect(await readFile(path.join(project, copy), 'utf8')).toBe('cloud edit');
    expect(res.outcomes.find((o) => o.rel === 'case.fds')).toMatchObject({ kind: 'conflict', conflict: { copy, code: 'local-differs' } });
    // Its row is in the index, committed with the batch.
    expect(index.conflicts().map((c) => [c.path, c.copy, c.code])).toEqual([['case.fds', copy, 'local-differs']]);
    expect(res.outcomes.find((o) => o.rel === 'same.txt')?.kind).toBe('unchanged');
    expect(res.outcomes.find((o) => o.rel === 'new.csv')?.kind).toBe('written');
    expect(index.get('case.fds')?.origin).toBe('pushed');
    expect(index.get(copy)).toMatchObject({ origin: 'pulled', sha256: sha('cloud edit') });

    // The same archive again: nothing new is written, no second copy.
    const again = await extract(buildTarGz([{ path: 'case.fds', data: 'cloud edit' }, { path: 'same.txt', data: 'same' }]));
    expect(again.outcomes.map((o) => o.kind)).toEqual(['conflict', 'unchanged']);
    expect((await readdir(project)).filter((n) => n.startsWith('case.cloudhpc-'))).toHaveLength(1);
    // Later (e.g. after a crash lost what the last pull saw): the same cloud version is found beside, not copied again.
    const later = await extract(buildTarGz([{ path: 'case.fds', data: 'cloud edit' }]), { now: new Date(Date.UTC(2026, 10, 27, 9, 0, 0)) });
    expect(later.outcomes[0]).toMatchObject({ kind: 'conflict', conflict: { copy } });
    expect(index.conflicts()).toHaveLength(1);
    // A new cloud version does get its own copy.
    const newer = await extract(buildTarGz([{ path: 'case.fds', data: 'cloud edit 2' }]), { now: new Date(Date.UTC(2026, 10, 27, 9, 0, 0)) });
    expect(newer.outcomes[0]).toMatchObject({ kind: 'conflict', conflict: { copy: 'case.cloudhpc-20261127-090000.fds' } });
    expect((await readdir(project)).filter((n) => n.startsWith('case.cloudhpc-'))).toHaveLength(2);
  });

  it('updates a pulled file the user did not touch; a pulled file changed on both sides is a conflict; local-only change is kept', async () => {
    await extract(buildTarGz([{ path: 'r/a.csv', data: 'v1' }, { path: 'r/b.csv', data: 'v1' }, { path: 'r/c.csv', data: 'v1' }]));
    await writeFile(path.join(project, 'r', 'b.csv'), 'user edit');
    await writeFile(path.join(project, 'r', 'c.csv'), 'user edit c');
    const last = { 'r/a.csv': sha('v1'), 'r/b.csv': sha('v1'), 'r/c.csv': sha('v1') } as Record<string, string>;
    const res = await extract(buildTarGz([{ path: 'r/a.csv', data: 'v2' }, { path: 'r/b.csv', data: 'v2' }, { path: 'r/c.csv', data: 'v1' }]), { lastPulled: (r) => last[r] ?? null });
    expect(await readFile(path.join(project, 'r', 'a.csv'), 'utf8')).toBe('v2');
    expect(res.outcomes.find((o) => o.rel === 'r/a.csv')?.kind).toBe('updated');
    expect(await readFile(path.join(project, 'r', 'b.csv'), 'utf8')).toBe('user edit');
    const b = res.outcomes.find((o) => o.rel === 'r/b.csv');
    expect(b?.kind).toBe('conflict');
    expect(b?.conflict?.code).toBe('changed-both');
    expect(await readFile(path.join(project, b!.conflict!.copy), 'utf8')).toBe('v2');
    expect(res.outcomes.find((o) => o.rel === 'r/c.csv')?.kind).toBe('kept-local');
    expect(await readFile(path.join(project, 'r', 'c.csv'), 'utf8')).toBe('user edit c');
  });

  it('a folder or link in the way of a file gets the cloud file beside it', async () => {
    await mkdir(path.join(project, 'thing'));
    await symlink('/nonexistent', path.join(project, 'lnk'));
    const res = await extract(buildTarGz([{ path: 'thing', data: 'file' }, { path: 'lnk', data: 'file2' }]));
    expect(res.outcomes.map((o) => o.conflict?.code)).toEqual(['folder-in-the-way', 'link-in-the-way']);
    expect(res.outcomes[1]?.conflict?.copy).toBe('lnk.cloudhpc-20261126-220000');
  });

  it('a member cut short by a truncated tar (valid gzip) is refused, not written torn', async () => {
    const raw = gunzipSync(buildTarGz([{ path: 'big.bin', data: Buffer.alloc(200_000, 7) }, { path: 'after.txt', data: 'x' }]));
    const res = await extract(gzipSync(raw.subarray(0, 100_000)));
    expect(res.refused.find((r) => r.name === 'big.bin')?.code).toBe('truncated-member');
    expect(res.outcomes).toEqual([]);
    const tree = await snapshotTree(project);
    expect(Object.keys(tree).filter((k) => !k.startsWith('.cloudhpc-sync'))).toEqual([]);
    expect(Object.keys(await snapshotTree(tmpDir))).toEqual([]);
  });

  it('a truncated archive fails or warns without leaving a torn file', async () => {
    const full = buildTarGz([{ path: 'big.bin', data: Buffer.alloc(200_000, 7) }, { path: 'after.txt', data: 'x' }]);
    const cut = full.subarray(0, Math.floor(full.length / 2));
    let problems = 0;
    try {
      problems = (await extract(cut)).warnings.length;
    } catch {
      problems = 1;
    }
    expect(problems).toBeGreaterThan(0);
    const tree = await snapshotTree(project);
    expect(tree['big.bin']).toBeUndefined();
    expect(Object.keys(tree).filter((k) => k.startsWith('after'))).toEqual([]);
  });
});

import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { conflictName, isConflictCopyOf } from '../../../src-main/node/sync/pull/conflict-name';
import { checkRemoteName, ensureParentInside, isInside, targetPath } from '../../../src-main/node/sync/pull/names';

describe('remote name safety', () => {
  it.each([
    ['../etc/passwd', "'..'"],
    ['a/../../b', "'..'"],
    ['/etc/passwd', 'absolute'],
    ['\\\\server\\share\\x', 'absolute'],
    ['C:/Windows/x', 'drive letter'],
    ['c:evil', 'drive letter'],
    ['a\u0000b', 'NUL'],
    ['..\\..\\evil.txt', 'backslash'],
    ['sub\\file', 'backslash'],
    ['CON', 'reserved Windows'],
    ['con.txt', 'reserved Windows'],
    ['dir/aux.tar.gz', 'reserved Windows'],
    ['NUL', 'reserved Windows'],
    ['COM1.log', 'reserved Windows'],
    ['lpt9', 'reserved Windows'],
    ['a//b', 'empty'],
    ['./', "'.'"],
    ['a\nb', 'control'],
    [`${'x'.repeat(256)}.txt`, 'longer than 255'],
  ])('refuses %j with a reason', (name, reason) => {
    const r = checkRemoteName(name, { platform: 'linux' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it.each(['FDS.tar.gz', 'case_hrr.csv', 'postProcessing/forces/0/force.dat', 'dir/', 'CONTROL.txt', 'com10', 'a.', 'résultat.rmed'])('accepts %j', (name) => {
    expect(checkRemoteName(name, { platform: 'linux' }).ok).toBe(true);
  });

  it('applies Windows-only rules on Windows', () => {
    expect(checkRemoteName('a.', { platform: 'win32' }).ok).toBe(false);
    expect(checkRemoteName('b ', { platform: 'win32' }).ok).toBe(false);
    expect(checkRemoteName('ab:c', { platform: 'win32' }).ok).toBe(false);
    expect(checkRemoteName('ab:c', { platform: 'linux' }).ok).toBe(true);
  });

  it('refuses a path longer than the platform allows', () => {
    const deep = Array.from({ length: 30 }, () => 'd'.repeat(200)).join('/');
    expect(checkRemoteName(deep, { platform: 'linux' }).ok).toBe(true); // each part is fine
    expect(() => targetPath('/tmp/project', deep, 'linux')).toThrow(/longer than the platform allows/);
    expect(() => targetPath('C:/p', 'a/'.repeat(140) + 'x', 'win32')).toThrow(/longer/);
  });

  it('prefix check is not fooled by a sibling with the same prefix', () => {
    expect(isInside('/tmp/proj', '/tmp/proj-evil/x')).toBe(false);
    expect(isInside('/tmp/proj', '/tmp/proj/x')).toBe(true);
    expect(isInside('/tmp/proj', '/tmp/proj')).toBe(false);
  });
});

describe('parent folders stay inside the project', () => {
  let root = '';
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('refuses a symlinked parent folder, even one pointing inside, and creates real folders', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'pull-names-'));
    const project = path.join(root, 'project');
    const outside = path.join(root, 'outside');
    await mkdir(project);
    await mkdir(outside);
    await symlink(outside, path.join(project, 'out'));
    await mkdir(path.join(project, 'real'));
    await symlink(path.join(project, 'real'), path.join(project, 'in'));
    await writeFile(path.join(project, 'afile'), 'x');
    await expect(ensureParentInside(project, 'out/evil.txt')).rejects.toThrow(/symbolic link/);
    await expect(ensureParentInside(project, 'in/x.txt')).rejects.toThrow(/symbolic link/);
    await expect(ensureParentInside(project, 'afile/x.txt')).rejects.toThrow(/not a folder/);
    const dir = await ensureParentInside(project, 'a/b/c.txt');
    expect(dir).toBe(path.join(project, 'a', 'b'));
  });

  it('works when the project folder itself is reached through a symlink', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'pull-names-'));
    await mkdir(path.join(root, 'real-project'));
    await symlink(path.join(root, 'real-project'), path.join(root, 'project'));
    await expect(ensureParentInside(path.join(root, 'project'), 'x/y.txt')).resolves.toBe(path.join(root, 'project', 'x'));
  });
});

describe('conflict copy names', () => {
  const when = new Date(Date.UTC(2026, 10, 26, 21, 45, 3));
  it('puts the cloud stamp before the extension', () => {
    expect(conflictName('case.fds', when)).toBe('case (cloudHPC 2026-11-26 214503).fds');
    expect(conflictName('sub/FDS.tar.gz', when)).toBe('sub/FDS (cloudHPC 2026-11-26 214503).tar.gz');
    expect(conflictName('.bashrc', when)).toBe('.bashrc (cloudHPC 2026-11-26 214503)');
    expect(conflictName('Makefile', when, 2)).toBe('Makefile (cloudHPC 2026-11-26 214503 2)');
    expect(isConflictCopyOf('sub/FDS.tar.gz', 'FDS (cloudHPC 2026-11-26 214503).tar.gz')).toBe(true);
    expect(isConflictCopyOf('Makefile', 'Makefile (cloudHPC 2026-11-26 214503 2)')).toBe(true);
    expect(isConflictCopyOf('case.fds', 'case (cloudHPC later).fds')).toBe(false);
    expect(isConflictCopyOf('case.fds', 'case.fds')).toBe(false);
  });
});

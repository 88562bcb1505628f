import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTarget, resolveOpenTarget, type OpenContext } from '../../../src-main/node/app/open-path';

describe('what the UI may open', () => {
  let dir: string;
  let ctx: OpenContext;
  const opened: string[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'open-'));
    await writeFile(join(dir, 'a.txt'), 'a');
    ctx = {
      projectDir: () => dir,
      conflict: () => ({ path: 'a.txt', copy: 'a (cloudHPC 2026-11-26 221502).txt' }),
      vncHosts: () => ['vnc-7.example.net'],
    };
  });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('opens files inside a project; refuses to leave it, also through a symlink', async () => {
    expect((await resolveOpenTarget({ kind: 'project-file', projectId: 'p', path: 'a.txt' }, ctx)).target).toMatch(/a\.txt$/);
    await expect(resolveOpenTarget({ kind: 'project-file', projectId: 'p', path: '../../etc/passwd' }, ctx)).rejects.toMatchObject({ code: 'dot-component' });
    await symlink('/etc/hostname', join(dir, 'host-link'));
    await expect(resolveOpenTarget({ kind: 'project-file', projectId: 'p', path: 'host-link' }, ctx)).rejects.toMatchObject({ code: 'outside' });
  });

  it('opens only http(s) links to the allow-listed hosts and running remote desktops', async () => {
    expect((await resolveOpenTarget({ kind: 'external-url', url: 'https://cloudhpc.cloud/profile' }, ctx)).kind).toBe('url');
    expect((await resolveOpenTarget({ kind: 'external-url', url: 'https://vnc-7.example.net/vnc.html' }, ctx)).kind).toBe('url');
    await expect(resolveOpenTarget({ kind: 'external-url', url: 'https://evil.example/' }, ctx)).rejects.toThrow(/not opened/);
    await expect(resolveOpenTarget({ kind: 'external-url', url: 'javascript:alert(1)' }, ctx)).rejects.toThrow();
    await expect(resolveOpenTarget({ kind: 'external-url', url: 'file:///etc/passwd' }, ctx)).rejects.toThrow();
  });

  it('headless answers the path; with an opener (Electron) it opens it', async () => {
    const headless = await openTarget({ kind: 'project-folder', projectId: 'p' }, ctx);
    expect(headless).toMatchObject({ opened: false, target: dir });
    const desktop = await openTarget({ kind: 'project-file', projectId: 'p', path: 'a.txt' }, { ...ctx, opener: async (t) => { opened.push(t); } });
    expect(desktop.opened).toBe(true);
    expect(opened).toEqual([join(dir, 'a.txt')]);
    await expect(openTarget({ kind: 'conflict', projectId: 'p', conflictId: 'c', side: 'cloud' }, ctx)).rejects.toThrow(/does not exist/);
  });
});

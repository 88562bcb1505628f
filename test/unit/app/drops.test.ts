import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DropPlanner } from '../../../src-main/node/app/drops';

describe('drops: plan, then copy what the user accepted', () => {
  let dir: string;
  let caseDir: string;
  let now: number;
  let planner: DropPlanner;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drops-'));
    caseDir = join(dir, 'work', 'case');
    await mkdir(caseDir, { recursive: true });
    await mkdir(join(dir, 'home'));
    await mkdir(join(dir, 'staging'));
    await writeFile(join(caseDir, 'same.txt'), 'same');
    await writeFile(join(caseDir, 'input.fds'), 'old');
    now = Date.now();
    planner = new DropPlanner({
      home: join(dir, 'home'), stagingRoot: join(dir, 'staging'),
      project: (id) => ({ id, localDir: caseDir }),
      suggestStorageName: (d) => d.split('/').pop() ?? 'x',
      now: () => now,
    });
  });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('plans add / replace / same, leaves links out, and copies without replacing unless asked', async () => {
    const src = join(dir, 'src');
    await mkdir(join(src, 'deep'), { recursive: true });
    await writeFile(join(src, 'deep', 'new.txt'), 'new');
    await writeFile(join(dir, 'same.txt'), 'same');
    await writeFile(join(dir, 'input.fds'), 'new input');
    await symlink('/etc/passwd', join(src, 'link'));
    const plan = await planner.plan('p', [{ kind: 'path', path: src }, { kind: 'path', path: join(dir, 'same.txt') }, { kind: 'path', path: join(dir, 'input.fds') }]);
    expect(plan.items.map((i) => `${i.action}:${i.path}`).sort()).toEqual(['add:src/deep/new.txt', 'replace:input.fds', 'same:same.txt']);
    expect(plan.warnings.join(' ')).toMatch(/link: left out/);
    const r = await planner.copy(planner.take(plan.planId), 'none');
    expect(r).toEqual({ projectId: 'p', copied: 1, replaced: 0, skipped: 2 });
    expect(await readFile(join(caseDir, 'input.fds'), 'utf8')).toBe('old');
    expect(await readFile(join(caseDir, 'src', 'deep', 'new.txt'), 'utf8')).toBe('new');
    expect(existsSync(join(caseDir, 'src', 'link'))).toBe(false);
  });

  it('replaces only what the user accepted, and never clobbers a file that appeared after the plan', async () => {
    await writeFile(join(dir, 'input.fds'), 'new input');
    await writeFile(join(dir, 'late.txt'), 'dropped');
    const plan = await planner.plan('p', [{ kind: 'path', path: join(dir, 'input.fds') }, { kind: 'path', path: join(dir, 'late.txt') }]);
    await writeFile(join(caseDir, 'late.txt'), 'written meanwhile');
    const r = await planner.copy(planner.take(plan.planId), ['input.fds']);
    expect(r).toMatchObject({ copied: 0, replaced: 1, skipped: 1 });
    expect(await readFile(join(caseDir, 'input.fds'), 'utf8')).toBe('new input');
    expect(await readFile(join(caseDir, 'late.txt'), 'utf8')).toBe('written meanwhile');
  });

  it('refuses the app\'s own data, the case\'s parent, and a missing path; expires plans', async () => {
    await expect(planner.plan('p', [{ kind: 'path', path: join(dir, 'home') }])).rejects.toThrow(/own data/);
    await expect(planner.plan('p', [{ kind: 'path', path: join(dir, 'work') }])).rejects.toThrow(/holds the case folder/);
    await expect(planner.plan('p', [{ kind: 'path', path: join(dir, 'missing') }])).rejects.toThrow(/does not exist/);
    await writeFile(join(dir, 'x.txt'), 'x');
    const plan = await planner.plan('p', [{ kind: 'path', path: join(dir, 'x.txt') }]);
    now += 60 * 60_000;
    expect(() => planner.take(plan.planId)).toThrow(/expired/);
  });

  it('a folder dropped outside any project becomes a project; a browser upload cannot', async () => {
    const folder = join(dir, 'new_case');
    await mkdir(folder);
    await writeFile(join(folder, 'a.fds'), 'a');
    const plan = await planner.plan(null, [{ kind: 'path', path: folder }]);
    expect(plan.newProject).toEqual({ dir: folder, storageFolder: 'new_case' });
    expect(plan.items).toEqual([{ path: 'a.fds', size: 1, action: 'same' }]);
    const staged = join(dir, 'staging', 'a'.repeat(32), 'files');
    await mkdir(join(staged, 'x'), { recursive: true });
    await writeFile(join(staged, 'y.fds'), 'y');
    // The message says what was dropped (a folder or a file) and what to do instead.
    await expect(planner.plan(null, [{ kind: 'staged', stagingId: 'a'.repeat(32), name: 'x' }])).rejects.toThrow(/"x" is a folder uploaded from the browser.*type the folder's path on the server/);
    await expect(planner.plan(null, [{ kind: 'staged', stagingId: 'a'.repeat(32), name: 'y.fds' }])).rejects.toThrow(/"y.fds" is a file: only a case folder becomes a project/);
    await expect(planner.plan(null, [{ kind: 'path', path: join(folder, 'a.fds') }])).rejects.toThrow(/"a.fds" is a file: only a case folder becomes a project\. To copy files into a case, drop them on that project/);
  });

  it('names cloudHPC refuses are copied under names it accepts (the plan says which)', async () => {
    const src = join(dir, 'drop src');
    await mkdir(join(src, 'my probes'), { recursive: true });
    await writeFile(join(src, 'my probes', 'probe (1).csv'), 'p');
    const plan = await planner.plan('p', [{ kind: 'path', path: src }]);
    expect(plan.items).toEqual([{ path: 'drop src/my probes/probe (1).csv', renamedTo: 'drop_src/my_probes/probe_1.csv', size: 1, action: 'add' }]);
    await planner.copy(planner.take(plan.planId), 'all');
    expect(await readFile(join(caseDir, 'drop_src', 'my_probes', 'probe_1.csv'), 'utf8')).toBe('p');
    expect(existsSync(join(caseDir, 'drop src'))).toBe(false);
  });

  it('copies staged browser uploads and removes the staging batch afterwards', async () => {
    const id = 'b'.repeat(32);
    await mkdir(join(dir, 'staging', id, 'files', 'up'), { recursive: true });
    await writeFile(join(dir, 'staging', id, 'files', 'up', 'f.txt'), 'uploaded');
    const plan = await planner.plan('p', [{ kind: 'staged', stagingId: id, name: 'up' }]);
    expect(plan.items).toEqual([{ path: 'up/f.txt', size: 8, action: 'add' }]);
    await planner.copy(planner.take(plan.planId), 'all');
    expect(await readFile(join(caseDir, 'up', 'f.txt'), 'utf8')).toBe('uploaded');
    expect(existsSync(join(dir, 'staging', id))).toBe(false);
    await expect(planner.plan('p', [{ kind: 'staged', stagingId: id, name: '..' }])).rejects.toThrow();
  });
});

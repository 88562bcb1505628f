// Issue 16, hole 1: a drop never writes through a symlinked folder of the case (out of it) nor into
// the app's own folder inside the case; the plan already says so (no "add"/"replace" for them), with
// the same rule as pulls (the case's rooted folder).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DropPlanner } from '../../../src-main/node/app/drops';

describe('drops into a hostile case folder', () => {
  let dir: string;
  let caseDir: string;
  let outside: string;
  let planner: DropPlanner;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drops-hostile-'));
    caseDir = join(dir, 'case');
    outside = join(dir, 'outside');
    await mkdir(caseDir);
    await mkdir(outside);
    await writeFile(join(outside, 'existing.txt'), 'not yours');
    await symlink(outside, join(caseDir, 'mesh'));
    await mkdir(join(dir, 'home'));
    await mkdir(join(dir, 'staging'));
    planner = new DropPlanner({
      home: join(dir, 'home'), stagingRoot: join(dir, 'staging'),
      project: (id) => ({ id, localDir: caseDir }),
      suggestStorageName: () => 'x',
    });
  });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('a folder dropped onto a symlinked folder of the case: refused in the plan, nothing written outside', async () => {
    const src = join(dir, 'drop', 'mesh');
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'existing.txt'), 'dropped');
    await writeFile(join(src, 'new.txt'), 'dropped too');
    await writeFile(join(dir, 'drop', 'fine.txt'), 'fine');
    const plan = await planner.plan('p', [{ kind: 'path', path: src }, { kind: 'path', path: join(dir, 'drop', 'fine.txt') }]);
    expect(plan.items.map((i) => `${i.action}:${i.path}`)).toEqual(['add:fine.txt']);
    expect(plan.replaceCount).toBe(0);
    expect(plan.warnings.join('\n')).toMatch(/mesh\/existing\.txt: .*symbolic link/);
    const r = await planner.copy(planner.take(plan.planId), 'all');
    expect(r).toMatchObject({ copied: 1, replaced: 0 });
    expect(await readFile(join(outside, 'existing.txt'), 'utf8')).toBe('not yours');
    expect((await readdir(outside)).sort()).toEqual(['existing.txt']);
    expect(await readFile(join(caseDir, 'fine.txt'), 'utf8')).toBe('fine');
  });

  it("the app's own folder inside the case is never a drop target, on any letter case", async () => {
    for (const name of ['.cloudhpc-sync', '.CloudHPC-Sync']) {
      const src = join(dir, 'drop2', name);
      await mkdir(join(src, 'pull-tmp'), { recursive: true });
      await writeFile(join(src, 'pull-tmp', 'x.part'), 'planted');
    }
    const plan = await planner.plan('p', [{ kind: 'path', path: join(dir, 'drop2', '.cloudhpc-sync') }, { kind: 'path', path: join(dir, 'drop2', '.CloudHPC-Sync') }]);
    expect(plan.items).toEqual([]);
    expect(plan.warnings.join('\n')).toMatch(/\.cloudhpc-sync\/pull-tmp\/x\.part: .*app/i);
    await planner.copy(planner.take(plan.planId), 'all');
    expect(existsSync(join(caseDir, '.cloudhpc-sync'))).toBe(false);
    expect(existsSync(join(caseDir, '.CloudHPC-Sync'))).toBe(false);
  });
});

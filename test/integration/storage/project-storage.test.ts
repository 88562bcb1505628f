// What the storage browser does to a project (the workspace, against the emulator): a deletion in the
// project's storage folder is recorded in its index with the deletion (the project never believes a
// file is in the cloud when it is not; what the next run would lack locally is pushed again), and an
// open that did not finish leaves the project paused and marked, refusing to push, until opening it
// again completes it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageRefused } from '../../../src-main/node/storage';
import { bashBatch, CASE, FDS, runToEnd, workspaceEach } from './helpers';

const KEY = 'project-storage-key-0123456789';

const each = workspaceEach(KEY, 'project-storage-');

async function openedCase(): Promise<{ id: string; dir: string }> {
  await bashBatch(each.emu, KEY, { folder: 'fireA', archive: 'upload.tar.gz', files: CASE });
  await runToEnd(each.emu);
  const dir = join(each.dir, 'fireA');
  const r = await each.ws.storage.open(await each.ws.storage.planOpen({ folder: 'fireA', dir }));
  return { id: r.projectId, dir };
}

const refusal = (e: unknown): string | null => (e instanceof StorageRefused ? e.code : null);

describe("deleting in a project's storage folder", () => {
  it('a file the archive also holds: recorded, nothing to push; the archive: the project pushes its case again', async () => {
    const { id } = await openedCase();
    const file = await each.ws.storage.planDelete('fireA/notes/readme.txt');
    expect(file.project).toMatchObject({ projectId: id, rel: 'notes/readme.txt', ours: 1, pushedAgain: 0, massDelete: null });
    await each.ws.storage.delete(file);
    expect(Object.keys(await each.emu.files(KEY, 'fireA'))).not.toContain('notes/readme.txt');
    // upload.tar.gz still holds it: the next run sees it again, nothing to push.
    expect((await each.ws.previewPush(id)).strategy).toBe('none');

    const archive = await each.ws.storage.planDelete('fireA/upload.tar.gz');
    // room_fire.fds is still a file in storage; both files of this small case: more than half, the guard asks
    expect(archive.project).toMatchObject({ ours: 2, pushedAgain: 1, massDelete: { count: 2, limit: 1, rule: 'half' } });
    expect(refusal(await each.ws.storage.delete(archive).catch((e: unknown) => e))).toBe('mass-delete');
    await each.ws.storage.delete(archive, { confirmMassDelete: true });
    const plan = await each.ws.previewPush(id);
    expect(plan.changed.map((f) => f.path)).toEqual(['notes/readme.txt']);
    await each.ws.push(id);
    expect(Object.keys(await each.emu.files(KEY, 'fireA'))).toContain('notes/readme.txt');
    expect((await each.ws.previewPush(id)).strategy).toBe('none');
  });

  it('the whole folder: every file the project put there is pushed again; the guard asks first when that is many', async () => {
    const { id } = await openedCase();
    each.ws.sync.updateSettings(id, { massDeleteThreshold: 1 });
    const plan = await each.ws.storage.planDelete('fireA');
    expect(plan.project).toMatchObject({ projectId: id, rel: '', ours: 2, pushedAgain: 2, massDelete: { count: 2, limit: 1 } });
    expect(refusal(await each.ws.storage.delete(plan).catch((e: unknown) => e))).toBe('mass-delete');
    expect(Object.keys(await each.emu.files(KEY, 'fireA')).length).toBeGreaterThan(0);
    await each.ws.storage.delete(plan, { confirmMassDelete: true });
    expect(await each.emu.files(KEY, 'fireA')).toEqual({});
    const again = await each.ws.previewPush(id);
    expect(again.strategy).toBe('snapshot');
    expect(again.uploads.map((f) => f.path).sort()).toEqual(['notes/readme.txt', 'room_fire.fds']);
  });
});

describe('an open that did not finish', () => {
  it('leaves the project paused and marked (no push, no resume); opening it again completes it', async () => {
    await bashBatch(each.emu, KEY, { folder: 'caseX', archive: 'upload.tar.gz', files: CASE, launch: false });
    const dir = join(each.dir, 'caseX');
    const plan = await each.ws.storage.planOpen({ folder: 'caseX', dir });
    each.emu.setFaults({ dropTransferRate: 1 });
    await expect(each.ws.storage.open(plan)).rejects.toThrow();
    const project = each.ws.projectByDir(dir)!;
    expect(project.settings.paused).toBe(true);
    expect(each.ws.storage.isOpening(project.id)).toBe(true);
    expect(refusal((() => { try { each.ws.resume(project.id); return null; } catch (e) { return e; } })())).toBe('opening');
    expect(refusal(await each.ws.push(project.id).catch((e: unknown) => e))).toBe('opening');
    expect(Object.keys(await each.emu.files(KEY, 'caseX'))).toEqual(['upload.tar.gz']);

    each.emu.setFaults({});
    const again = await each.ws.storage.planOpen({ folder: 'caseX', dir });
    expect(again.continuing).toBe(project.id);
    const r = await each.ws.storage.open(again);
    expect(r.projectId).toBe(project.id);
    expect(each.ws.storage.isOpening(project.id)).toBe(false);
    expect(each.ws.projectByDir(dir)!.settings.paused).toBe(false);
    expect(readFileSync(join(dir, 'room_fire.fds'), 'utf8')).toBe(FDS);
    expect((await each.ws.previewPush(project.id)).strategy).toBe('none');
  });
});

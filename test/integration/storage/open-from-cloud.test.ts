// Opening a case from the cloud (the workspace: the same code under the app, serve and the CLI),
// against the emulator: a case the provider's bash client uploaded and ran (-batch) is opened into an
// empty folder as a project; a later local edit is pushed as usual and is what the next run sees;
// merging into a folder that holds files never overwrites one of them.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimulationStartEvent } from '../../../emulator/index';
import { StorageRefused } from '../../../src-main/node/storage';
import { bareAdd, bashBatch, CASE, FDS, runToEnd, settledEdit, sha, workspaceEach } from './helpers';

const KEY = 'open-from-cloud-key-0123456789';

const each = workspaceEach(KEY, 'open-cloud-');

/** The files a run sees at its start (after the service extracted the input archives). */
async function nextStartSees(folder: string): Promise<SimulationStartEvent['files']> {
  const started = new Promise<SimulationStartEvent>((resolve) => { const off = each.emu.onSimulationStart((e) => { off(); resolve(e); }); });
  await bareAdd(each.emu, KEY, folder);
  await each.emu.clock.advance(31);
  return (await started).files;
}

describe.each([
  { archive: 'upload.tar.gz', ran: true, how: 'its newest version (upload.tar.gz), run: taken over as the project archive' },
  { archive: 'upload.tar.gz', ran: false, how: 'its newest version (upload.tar.gz), never run: taken over' },
  { archive: 'myLocalCase.tar.gz', ran: true, how: 'an older version (<case>.tar.gz), run: its files are in storage, the archive goes' },
  { archive: 'myLocalCase.tar.gz', ran: false, how: 'an older version (<case>.tar.gz), never run: pushed as the project archive, then it goes' },
])('open from the cloud a case the bash client uploaded, $how', ({ archive, ran }) => {
  it('opens into an empty folder as a project; a later local edit is pushed as usual', async () => {
    await bashBatch(each.emu, KEY, { folder: 'fireA', archive, files: CASE, launch: ran });
    if (ran) await runToEnd(each.emu);
    const dir = join(each.dir, 'cases', 'fireA-here');

    const before = each.emu.calls(KEY).total;
    const plan = await each.ws.storage.planOpen({ folder: 'fireA', dir });
    const listed = each.emu.calls(KEY).total - before;
    expect(plan.listingCalls).toBe(listed);
    expect(plan).toMatchObject({ create: true, localEntries: 0, continuing: null });
    expect(plan.inputArchives.map((a) => a.item.basename)).toEqual([archive]);
    expect(plan.replaceCalls).toBe(archive === 'upload.tar.gz' ? 0 : 4);

    const links = (): number => each.emu.calls(KEY).byEndpoint['GET /storage/view-url/{id}'] ?? 0;
    const linksBefore = links();
    const r = await each.ws.storage.open(plan);
    // Every call counted by the emulator is one the result names (re-asks for a link not ready included).
    expect(each.emu.calls(KEY).total - before - listed).toBe(r.apiCalls);
    // The plan's cost holds but for those re-asks (a file just uploaded has no mediaLink for a moment).
    const reasks = links() - linksBefore - r.transfer.downloaded.length;
    expect(r.apiCalls - Math.max(0, reasks)).toBeLessThanOrEqual(plan.calls + plan.replaceCalls);
    expect(r.adopted).toBe(archive === 'upload.tar.gz' ? archive : null);
    expect(r.replaced).toEqual(archive === 'upload.tar.gz' ? [] : [archive]);
    expect(r.transfer.conflicts).toEqual([]);
    expect(r.transfer.refused).toEqual([]);
    expect(readFileSync(join(dir, 'room_fire.fds'), 'utf8')).toBe(FDS);
    expect(readFileSync(join(dir, 'notes', 'readme.txt'), 'utf8')).toBe('sample\n');
    expect(existsSync(join(dir, 'cloudhpc.log'))).toBe(ran);
    expect(readdirSync(dir)).not.toContain(archive);

    const project = each.ws.projectByDir(dir)!;
    expect(project).toMatchObject({ id: r.projectId, storageFolder: 'fireA' });
    expect(project.settings.paused).toBe(false);
    expect(each.ws.storage.isOpening(project.id)).toBe(false);
    // Nothing to push: the storage holds the case as it is here.
    expect((await each.ws.previewPush(project.id)).strategy).toBe('none');
    // No input archive but the project's own is left in storage (when a run extracted the other one, its
    // files are there as files: nothing had to be pushed before it went).
    const stored = Object.keys(await each.emu.files(KEY, 'fireA'));
    expect(stored.filter((n) => n.endsWith('.tar.gz') && n !== 'FDS.tar.gz')).toEqual(archive === 'myLocalCase.tar.gz' && ran ? [] : ['upload.tar.gz']);

    const edited = settledEdit(join(dir, 'room_fire.fds'), '! edited after opening');
    const plan2 = await each.ws.previewPush(project.id);
    expect(plan2.changed.map((f) => f.path)).toEqual(['room_fire.fds']);
    await each.ws.push(project.id);
    expect((await each.ws.previewPush(project.id)).strategy).toBe('none');
    const seen = await nextStartSees('fireA');
    expect(seen['room_fire.fds']?.sha256).toBe(sha(edited));
    expect(seen['notes/readme.txt']?.sha256).toBe(sha('sample\n'));
  });
});

describe('open from the cloud into a folder that holds files', () => {
  it('is refused unless the person merges; merging never overwrites a local file', async () => {
    await bashBatch(each.emu, KEY, { folder: 'caseM', archive: 'upload.tar.gz', files: CASE, launch: false });
    const dir = join(each.dir, 'mine');
    mkdirSync(dir);
    const mine = "&HEAD CHID='mine' /\n";
    writeFileSync(join(dir, 'room_fire.fds'), mine);
    writeFileSync(join(dir, 'only-here.txt'), 'local only\n');

    const refused = await each.ws.storage.planOpen({ folder: 'caseM', dir }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StorageRefused);
    expect((refused as StorageRefused).code).toBe('not-empty');

    const plan = await each.ws.storage.planOpen({ folder: 'caseM', dir, merge: true });
    expect(plan.localEntries).toBe(2);
    const r = await each.ws.storage.open(plan);
    expect(readFileSync(join(dir, 'room_fire.fds'), 'utf8')).toBe(mine);
    expect(readFileSync(join(dir, 'only-here.txt'), 'utf8')).toBe('local only\n');
    expect(r.transfer.conflicts).toHaveLength(1);
    const c = r.transfer.conflicts[0]!;
    expect(c).toMatchObject({ path: 'room_fire.fds', code: 'local-differs' });
    expect(readFileSync(join(dir, c.copy), 'utf8')).toBe(FDS);
    expect(readFileSync(join(dir, 'notes', 'readme.txt'), 'utf8')).toBe('sample\n');

    // The local case is the project's truth: the next push puts it in the cloud, the cloud's version stays beside it locally.
    const project = each.ws.projectByDir(dir)!;
    await each.ws.push(project.id);
    const seen = await nextStartSees('caseM');
    expect(seen['room_fire.fds']?.sha256).toBe(sha(mine));
    expect(seen['only-here.txt']?.sha256).toBe(sha('local only\n'));
  });
});

describe("open from the cloud into a folder that holds the app's data folder", () => {
  it("never extracts an input archive's member into the app's data folder", async () => {
    // the workspace's home is <each.dir>/home: open into <each.dir>, as a case at the home folder would be
    await bashBatch(each.emu, KEY, { folder: 'homeCase', archive: 'upload.tar.gz', files: { ...CASE, 'home/evil.txt': 'from the archive\n' }, launch: false });
    const plan = await each.ws.storage.planOpen({ folder: 'homeCase', dir: each.dir, merge: true });
    const r = await each.ws.storage.open(plan);
    expect(readFileSync(join(each.dir, 'room_fire.fds'), 'utf8')).toBe(FDS);
    expect(existsSync(join(each.dir, 'home', 'evil.txt'))).toBe(false);
    expect(r.transfer.refused.map((x) => x.name)).toContain('home/evil.txt');
  });
});

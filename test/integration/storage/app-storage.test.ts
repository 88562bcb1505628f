// The storage browser through the app's contract (AppCore: what the desktop app and `serve` run):
// a run added by a bare API call, as the web app does, appears in Simulations on a folder that is no
// project, and its results come down into a chosen folder; listings are cached (0 calls the second
// time) and say what they cost; a file deleted with a confirmation is gone from the storage and the listing.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import type { StorageTransferView } from '../../../src-main/common/contract';
import { AppCore } from '../../../src-main/node/app/app-core';
import { nextEvent, ok } from '../workspace/helpers';
import { bareAdd, FDS, runToEnd, temp } from './helpers';

const KEY = 'app-storage-key-0123456789';

let emu: Emulator;
let core: AppCore;
let t: ReturnType<typeof temp>;

beforeAll(async () => {
  emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0 });
  t = temp('app-storage-');
  core = await AppCore.create({
    transport: 'headless',
    home: join(t.dir, 'home'),
    env: { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url },
    useKeychain: false,
    cliKeyFile: join(t.dir, 'no-cli-key'),
    tuning: { trackerMinIntervalMs: 100, logMinIntervalMs: 100 },
  });
  await core.start();
});
afterAll(async () => {
  await core.stop();
  await emu.stop();
  t.done();
});

/** The transfer's last event once it is no longer running. */
function transferEnd(id: string, ms = 30_000): Promise<StorageTransferView> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`transfer ${id} did not end within ${ms} ms`)); }, ms);
    const off = core.onEvent((ev) => {
      if (ev.name !== 'storageTransfer') return;
      const v = ev.payload as StorageTransferView;
      if (v.id !== id || v.state === 'running') return;
      clearTimeout(timer);
      off();
      resolve(v);
    });
  });
}

describe('runs started elsewhere, through the app', () => {
  it('a run added by a bare API call appears in Simulations; its results are downloaded to a chosen folder', async () => {
    await emu.seedFile(KEY, 'webcase/room_fire.fds', FDS);
    const id = await bareAdd(emu, KEY, 'webcase');
    ok(await core.call('refreshSimulations', {}));
    const sim = (await core.snapshot()).simulations.find((s) => s.id === id);
    expect(sim).toMatchObject({ folder: 'webcase', projectId: null, statusName: 'PENDING', active: true });

    // The app follows it like its own runs: its end is seen without anyone asking.
    const ended = nextEvent(core.workspace, 'runEnded', (e) => e.run.simulation.id === id);
    await runToEnd(emu);
    await ended;
    expect((await core.snapshot()).simulations.find((s) => s.id === id)?.statusName).toBe('COMPLETED');

    const dest = join(t.dir, 'web-results');
    const plan = ok(await core.call('planRunResults', { id, dest, extract: true }));
    expect(plan).toMatchObject({ kind: 'results', sources: ['webcase'], dest, calls: plan.files });
    expect(plan.files).toBeGreaterThanOrEqual(2); // FDS.tar.gz and cloudhpc.log at least
    const before = emu.calls(KEY).total;
    const started = ok(await core.call('startStorageTransfer', { planId: plan.planId }));
    expect(started.state).toBe('running');
    const end = await transferEnd(started.id);
    expect(end.state, JSON.stringify(end.error)).toBe('done');
    expect(end.result).toMatchObject({ dest, downloaded: plan.files, apiCalls: plan.calls, failed: [], refused: [] });
    expect(emu.calls(KEY).total - before).toBeGreaterThanOrEqual(plan.calls);
    const got = readdirSync(dest);
    expect(got).toContain('cloudhpc.log');
    expect(got.some((f) => f.endsWith('_hrr.csv'))).toBe(true); // from the extracted FDS.tar.gz
    expect(got).not.toContain('FDS.tar.gz');
    expect(got).not.toContain('room_fire.fds'); // an input, not a result
    // A plan is used once.
    const again = await core.call('startStorageTransfer', { planId: plan.planId });
    expect(again.ok ? null : again.error.code).toBe('not-found');
  });
});

describe('browsing and deleting through the app', () => {
  it('listings are cached with their age and cost; a deletion is confirmed, then gone', async () => {
    await emu.seedFile(KEY, 'browse/a.txt', 'a\n');
    await emu.seedFile(KEY, 'browse/old.log', 'old\n');
    const root = ok(await core.call('listStorage', { path: '', refresh: true }));
    expect(root.items.map((i) => i.name)).toEqual(expect.arrayContaining(['browse', 'webcase']));
    expect(root.calls).toBeGreaterThanOrEqual(2); // delete-cache and the first page
    const folder = ok(await core.call('listStorage', { path: 'browse' }));
    expect(folder.items.map((i) => `${i.name}:${i.size}`).sort()).toEqual(['a.txt:2', 'old.log:4']);
    expect(folder).toMatchObject({ cached: false, filesSize: 6 });
    const cached = ok(await core.call('listStorage', { path: '/browse/' }));
    expect(cached).toMatchObject({ cached: true, calls: 0, listedAt: folder.listedAt });
    expect(cached.browsing.session).toBeGreaterThanOrEqual(root.calls + folder.calls);

    const plan = ok(await core.call('planStorageDelete', { path: 'browse/old.log' }));
    expect(plan).toMatchObject({ path: 'browse/old.log', type: 'file', files: 1, calls: 2, listingCalls: 0, project: null });
    const done = ok(await core.call('confirmStorageDelete', { planId: plan.planId }));
    expect(done).toMatchObject({ path: 'browse/old.log', apiCalls: 2, alreadyGone: false });
    expect(Object.keys(await emu.files(KEY, 'browse'))).toEqual(['a.txt']);
    const after = ok(await core.call('listStorage', { path: 'browse' }));
    expect(after.items.map((i) => i.name)).toEqual(['a.txt']);
    expect(after.calls).toBe(0);
    expect(existsSync(join(t.dir, 'web-results'))).toBe(true);

    const bad = await core.call('listStorage', { path: 'browse/../webcase' });
    expect(bad.ok ? null : bad.error.code).toBe('invalid-input');
  });
});

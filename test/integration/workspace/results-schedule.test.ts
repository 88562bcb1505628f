// One pull scheduler after SYNC: the partial results are pulled on the schedule, and the first pull
// that brings them ends it (no further pull: calls counted by the emulator). The workspace's clock
// is a manual one moved in step with the emulator's simulated clock (nothing sleeps).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { ManualScheduler } from '../../../src-main/node/simulation/scheduler';
import { Workspace } from '../../../src-main/node/workspace';
import { DEFAULT_SYNC_PULL_DELAYS_MS } from '../../../src-main/node/workspace/results-schedule';
import { cleanUpAfterEach, nextEvent } from './helpers';

const KEY = 'results-schedule-key-0123456789';
const FDS = "&HEAD CHID='room' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TIME T_END=10 /\n&TAIL /\n";

let emu: Emulator | null = null;
let ws: Workspace | null = null;
let root = '';
cleanUpAfterEach(() => ({ app: ws, emu, root }));

/** API calls of the pull side (anything but the simulation endpoints) the emulator counted. */
function pullCalls(e: Emulator): number {
  return Object.entries(e.calls(KEY).byEndpoint).filter(([k]) => !k.includes(' /simulation/')).reduce((n, [, v]) => n + v, 0);
}

describe('the results schedule after SYNC', () => {
  it('stops at the first pull that brought the partial results', async () => {
    const sched = new ManualScheduler();
    emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0, startTime: new Date(sched.now()), durations: { pendingSeconds: 30, runSeconds: 7200, stoppingSeconds: 30 } });
    root = mkdtempSync(join(tmpdir(), 'results-schedule-'));
    const dir = join(root, 'room');
    mkdirSync(dir);
    writeFileSync(join(dir, 'room.fds'), FDS);
    ws = new Workspace({ home: join(root, 'home'), env: { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url }, useKeychain: false, scheduler: sched });
    expect(await ws.connect()).toBe(true);
    const project = ws.addProject(dir);
    const { id } = await ws.runs.launch(project.id, { cpu: 1, ram: 'standard', script: 'fds6.9.1' }, { confirm: () => true });
    await emu.clock.advance(31); // RUNNING

    const pulls: { reason: string; downloaded: string[] }[] = [];
    ws.on('resultsPulled', (e) => pulls.push({ reason: e.reason, downloaded: e.result.downloaded }));
    const { pullsAt } = await ws.runs.control(id, 'sync');
    expect(pullsAt).toEqual(DEFAULT_SYNC_PULL_DELAYS_MS.map((ms) => sched.now() + ms));

    // The first scheduled pull: the SYNC's partial results are in the storage by then.
    const first = ws.results.idle(project.id);
    await emu.clock.advance(DEFAULT_SYNC_PULL_DELAYS_MS[0]! / 1000);
    sched.advanceTo(pullsAt[0]!);
    await first;
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.reason).toBe('after-sync');
    expect(pulls[0]!.downloaded.length).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'cloudhpc.log'), 'utf8')).toContain('SYNC');
    expect(ws.results.nextPullAt(project.id)).toBeNull();

    // Past every other step of the schedule: no further pull, not one more call of the pull side.
    const calls = pullCalls(emu);
    await emu.clock.advance((DEFAULT_SYNC_PULL_DELAYS_MS.at(-1)! - DEFAULT_SYNC_PULL_DELAYS_MS[0]!) / 1000 + 60);
    sched.advanceTo(sched.now() + DEFAULT_SYNC_PULL_DELAYS_MS.at(-1)! + 60_000);
    await ws.runs.tracker.settled();
    expect(pulls).toHaveLength(1);
    expect(pullCalls(emu)).toBe(calls);
  });

  it('keeps pulling on the schedule while nothing new arrives, and a run ending drops the rest', async () => {
    const sched = new ManualScheduler();
    emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0, startTime: new Date(sched.now()) });
    root = mkdtempSync(join(tmpdir(), 'results-schedule-'));
    const dir = join(root, 'quiet');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'x');
    ws = new Workspace({ home: join(root, 'home'), env: { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url }, useKeychain: false, scheduler: sched, tuning: { syncPullDelaysMs: [1000, 2000, 3000] } });
    await ws.connect();
    const project = ws.addProject(dir);
    const reasons: string[] = [];
    ws.on('resultsPulled', (e) => reasons.push(e.reason));
    const at = ws.results.afterSync(project.id);
    const first = nextEvent(ws, 'resultsPulled');
    sched.advanceTo(at[0]!);
    expect((await first).result.downloaded).toEqual([]);
    // nothing new: the schedule goes on
    expect(ws.results.nextPullAt(project.id)).toBe(at[1]);
    await ws.results.runEnded(project.id);
    expect(reasons).toEqual(['after-sync', 'run-ended']);
    expect(ws.results.nextPullAt(project.id)).toBeNull();
    await ws.results.idle(project.id);
  });
});

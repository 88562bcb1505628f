// A second launch on a storage folder that has a run active is refused (code 'run-active', the run
// named) unless forced; a run the workspace still believes active but that ended unseen is checked
// with the service (one index-short) and does not block. Emulator on loopback, manual clocks: the
// tracker never polls by itself here, so what the launch knows comes from the check alone.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { LaunchRefused } from '../../../src-main/node/simulation/launch';
import { ManualScheduler } from '../../../src-main/node/simulation/scheduler';
import { Workspace } from '../../../src-main/node/workspace';

const KEY = 'run-active-key-0123456789';
const FDS = "&HEAD CHID='room' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TIME T_END=10 /\n&TAIL /\n";
const CHOICE = { cpu: 1, ram: 'standard', script: 'fds6.9.1' };

let emu: Emulator | null = null;
let ws: Workspace | null = null;
let root = '';
afterEach(async () => {
  await ws?.close();
  await emu?.stop();
  rmSync(root, { recursive: true, force: true });
});

const adds = (e: Emulator): number => e.calls(KEY).byEndpoint['POST /simulation/add'] ?? 0;

async function setup(): Promise<{ projectId: string }> {
  const sched = new ManualScheduler();
  emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0, startTime: new Date(sched.now()), durations: { pendingSeconds: 30, runSeconds: 600, stoppingSeconds: 30 } });
  root = mkdtempSync(join(tmpdir(), 'run-active-'));
  const dir = join(root, 'room');
  mkdirSync(dir);
  writeFileSync(join(dir, 'room.fds'), FDS);
  ws = new Workspace({ home: join(root, 'home'), env: { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url }, useKeychain: false, scheduler: sched });
  expect(await ws.connect()).toBe(true);
  return { projectId: ws.addProject(dir).id };
}

describe('a launch while a run is active on the same storage folder', () => {
  it('is refused with the run named, launches when forced', async () => {
    const { projectId } = await setup();
    const { id } = await ws!.runs.launch(projectId, CHOICE, { confirm: () => true });
    await emu!.clock.advance(31); // RUNNING
    const before = adds(emu!);
    const refused = await ws!.runs.launch(projectId, CHOICE, { confirm: () => true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LaunchRefused);
    expect((refused as LaunchRefused).code).toBe('run-active');
    expect((refused as LaunchRefused).activeRuns).toEqual([id]);
    expect(adds(emu!)).toBe(before); // nothing launched
    const forced = await ws!.runs.launch(projectId, CHOICE, { confirm: () => true, force: true });
    expect(forced.id).not.toBe(id);
    expect(adds(emu!)).toBe(before + 1);
  });

  it('asks the service about a run believed active that ended unseen, and launches', async () => {
    const { projectId } = await setup();
    const { id } = await ws!.runs.launch(projectId, CHOICE, { confirm: () => true });
    await emu!.clock.advance(31 + 600 + 60); // ended in the service; the workspace has not looked
    expect((await ws!.runs.activeOn(projectId, { ask: false })).map((r) => r.simulation.id)).toEqual([id]);
    const indexShort = (): number => Object.entries(emu!.calls(KEY).byEndpoint).filter(([k]) => k.includes('index-short')).reduce((n, [, v]) => n + v, 0);
    const listed = indexShort();
    expect(await ws!.runs.activeOn(projectId, { ask: true })).toEqual([]);
    expect(indexShort()).toBe(listed + 1); // one index-short, no more
    // the check's reply reached the tracker: the run is known ended, nothing is asked again
    expect((await ws!.runs.activeOn(projectId, { ask: false })).map((r) => r.simulation.id)).toEqual([]);
    expect(await ws!.runs.activeOn(projectId, { ask: true })).toEqual([]);
    expect(indexShort()).toBe(listed + 1);
    const second = await ws!.runs.launch(projectId, CHOICE, { confirm: () => true });
    expect(second.id).not.toBe(id);
  });
});

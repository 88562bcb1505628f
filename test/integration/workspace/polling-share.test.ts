// Changing the polling share while runs are active: the one tracker takes the new share, nothing is
// rebuilt, and no run is reported twice (its first sighting, each status change, its end
// notification and its results pull come once). AppCore against the emulator; the workspace's clock
// is a manual one moved in step with the emulator's simulated clock.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import type { AnyEvent } from '../../../src-main/node/app/endpoint';
import { AppCore } from '../../../src-main/node/app/app-core';
import { ManualScheduler } from '../../../src-main/node/simulation/scheduler';
import { cleanUpAfterEach, ok } from './helpers';

const KEY = 'polling-share-key-0123456789';

let emu: Emulator | null = null;
let core: AppCore | null = null;
let root = '';
cleanUpAfterEach(() => ({ app: core, emu, root }));

describe('switching the polling share while runs are active', () => {
  it('never reports a run twice', async () => {
    const sched = new ManualScheduler();
    emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0, startTime: new Date(sched.now()), durations: { pendingSeconds: 30, runSeconds: 300, stoppingSeconds: 30 } });
    root = mkdtempSync(join(tmpdir(), 'polling-share-'));
    core = await AppCore.create({
      transport: 'headless', home: join(root, 'home'), env: { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url }, useKeychain: false,
      scheduler: sched, tuning: { trackerMinIntervalMs: 5_000 },
    });
    const events: AnyEvent[] = [];
    core.onEvent((e) => events.push(e));
    await core.start();
    const ws = core.workspace;
    const tracker = ws.runs.tracker;
    const endPulls: string[] = [];
    ws.on('resultsPulled', (e) => { if (e.reason === 'run-ended') endPulls.push(e.projectId); });
    const ids: number[] = [];
    for (const name of ['one', 'two']) {
      const dir = join(root, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\necho hi\n');
      const p = ok(await core.call('addProject', { dir }));
      ids.push(ok(await core.call('launchSimulation', { projectId: p.id, options: { cpu: 1, ram: 'standard', script: 'custom-script', mesh: '', regular: true }, acceptWarnings: true })).simulation.id);
    }
    /** Moves both clocks by `s` seconds and waits for the polls (and pulls) that fell due. */
    const step = async (s: number): Promise<void> => {
      await emu!.clock.advance(s);
      sched.advanceTo(sched.now() + s * 1000);
      await tracker.settled();
    };
    const status = (id: number) => tracker.get(id)?.status;

    for (let i = 0; i < 20 && !ids.every((id) => status(id) === 30); i++) await step(10);
    expect(ids.map(status)).toEqual([30, 30]);
    // Change the share twice while both run.
    ok(await core.call('setSettings', { settings: { pollingShare: 0.5 } }));
    await step(10);
    ok(await core.call('setSettings', { settings: { pollingShare: 0.1 } }));
    expect(ws.runs.tracker).toBe(tracker);
    for (let i = 0; i < 60 && !ids.every((id) => status(id) === 10); i++) await step(20);
    expect(ids.map(status)).toEqual([10, 10]);
    for (let i = 0; i < 5; i++) await step(120); // and a while after
    await ws.results.idle(core.workspace.projects()[0]!.id);
    await ws.results.idle(core.workspace.projects()[1]!.id);

    for (const id of ids) {
      const changes = events.flatMap((e) => (e.name === 'simulationChanged' && e.payload.simulation.id === id && e.payload.previousStatus !== e.payload.simulation.status ? [`${e.payload.previousStatus}→${e.payload.simulation.status}`] : []));
      expect(changes).toEqual(['null→20', '20→30', '30→10']);
      expect(events.filter((e) => e.name === 'notification' && e.payload.kind === 'simulation-ended' && e.payload.simulationId === id)).toHaveLength(1);
    }
    // One results pull per run end, in each project.
    expect(endPulls.sort()).toEqual(ws.projects().map((p) => p.id).sort());
    expect(ws.runs.list().filter((r) => r.simulation.status === 10).map((r) => r.simulation.id).sort()).toEqual([...ids].sort());
  });
});

// 7. Budget: API calls per hour spent by the simulation tracker, with a frozen emulator clock moved
// in simulated time (the tracker's ManualScheduler in step), so an hour takes a second or two.
// Cases: no active simulation (after the one look at start), and 5 active simulations with nobody
// watching and with the user watching one of them, at 500 and 100 calls/hour.
import { startEmulator, type Emulator } from '../../emulator/index';
import { CallBudget } from '../../src-main/node/api/budget';
import { CloudHpcClient } from '../../src-main/node/api/client';
import { ManualScheduler } from '../../src-main/node/simulation/scheduler';
import { SimulationTracker } from '../../src-main/node/simulation/tracker';
import { API_KEY, type Ctx, type Row, met } from '../lib/context';

const HOUR = 3_600_000;
const SHARE = 1 / 3; // the tracker's default share of the hourly limit

interface Rig { emu: Emulator; client: CloudHpcClient; sched: ManualScheduler }

async function rig(hourlyLimit: number): Promise<Rig> {
  const sched = new ManualScheduler();
  const emu = await startEmulator({ keys: [{ key: API_KEY, hourlyLimit }], timeScale: 0, startTime: new Date(sched.now()), durations: { pendingSeconds: 30, runSeconds: 4 * 3600, stoppingSeconds: 60 } });
  const client = new CloudHpcClient({ apiKey: API_KEY, baseUrl: emu.url, budget: new CallBudget({ now: () => sched.now() }) });
  return { emu, client, sched };
}

/** Runs the tracker's timers until `untilMs`, moving the emulator's clock in step. */
async function drive(r: Rig, untilMs: number, tracker: SimulationTracker): Promise<void> {
  for (;;) {
    await tracker.settled();
    const due = r.sched.nextDue();
    if (due === null || due > untilMs) break;
    const dt = due - r.sched.now();
    if (dt > 0) await r.emu.clock.advance(dt / 1000);
    r.sched.runNext();
  }
  const rest = untilMs - r.sched.now();
  if (rest > 0) {
    await r.emu.clock.advance(rest / 1000);
    r.sched.advanceTo(untilMs);
  }
  await tracker.settled();
}

/** Calls in one simulated hour with `active` simulations (one watched when asked); the start-up look is not counted. */
async function hourOfTracking(limit: number, active: number, watched: boolean): Promise<{ calls: number; startup: number }> {
  const r = await rig(limit);
  const tracker = new SimulationTracker({ client: r.client, scheduler: r.sched, share: SHARE });
  try {
    const ids: number[] = [];
    for (let i = 0; i < active; i++) {
      await r.emu.seedFile(API_KEY, `case${i}/run.sh`, '#!/bin/sh\necho run\n');
      ids.push(await r.client.addSimulation({ cpu: 1, ram: 'standard', script: 'custom-script', folder: `case${i}` }));
    }
    const c0 = r.emu.calls(API_KEY).total;
    await tracker.refresh();
    for (const id of ids) tracker.track(id);
    if (watched && ids[0] !== undefined) tracker.watch(ids[0]);
    const c1 = r.emu.calls(API_KEY).total;
    await drive(r, r.sched.now() + HOUR, tracker);
    return { calls: r.emu.calls(API_KEY).total - c1, startup: c1 - c0 };
  } finally {
    tracker.close();
    await r.client.close();
    await r.emu.stop();
  }
}

export async function benchBudget(ctx: Ctx): Promise<Row[]> {
  ctx.log('7. budget: tracker over one simulated hour');
  const none = await hourOfTracking(500, 0, false);
  const rows: Row[] = [{
    id: '7a',
    benchmark: '7a. Budget: API calls per hour, no active simulation',
    engine: `${none.calls} calls/hour (+${none.startup} at start)`,
    baseline: 'provider\'s -wait: 60 calls/hour per simulation while one runs; 0 otherwise',
    ratio: '—',
    calls: `${none.calls}`,
    goal: '0 per hour',
    met: met(none.calls === 0),
    notes: ['Simulated time (frozen emulator clock advanced in step with the tracker\'s scheduler): deterministic, one run.'],
    data: { calls: none.calls, startup: none.startup },
  }];
  for (const limit of [500, 100]) {
    const unwatched = await hourOfTracking(limit, 5, false);
    const watched = await hourOfTracking(limit, 5, true);
    const cap = Math.floor(limit * SHARE);
    const worst = Math.max(unwatched.calls, watched.calls);
    rows.push({
      id: limit === 500 ? '7b' : '7c',
      benchmark: `7${limit === 500 ? 'b' : 'c'}. Budget: 5 active simulations, hourly limit ${limit}`,
      engine: `${unwatched.calls} calls/hour unwatched; ${watched.calls} with one watched`,
      baseline: `provider's -wait per simulation: ${5 * 60} calls/hour`,
      ratio: `${(worst / limit * 100).toFixed(0)}% of the limit`,
      calls: `${worst}`,
      goal: `≤ ${cap} (1/3 of ${limit})`,
      met: met(worst <= cap),
      notes: [],
      data: { limit, share: SHARE, unwatched, watched, cap },
    });
  }
  return rows;
}

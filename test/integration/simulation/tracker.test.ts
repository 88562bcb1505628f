import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { CallBudget } from '../../../src-main/node/api/budget';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { ManualScheduler } from '../../../src-main/node/simulation/scheduler';
import { pollInterval, SimulationTracker, type Finished, type StatusChange } from '../../../src-main/node/simulation/tracker';

const KEY = 'tracker-key-0123456789';
const TRACKING = ['GET /simulation/index-short/{field}/{order}/{page}', 'GET /simulation/view-short/{id}', 'GET /simulation/view/{id}'];

interface Rig { emu: Emulator; client: CloudHpcClient; sched: ManualScheduler; tracker?: SimulationTracker }
let rig: Rig | null = null;

async function setup(opts: { hourlyLimit: number; runSeconds: number; logWarnings?: string[] }): Promise<Rig> {
  const sched = new ManualScheduler();
  const emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: opts.hourlyLimit }], timeScale: 0, startTime: new Date(sched.now()), durations: { pendingSeconds: 30, runSeconds: opts.runSeconds, stoppingSeconds: 60 }, logWarnings: opts.logWarnings });
  const client = new CloudHpcClient({ apiKey: KEY, baseUrl: emu.url, budget: new CallBudget({ now: () => sched.now() }) });
  rig = { emu, client, sched };
  return rig;
}

afterEach(async () => {
  if (!rig) return;
  rig.tracker?.close();
  await rig.client.close();
  await rig.emu.stop();
  rig = null;
});

function trackingCalls(emu: Emulator): number {
  const by = emu.calls(KEY).byEndpoint;
  return TRACKING.reduce((s, k) => s + (by[k] ?? 0), 0);
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
  if (rest > 0) { await r.emu.clock.advance(rest / 1000); r.sched.advanceTo(untilMs); }
  await tracker.settled();
}

async function launchCases(r: Rig, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    await r.emu.seedFile(KEY, `case${i}/run.sh`, '#!/bin/sh\necho run\n');
    ids.push(await r.client.addSimulation({ cpu: 1, ram: 'standard', script: 'custom-script', folder: `case${i}` }));
  }
  return ids;
}

describe('poll interval', () => {
  const base = { hourlyLimit: 100, hourlyLeft: 90, share: 1 / 3, assumedHourlyLimit: 100, watched: false, hidden: false, minMs: 30_000, maxMs: 900_000 };
  it('spends half the share unwatched, the full share watched, and backs off when hidden or low', () => {
    const unwatched = pollInterval(base);
    const watched = pollInterval({ ...base, watched: true });
    expect(3_600_000 / unwatched).toBeLessThanOrEqual(100 / 3 / 2 + 0.01);
    expect(watched).toBeLessThan(unwatched);
    expect(pollInterval({ ...base, hidden: true })).toBeGreaterThan(unwatched * 3);
    expect(pollInterval({ ...base, hourlyLeft: 10 })).toBeGreaterThan(unwatched * 3);
    expect(pollInterval({ ...base, hourlyLimit: 500, hourlyLeft: 450 })).toBeLessThan(unwatched);
    expect(pollInterval({ ...base, hourlyLimit: 0, hourlyLeft: Infinity })).toBe(60_000);
  });
});

describe('simulation tracker against the emulator', () => {
  it('five active simulations for an hour at 100 calls/hour: tracking stays within a third, a user stop goes through at once', async () => {
    const r = await setup({ hourlyLimit: 100, runSeconds: 4 * 3600 });
    const ids = await launchCases(r, 5);
    const tracker = new SimulationTracker({ client: r.client, scheduler: r.sched });
    r.tracker = tracker;
    const changes: StatusChange[] = [];
    tracker.on('status', (c) => changes.push(c));
    for (const id of ids) tracker.track(id);
    const before = trackingCalls(r.emu);
    const start = r.sched.now();
    await drive(r, start + 20 * 60_000, tracker);
    tracker.watch(ids[1]!);
    await drive(r, start + 40 * 60_000, tracker);
    // the user stops one run: it must not wait for the tracker's budget
    const stopped = await r.client.stopSimulation(ids[0]!, 'SIGTSTP', { priority: 'user' });
    expect(stopped).toBe(true);
    expect(r.emu.simulations(KEY).find((s) => s.id === ids[0])!.status).toBe(40);
    tracker.watch(null);
    await drive(r, start + 60 * 60_000, tracker);
    const used = trackingCalls(r.emu) - before;
    expect(used).toBeLessThanOrEqual(Math.floor(100 / 3));
    expect(used).toBeGreaterThanOrEqual(12);
    expect(r.emu.calls(KEY).byEndpoint['GET /simulation/view-short/{id}'] ?? 0).toBeGreaterThan(0);
    // every run went pending -> running; the stopped one reached STOPPED and was diagnosed
    for (const id of ids) expect(changes.some((c) => c.simulation.id === id && c.to === 30)).toBe(true);
    expect(changes.some((c) => c.simulation.id === ids[0] && c.to === 50)).toBe(true);
    expect(tracker.isPolling()).toBe(true);
  });

  it('stops polling when nothing is active, pulls on every terminal status, and flags completed runs with errors in the log', async () => {
    const r = await setup({ hourlyLimit: 500, runSeconds: 300, logWarnings: ['@@@ ERROR: solver diverged at step 3'] });
    const ids = await launchCases(r, 2);
    const pulled: Finished[] = [];
    const tracker = new SimulationTracker({ client: r.client, scheduler: r.sched, onTerminal: (f) => { pulled.push(f); } });
    r.tracker = tracker;
    for (const id of ids) tracker.track(id);
    await drive(r, r.sched.now() + 30 * 60_000, tracker);
    expect(pulled.map((f) => f.simulation.id).sort()).toEqual([...ids].sort());
    for (const f of pulled) {
      expect(f.simulation.status).toBe(10);
      expect(f.outcome).toBe('completed with errors');
      expect(f.diagnoses.some((d) => d.id === 'service-error')).toBe(true);
      expect(f.simulation.cpuHours).not.toBeNull();
    }
    expect(tracker.isPolling()).toBe(false);
    expect(r.sched.pending()).toBe(0);
    const calls = r.emu.calls(KEY).total;
    await r.emu.clock.advance(3600);
    r.sched.advanceTo(r.sched.now() + 3_600_000);
    await tracker.settled();
    expect(r.emu.calls(KEY).total).toBe(calls);
  });

  it('picks up a simulation started elsewhere on a known folder, not on other folders', async () => {
    const r = await setup({ hourlyLimit: 500, runSeconds: 3600 });
    const [mine] = await launchCases(r, 1);
    const tracker = new SimulationTracker({ client: r.client, scheduler: r.sched, isKnownFolder: (f) => f === 'case0' || f === 'shared' });
    r.tracker = tracker;
    const discovered: number[] = [];
    tracker.on('discovered', (s) => discovered.push(s.id));
    tracker.track(mine!);
    await drive(r, r.sched.now() + 5 * 60_000, tracker);
    // another client (the web app) starts two runs
    const other = new CloudHpcClient({ apiKey: KEY, baseUrl: r.emu.url });
    await r.emu.seedFile(KEY, 'shared/run.sh', 'echo');
    await r.emu.seedFile(KEY, 'foreign/run.sh', 'echo');
    const a = await other.addSimulation({ cpu: 1, ram: 'standard', script: 'custom-script', folder: 'shared' });
    await other.addSimulation({ cpu: 1, ram: 'standard', script: 'custom-script', folder: 'foreign' });
    await other.close();
    await drive(r, r.sched.now() + 10 * 60_000, tracker);
    expect(discovered).toEqual([a]);
    expect(tracker.list().find((s) => s.id === a)?.status).toBe(30);
  });

  it('never exceeds its share, not for a refresh nor for the log of a finished run; close() ends every wait', async () => {
    const r = await setup({ hourlyLimit: 30, runSeconds: 60 });
    const [id] = await launchCases(r, 1);
    const finished: Finished[] = [];
    const pulled: number[] = [];
    const tracker = new SimulationTracker({ client: r.client, scheduler: r.sched, onTerminal: (f) => { pulled.push(f.simulation.id); } });
    r.tracker = tracker;
    tracker.on('finished', (f) => finished.push(f));
    tracker.track(id!);
    const before = trackingCalls(r.emu);
    for (let i = 0; i < 9; i++) await tracker.refresh();
    await r.emu.clock.advance(600);
    await tracker.refresh(); // the 10th call (a third of 30) sees the run COMPLETED
    await tracker.refresh(); // no room: no call
    expect(tracker.list()[0]!.status).toBe(10);
    expect(trackingCalls(r.emu) - before).toBe(10);
    expect(tracker.callsLastHour()).toBe(10);
    await Promise.resolve();
    // no room to read the log: the results are pulled at once, the diagnosis waits for room in the hour
    expect(pulled).toEqual([id]);
    expect(finished.map((f) => [f.simulation.id, f.diagnosed])).toEqual([[id, false]]);
    tracker.close();
    await tracker.settled();
    expect(trackingCalls(r.emu) - before).toBe(10);
    expect(finished).toHaveLength(1);
  });

  it('reads the postponed log when the hour has room again', async () => {
    const r = await setup({ hourlyLimit: 30, runSeconds: 60 });
    const [id] = await launchCases(r, 1);
    const finished: Finished[] = [];
    const tracker = new SimulationTracker({ client: r.client, scheduler: r.sched });
    r.tracker = tracker;
    tracker.on('finished', (f) => finished.push(f));
    tracker.on('diagnosed', (f) => finished.push(f));
    tracker.track(id!);
    for (let i = 0; i < 9; i++) await tracker.refresh();
    await r.emu.clock.advance(600);
    await tracker.refresh();
    await drive(r, r.sched.now() + 3_700_000, tracker);
    expect(finished.map((f) => f.diagnosed)).toEqual([false, true]);
    expect(finished[1]!.outcome).toBe('completed');
    expect(finished[1]!.simulation.output).toContain('@@@');
  });

  it('survives a failing service: reports the error, backs off, and recovers', async () => {
    const r = await setup({ hourlyLimit: 0, runSeconds: 3600 });
    const [id] = await launchCases(r, 1);
    await r.client.close();
    r.client = new CloudHpcClient({ apiKey: KEY, baseUrl: r.emu.url, budget: new CallBudget({ now: () => r.sched.now() }), retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } });
    const errors: string[] = [];
    const tracker = new SimulationTracker({ client: r.client, scheduler: r.sched });
    r.tracker = tracker;
    tracker.on('error', (e) => errors.push(e.message));
    tracker.track(id!);
    await tracker.refresh();
    const healthy = tracker.nextPollAt()! - r.sched.now();
    r.emu.setFaults({ error500Rate: 1 });
    await drive(r, r.sched.now() + healthy + 1, tracker);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toContain('Could not read the simulations');
    expect(tracker.nextPollAt()! - r.sched.now()).toBeGreaterThan(healthy);
    r.emu.setFaults({});
    await drive(r, r.sched.now() + 30 * 60_000, tracker);
    expect(tracker.get(id!)!.status).toBe(30);
    expect(tracker.isPolling()).toBe(true);
  });

  it('polls faster while watched and backs off while the window is hidden', async () => {
    const r = await setup({ hourlyLimit: 100, runSeconds: 3600 });
    const [id] = await launchCases(r, 1);
    const tracker = new SimulationTracker({ client: r.client, scheduler: r.sched });
    r.tracker = tracker;
    tracker.track(id!);
    await tracker.refresh();
    const gap = (): number => tracker.nextPollAt()! - r.sched.now();
    const normal = gap();
    tracker.watch(id!);
    expect(gap()).toBeLessThan(normal);
    tracker.watch(null);
    tracker.setHidden(true);
    expect(gap()).toBeGreaterThanOrEqual(normal * 4 - 1);
    tracker.setHidden(false);
    expect(gap()).toBe(normal);
  });
});

// Run insight inside the run lifecycle, against the emulator: a followed OpenFOAM run shows its
// percent, ETA and residuals from the replies the tracking already gets; the insight is saved and
// comes back after a restart; a diverging run raises its warning once, as a notification. The
// workspace's clock is a manual one moved in step with the emulator's simulated clock.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { writeOpenFoamSample } from '../../../emulator/samples';
import type { NotificationPayload } from '../../../src-main/common/contract';
import type { RunInsightView } from '../../../src-main/common/insight';
import type { AnyEvent } from '../../../src-main/node/app/endpoint';
import { AppCore } from '../../../src-main/node/app/app-core';
import { ManualScheduler } from '../../../src-main/node/simulation/scheduler';
import { cleanUpAfterEach, ok } from './helpers';

const KEY = 'run-insight-key-0123456789';

let emu: Emulator | null = null;
let core: AppCore | null = null;
let root = '';
cleanUpAfterEach(() => {
  const started = { app: core, emu, root };
  core = null;
  emu = null;
  return started;
});

interface Setup { sched: ManualScheduler; home: string; events: AnyEvent[]; step: (s: number) => Promise<void> }

async function setup(runSeconds: number): Promise<Setup> {
  const sched = new ManualScheduler();
  emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 500 }], timeScale: 0, startTime: new Date(sched.now()), durations: { pendingSeconds: 30, runSeconds, stoppingSeconds: 30 } });
  root = mkdtempSync(join(tmpdir(), 'run-insight-'));
  const home = join(root, 'home');
  const events: AnyEvent[] = [];
  core = await open(home, sched, events);
  /** Moves both clocks by `s` seconds and waits for the polls and log reads that fell due. */
  const step = async (s: number): Promise<void> => {
    await emu!.clock.advance(s);
    sched.advanceTo(sched.now() + s * 1000);
    await core!.workspace.runs.tracker.settled();
  };
  return { sched, home, events, step };
}

async function open(home: string, sched: ManualScheduler, events: AnyEvent[]): Promise<AppCore> {
  const c = await AppCore.create({
    transport: 'headless', home, env: { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu!.url }, useKeychain: false,
    scheduler: sched, tuning: { trackerMinIntervalMs: 30_000, logMinIntervalMs: 30_000 },
  });
  c.onEvent((e) => events.push(e));
  await c.start();
  return c;
}

async function launchFoam(name: string, extra: Record<string, string> = {}): Promise<number> {
  const dir = join(root, name);
  await writeOpenFoamSample(dir);
  for (const [rel, text] of Object.entries(extra)) writeFileSync(join(dir, rel), text);
  const p = ok(await core!.call('addProject', { dir }));
  const r = ok(await core!.call('launchSimulation', { projectId: p.id, options: { cpu: 2, ram: 'standard', script: 'openFoam-v2406', mesh: '', regular: true }, acceptWarnings: true }));
  return r.simulation.id;
}

const insight = async (id: number): Promise<RunInsightView> => ok(await core!.call('getRunInsight', { id }));
const viewCalls = (): number => Object.entries(emu!.calls(KEY).byEndpoint).filter(([k]) => k.includes('/simulation/view')).reduce((n, [, v]) => n + v, 0);

describe('run insight in the app', { timeout: 60_000 }, () => {
  it('a followed run: percent and ETA advance, residuals plotted, tray and list carry the percent; saved and restored after a restart', async () => {
    const { sched, home, events, step } = await setup(3600);
    const id = await launchFoam('cavity');
    const before = await insight(id);
    expect(before.progress).toMatchObject({ known: false, reason: 'the log has not been read yet' });
    ok(await core!.call('watchSimulation', { id }));
    await step(31); // RUNNING
    const seen: RunInsightView[] = [];
    for (let i = 0; i < 8; i++) {
      await step(120);
      seen.push(await insight(id));
    }
    const [a, b] = [seen[2]!, seen[7]!];
    expect(a.progress).toMatchObject({ known: true, window: { end: 500, source: 'endTime in system/controlDict' } });
    expect(b.progress.percent!).toBeGreaterThan(a.progress.percent!);
    expect(a.progress.etaSeconds).not.toBeNull();
    expect(b.progress.etaSeconds!).toBeLessThan(a.progress.etaSeconds!);
    // the run lasts an hour: at 8 × 2 min in, about 27 % done and about 44 min to go
    expect(b.progress.percent!).toBeGreaterThan(20);
    expect(b.progress.percent!).toBeLessThan(35);
    expect(Math.abs(b.progress.etaSeconds! - (3600 - 8 * 120))).toBeLessThan(0.1 * 3600);
    const residuals = b.charts.find((c) => c.id === 'residuals');
    expect(residuals?.series.map((s) => s.key)).toEqual(expect.arrayContaining(['residual:p', 'residual:Ux']));
    expect(residuals!.series[0]!.x.length).toBeGreaterThan(20);
    // the watched run's insight is pushed as an event; the list and the tray carry its percent
    const pushed = events.filter((e) => e.name === 'runInsight');
    expect(pushed.length).toBeGreaterThan(3);
    const state = await core!.snapshot();
    const sv = state.simulations.find((s) => s.id === id)!;
    expect(sv.progress?.percent).toBe(b.progress.percent);
    expect(state.tray.running).toEqual([expect.objectContaining({ id, percent: b.progress.percent })]);
    expect(state.tray.line).toContain(`1 simulation running (${Math.floor(b.progress.percent!)} %)`);

    // runs to its end: 100 %, saved in the app data folder
    for (let i = 0; i < 40 && core!.workspace.runs.tracker.get(id)?.status !== 10; i++) await step(120);
    const done = await insight(id);
    expect(done.progress).toMatchObject({ percent: 100, etaSeconds: 0 });
    expect(existsSync(join(home, 'insight', `${id}.json`))).toBe(true);
    const points = done.charts.find((c) => c.id === 'residuals')!.series[0]!.x.length;

    // a restart: the series come back from the app data folder, before any log read
    await core!.stop();
    const calls = viewCalls();
    core = await open(home, sched, []);
    const again = await insight(id);
    expect(viewCalls()).toBe(calls);
    expect(again.progress.percent).toBe(100);
    expect(again.charts.find((c) => c.id === 'residuals')!.series[0]!.x.length).toBe(points);
  });

  it('a diverging run that nobody watches: the warning comes once, with what was seen and the options', async () => {
    const { events, step } = await setup(1200);
    const id = await launchFoam('diverging', { 'emulator-behaviour.json': '{"mode": "diverging", "at": 0.7}' });
    for (let i = 0; i < 40 && core!.workspace.runs.tracker.get(id)?.status !== 60; i++) await step(30);
    expect(core!.workspace.runs.tracker.get(id)?.status).toBe(60);
    const notes = events.flatMap((e) => (e.name === 'notification' && e.payload.kind === 'simulation-warning' ? [e.payload] : [])) as NotificationPayload[];
    const codes = notes.map((n) => n.warning?.code);
    expect(codes).toContain('residuals-rising');
    expect(new Set(codes).size).toBe(codes.length); // each once
    const rising = notes.find((n) => n.warning?.code === 'residuals-rising')!;
    expect(rising).toMatchObject({ simulationId: id, title: `Simulation ${id} may be diverging` });
    expect(rising.body).toContain('Soft stop');
    expect(rising.warning!.options.map((o) => o.action)).toEqual(expect.arrayContaining(['soft-stop', 'sync']));
    // seen before the run ended
    const ended = events.findIndex((e) => e.name === 'notification' && e.payload.kind === 'simulation-ended');
    expect(events.findIndex((e) => e.name === 'notification' && e.payload.kind === 'simulation-warning')).toBeLessThan(ended);
  });
});

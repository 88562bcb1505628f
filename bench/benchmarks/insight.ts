// 8. Run insight (issue 12): on the emulator's steady runs, is the ETA at 25 % progress within 10 % of
// the remaining time the run really took, and does following a run's progress cost API calls?
// Both measured in this run against the emulator (frozen clock moved in simulated time).
//
// 8a–c. ETA: one run per case (FDS T_END 30 s, OpenFOAM simpleFoam to iteration 500, OpenFOAM
//   pimpleFoam to 0.6 s), two hours of running each; its log read through view/{id} at the cadence
//   the app uses for a watched run at 500 and at 100 calls/hour (tracker.ts pollInterval), the new
//   tail fed to RunInsight with the emulator's time of the read. The first reading at or past 25 %
//   gives the ETA; the run's real end (`edate`) gives the remaining time it really took.
// 8d. Calls per run-hour: one watched running run over one simulated hour, followed by the bare
//   SimulationTracker (the baseline: the tracking alone, without run insight) and by the app's own
//   run lifecycle (the Workspace: the same tracker, with run insight wired in, fed from the replies
//   it gets, on a project folder so the case's end is known). Same case, same clock, same run.
import { startEmulator, type Emulator } from '../../emulator/index';
import { writeFdsSample, writeOpenFoamSample } from '../../emulator/samples';
import { CallBudget } from '../../src-main/node/api/budget';
import { CloudHpcClient } from '../../src-main/node/api/client';
import { SimStatus, type Simulation } from '../../src-main/node/api/types';
import { fdsWindow, openFoamWindow } from '../../src-main/node/simulation/insight/end-time';
import { OutputTail } from '../../src-main/node/simulation/insight/lines';
import { RunInsight, type CaseWindow } from '../../src-main/node/simulation/insight/run-insight';
import { ManualScheduler } from '../../src-main/node/simulation/scheduler';
import { SimulationTracker, pollInterval } from '../../src-main/node/simulation/tracker';
import { Workspace } from '../../src-main/node/workspace';
import { API_KEY, type Ctx, type Row, met } from '../lib/context';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOUR = 3_600_000;
const RUN_SECONDS = 2 * 3600;
const PENDING_SECONDS = 30;

interface CaseDef { name: string; script: string; folder: string; files: (dir: string) => Promise<Record<string, string>>; window: (files: Record<string, string>) => CaseWindow }

async function written(dir: string, write: (d: string) => Promise<string[]>, override: Record<string, string> = {}): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of await write(dir)) out[rel] = await readFile(join(dir, ...rel.split('/')), 'utf8');
  return { ...out, ...override };
}

const CASES: CaseDef[] = [
  { name: 'FDS, T_END 30 s', script: 'fds6.9.1', folder: 'fire', files: (d) => written(d, writeFdsSample), window: (f) => fdsWindow(f['room_fire.fds']!, 'room_fire.fds') },
  { name: 'OpenFOAM simpleFoam, endTime 500', script: 'openFoam-v2406', folder: 'cavity', files: (d) => written(d, writeOpenFoamSample), window: (f) => ({ ...openFoamWindow(f['system/controlDict']!)!, start: 0 }) },
  {
    name: 'OpenFOAM pimpleFoam, endTime 0.6 s',
    script: 'openFoam-v2406',
    folder: 'pimple',
    files: (d) => written(d, writeOpenFoamSample, { 'system/controlDict': 'application pimpleFoam;\nstartFrom startTime;\nstartTime 0;\nstopAt endTime;\nendTime 0.6;\ndeltaT 0.0005;\n' }),
    window: (f) => ({ ...openFoamWindow(f['system/controlDict']!)!, start: 0 }),
  },
];

/** The interval the app polls a watched run at, for this hourly limit (tracker.ts). */
function watchedIntervalMs(limit: number): number {
  return pollInterval({ hourlyLimit: limit, hourlyLeft: limit, share: 1 / 3, assumedHourlyLimit: 100, watched: true, hidden: false, minMs: 30_000, maxMs: 15 * 60_000 });
}

function sqlDateMs(s: string | null): number {
  return s ? Date.parse(`${s.replace(' ', 'T')}Z`) : Number.NaN;
}

interface EtaResult { etaSeconds: number; realSeconds: number; percentAt: number; reads: number; uncertainty: number }

async function etaRun(ctx: Ctx, c: CaseDef, limit: number): Promise<EtaResult> {
  const emu = await startEmulator({ keys: [{ key: API_KEY, hourlyLimit: 0 }], timeScale: 0, durations: { pendingSeconds: PENDING_SECONDS, runSeconds: RUN_SECONDS } });
  const client = new CloudHpcClient({ apiKey: API_KEY, baseUrl: emu.url });
  const dir = await mkdtemp(join(ctx.tmp, 'insight-case-'));
  try {
    const files = await c.files(dir);
    for (const [rel, text] of Object.entries(files)) await emu.seedFile(API_KEY, `${c.folder}/${rel}`, text);
    const id = await client.addSimulation({ cpu: 4, ram: 'standard', script: c.script, folder: c.folder });
    const ins = new RunInsight({ id, script: c.script, window: c.window(files), cpu: 4 });
    const every = watchedIntervalMs(limit);
    const tail = new OutputTail(); // what the app's run insights take the new text of view/{id} with
    let at25: { eta: number; at: number; pct: number; unc: number } | null = null;
    let reads = 0;
    let sim: Simulation | null = null;
    for (;;) {
      sim = await client.view(id);
      reads++;
      const now = emu.clock.now().getTime();
      ins.feedText(tail.next(sim.output ?? ''), now);
      ins.update({ status: sim.status }, now);
      const p = ins.progress(now);
      if (!at25 && p.percent !== null && p.percent >= 25 && p.etaSeconds !== null) at25 = { eta: p.etaSeconds, at: now, pct: p.percent, unc: p.etaUncertaintySeconds ?? 0 };
      if (sim.status !== SimStatus.PENDING && sim.status !== SimStatus.RUNNING) break;
      await emu.clock.advance(every / 1000);
    }
    if (!at25) throw new Error(`${c.name}: no ETA at 25 % (status ${sim.status})`);
    const end = sqlDateMs(sim.edate);
    return { etaSeconds: at25.eta, realSeconds: (end - at25.at) / 1000, percentAt: at25.pct, reads, uncertainty: at25.unc };
  } finally {
    await client.close();
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

type Follower = 'tracker alone' | 'workspace';

interface Followed { calls: number; fedReads: number; percent: number | null; eta: number | null }

/**
 * One watched running run over one simulated hour: API calls counted by the emulator. 'tracker alone'
 * is the bare SimulationTracker; 'workspace' is the app's run lifecycle with run insight wired in
 * (fed reads: the insight changes it reported; percent and ETA at the end of the hour).
 */
async function callsPerRunHour(limit: number, follower: Follower): Promise<Followed> {
  const sched = new ManualScheduler();
  const emu: Emulator = await startEmulator({ keys: [{ key: API_KEY, hourlyLimit: limit }], timeScale: 0, startTime: new Date(sched.now()), durations: { pendingSeconds: PENDING_SECONDS, runSeconds: 4 * 3600 } });
  const client = new CloudHpcClient({ apiKey: API_KEY, baseUrl: emu.url, budget: new CallBudget({ now: () => sched.now() }) });
  const root = await mkdtemp(join(tmpdir(), 'insight-calls-'));
  const dir = join(root, 'cavity');
  let tracker: SimulationTracker | null = null;
  let ws: Workspace | null = null;
  try {
    const files = await written(dir, writeOpenFoamSample);
    for (const [rel, text] of Object.entries(files)) await emu.seedFile(API_KEY, `cavity/${rel}`, text);
    const id = await client.addSimulation({ cpu: 4, ram: 'standard', script: 'openFoam-v2406', folder: 'cavity' });
    await emu.clock.advance(PENDING_SECONDS + 1);
    sched.advanceTo(sched.now() + (PENDING_SECONDS + 1) * 1000);
    let fedReads = 0;
    if (follower === 'workspace') {
      ws = new Workspace({ home: join(root, 'home'), env: { CLOUDHPC_API_KEY: API_KEY, CLOUDHPC_API_URL: emu.url }, useKeychain: false, scheduler: sched });
      if (!(await ws.connect())) throw new Error('8d: the workspace found no API key');
      ws.addProject(dir);
      ws.on('runInsight', (e) => { if (e.id === id) fedReads++; });
      tracker = ws.runs.tracker;
    } else {
      tracker = new SimulationTracker({ client, scheduler: sched });
    }
    const c0 = emu.calls(API_KEY).total;
    await tracker.refresh();
    tracker.track(id);
    if (ws) ws.runs.watch(id);
    else tracker.watch(id);
    const until = sched.now() + HOUR;
    for (;;) {
      await tracker.settled();
      const due = sched.nextDue();
      if (due === null || due > until) break;
      const dt = due - sched.now();
      if (dt > 0) await emu.clock.advance(dt / 1000);
      sched.runNext();
    }
    await tracker.settled();
    const calls = emu.calls(API_KEY).total - c0;
    const brief = ws?.runs.progressBrief(id) ?? null;
    return { calls, fedReads, percent: brief?.percent ?? null, eta: brief?.etaSeconds ?? null };
  } finally {
    if (ws) await ws.close();
    else tracker?.close();
    await client.close();
    await emu.stop();
    await rm(root, { recursive: true, force: true });
  }
}

export async function benchInsight(ctx: Ctx): Promise<Row[]> {
  ctx.log('8. run insight: ETA at 25 % on steady emulator runs; calls per run-hour');
  const rows: Row[] = [];
  const letters = ['a', 'b', 'c'];
  for (const [i, c] of CASES.entries()) {
    const results: { limit: number; r: EtaResult }[] = [];
    for (const limit of [500, 100]) results.push({ limit, r: await etaRun(ctx, c, limit) });
    const errs = results.map(({ r }) => Math.abs(r.etaSeconds - r.realSeconds) / r.realSeconds);
    const worst = Math.max(...errs);
    rows.push({
      id: `8${letters[i]}`,
      benchmark: `8${letters[i]}. ETA at 25 %: ${c.name}, 2 h run`,
      engine: results.map(({ limit, r }) => `${limit}/h (read every ${Math.round(watchedIntervalMs(limit) / 1000)} s): ETA ${Math.round(r.etaSeconds)} s ± ${Math.round(r.uncertainty)} s at ${r.percentAt} %`).join('; '),
      baseline: results.map(({ r }) => `real remaining ${Math.round(r.realSeconds)} s`).join('; '),
      ratio: `error ${errs.map((e) => `${(e * 100).toFixed(1)} %`).join(', ')}`,
      calls: results.map(({ r }) => `${r.reads} view reads`).join(', '),
      goal: 'within 10 % of the real remaining time',
      met: met(worst <= 0.1),
      notes: i === 0 ? ['The emulator\'s steady runs move the solver clock evenly, so 8a–c show that the read cadence and the estimator lose nothing; a real run whose time step changes is followed with recent readings weighing more (unit tests).'] : [],
      data: { case: c.name, results },
    });
  }
  const alone = await callsPerRunHour(500, 'tracker alone');
  const wired = await callsPerRunHour(500, 'workspace');
  // the wired app followed the run: its progress after one hour of a four-hour run is about a quarter
  const followed = wired.fedReads > 0 && wired.percent !== null && wired.percent > 20 && wired.percent < 30 && wired.eta !== null;
  rows.push({
    id: '8d',
    benchmark: '8d. API calls per run-hour, one watched run, limit 500',
    engine: `the app's run lifecycle (Workspace) with run insight wired in: ${wired.calls} calls/hour (${wired.fedReads} insight updates from the replies, progress ${wired.percent ?? '–'} % after 1 h of a 4 h run, ETA ${wired.eta === null ? '–' : `${Math.round(wired.eta / 60)} min`})`,
    baseline: `tracker alone: ${alone.calls} calls/hour`,
    ratio: `${(wired.calls / Math.max(1, alone.calls)).toFixed(2)}×`,
    calls: `${wired.calls} vs ${alone.calls}`,
    goal: 'unchanged',
    met: met(wired.calls === alone.calls && followed),
    notes: ['Simulated time, deterministic: the same run followed for one simulated hour by the bare tracker and by the wired app; run insight reads only the replies the tracking gets (index-short, view-short `logs`).'],
    data: { alone, wired },
  });
  return rows;
}

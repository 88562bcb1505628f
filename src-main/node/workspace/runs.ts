// The run lifecycle: launched → seen running → ended → results pulled, the same for the app, `serve`
// and every CLI command.
// - Launch: pre-flight, push until the storage equals the case, one simulation/add (REGULAR unless
//   asked otherwise), a record against the project, tracked from then on.
// - Seen running (RUNNING or later: past extracting upload.tar.gz) or ended while pending: the
//   project's sync engine is told once per run (persisted in the run's record), so the next edit can
//   go as single files instead of a whole snapshot.
// - Ended: the log is diagnosed (tracker) and the results are pulled once (ResultsSchedule).
// - SYNC: the partial results are pulled on the schedule until one pull brings them.
// One tracker for the workspace's life: a new polling share is applied to it, never by rebuilding it,
// so no run is reported twice.
// Run insight (progress, ETA, cost, convergence series, early warnings) is fed from the replies the
// tracker and the log readers get, through the client they share (RunInsights.tap): no call of its own.
import type { RunInsightView } from '../../common/insight';
import { ACTIVE_STATUSES, SimStatus, TERMINAL_STATUSES, type Simulation } from '../api/types';
import type { CloudHpcClient } from '../api/client';
import type { ProjectRegistry } from '../project';
import type { LaunchContextView } from '../../common/contract';
import { statusName } from '../../common/contract';
import { caseProfile, cpuFor, scriptFor } from '../simulation/case-profile';
import { scanCase } from '../simulation/case-scan';
import { learnPricePerCpuHour } from '../simulation/insight/cost';
import { SimulationControl, type ControlAction, type ControlResult } from '../simulation/control';
import { mainCause, type Outcome } from '../simulation/diagnosis';
import { DEFAULT_REGULAR, Launcher, type LaunchRequest, type LaunchResult } from '../simulation/launch';
import { LogReader } from '../simulation/log';
import { SimulationOptionsCache, type SimulationOptions } from '../simulation/options';
import { preflight, type PreflightReport } from '../simulation/preflight';
import { SimulationRecords, type SimulationRecord } from '../simulation/records';
import { runSummary } from '../simulation/run-summary';
import type { Scheduler } from '../simulation/scheduler';
import { FAMILY_LABEL } from '../simulation/solver-family';
import { SimulationTracker, type Finished, type TrackerClient } from '../simulation/tracker';
import type { PullResult } from '../sync/pull';
import type { Emitter } from '../sync/status';
import type { SyncService } from '../sync/service';
import { WorkspaceError } from './errors';
import type { RunInfo, WorkspaceEvents } from './events';
import type { ResultsSchedule } from './results-schedule';
import { RunInsights, type RunProgressBrief } from './run-insights';

export interface RunTuning {
  /** Shortest time between tracking polls (ms); default 30 s. */
  trackerMinIntervalMs?: number;
  /** Shortest time between log reads while following (ms); default 30 s. */
  logMinIntervalMs?: number;
  /** Pulls after a SYNC (ms); default 3, 6, 10 min. */
  syncPullDelaysMs?: number[];
}

export interface RunsDeps {
  home: string;
  /** The workspace's API client (a proxy to the current one). */
  client: CloudHpcClient;
  sync: SyncService;
  registry: ProjectRegistry;
  results: ResultsSchedule;
  scheduler: Scheduler;
  /** Share of the hourly API budget tracking may use (settings). */
  share: () => number;
  /** Track every active run on a project folder (the app), or only the runs asked for (the CLI). */
  trackAll: boolean;
  tuning?: RunTuning;
  events: Emitter<WorkspaceEvents>;
}

/** What a launch chooses: the solver, the machine, and optionally another storage folder's mesh. */
export interface RunChoice {
  cpu: number;
  ram: string;
  script: string;
  mesh?: string;
  /** REGULAR (default) or SPOT (false). */
  regular?: boolean;
}

export type LaunchHooks = Pick<LaunchRequest, 'confirm' | 'onReport' | 'onStep' | 'signal' | 'refreshOptions' | 'force'>;

/** How a waited-for run ended, and what its pull brought (null: no project syncs with its folder). */
export interface RunWaited {
  finished: Finished;
  projectId: string | null;
  pull: PullResult | null;
  pullError: unknown;
}

export class Runs {
  readonly records: SimulationRecords;
  readonly tracker: SimulationTracker;
  private readonly insights: RunInsights;
  /** The client the tracker and the log readers read through: each reply feeds run insight. */
  private readonly reads: TrackerClient;
  private readonly controller: SimulationControl;
  private readonly launcher: Launcher;
  private readonly options: SimulationOptionsCache;
  private readonly ended = new Map<number, Pick<RunInfo, 'outcome' | 'cause'>>();
  private readonly pending = new Map<number, ControlAction>();
  /** Lifecycle notes of runs without a record (started elsewhere, not on a project folder now). */
  private readonly notedHere = new Set<number>();
  private readonly waiters = new Map<number, ((w: RunWaited) => void)[]>();
  /** The status each run was last reported with (a run is first reported once, whoever saw it first). */
  private readonly reported = new Map<number, number>();
  /** When each run was first seen RUNNING here (local clock): an elapsed time that needs no service clock. */
  private readonly seenRunning = new Map<number, number>();
  private readonly readers = new Set<LogReader>();
  private recCache: { at: number; list: SimulationRecord[] } | null = null;
  private readonly unsubs: (() => void)[] = [];

  constructor(private readonly d: RunsDeps) {
    this.records = new SimulationRecords(d.home);
    this.options = new SimulationOptionsCache({ dir: d.home });
    this.insights = new RunInsights({
      home: d.home,
      scheduler: d.scheduler,
      caseDir: (s) => {
        const pid = this.projectOf(s);
        return pid ? this.d.registry.get(pid)?.localDir ?? null : null;
      },
      // the app follows every run on a project folder; a CLI command only what it asks for (want)
      belongs: d.trackAll ? (s) => this.projectOf(s) !== null : () => false,
      known: () => this.tracker.list(),
      onChange: (id, status) => d.events.emit('runInsight', { id, status, projectId: this.projectOf(this.tracker.get(id) ?? { id, folder: '' }) }),
      onWarning: (id, warning) => {
        const s = this.tracker.get(id);
        d.events.emit('runWarning', { run: s ? this.info(s) : this.get(id), warning });
      },
      onError: (what, error) => d.events.emit('problem', { what, error }),
    });
    this.reads = this.insights.tap(d.client);
    this.tracker = new SimulationTracker({
      client: this.reads,
      scheduler: d.scheduler,
      share: d.share(),
      // The app follows every run of the account, also those started elsewhere on a folder that is not a project.
      isKnownFolder: d.trackAll ? () => true : () => false,
      minIntervalMs: d.tuning?.trackerMinIntervalMs,
      onTerminal: (f) => this.pullEnded(f),
    });
    // The app tracks a controlled run from then on; a CLI command ends right after the request.
    this.controller = new SimulationControl({ client: d.client, known: (id) => this.tracker.get(id), onControlled: (id) => { if (d.trackAll) this.tracker.track(id); } });
    this.launcher = new Launcher({ client: d.client, sync: d.sync, records: this.records, optionsCache: this.options });
    const ev = d.events;
    this.unsubs.push(
      this.tracker.on('status', (c) => {
        this.noteLifecycle(c.simulation, c.from);
        this.report(c.simulation, c.from);
      }),
      this.tracker.on('discovered', (s) => {
        // Started elsewhere (web app, provider CLI) on a project's folder: the engine must assume
        // it extracts our archive, and the run belongs to the project from now on.
        const pid = this.projectOfFolder(s.folder);
        if (pid && !this.record(s.id)) {
          d.sync.noteSimulationStarted(pid);
          this.putRecord(s, pid);
        }
      }),
      this.tracker.on('update', (list) => ev.emit('polled', { runs: list.length })),
      this.tracker.on('error', (e) => ev.emit('problem', { what: e.message, error: e.error })),
      this.tracker.on('finished', (f) => {
        this.remember(f);
        ev.emit('runEnded', { run: this.info(f.simulation), finished: f });
      }),
      this.tracker.on('diagnosed', (f) => {
        this.remember(f);
        ev.emit('runDiagnosed', { run: this.info(f.simulation), finished: f });
      }),
      // the service's hardware monitor files, pulled into the case folder: the newest run of the project plots them
      ev.on('resultsPulled', ({ projectId, result }) => {
        const names = result.written.filter((w) => w === 'cpu.csv' || w === 'ram.csv');
        const run = names.length > 0 ? this.list().find((r) => r.projectId === projectId) : undefined;
        const dir = d.registry.get(projectId)?.localDir;
        if (run && dir) this.insights.monitorPulled(run.simulation.id, dir, names);
      }),
    );
  }

  // ---- what is known

  private recordList(): SimulationRecord[] {
    const now = Date.now();
    if (!this.recCache || now - this.recCache.at > 2000) this.recCache = { at: now, list: this.records.list() };
    return this.recCache.list;
  }

  private record(id: number): SimulationRecord | undefined {
    return this.recordList().find((r) => r.id === id);
  }

  private putRecord(s: Simulation, projectId: string): void {
    this.records.put({
      id: s.id, projectId, folder: s.folder, script: s.script, cpu: s.cpu, ram: s.ram, mesh: s.mesh, regular: s.nopre === 1,
      launchedAt: Date.now(), status: s.status, outcome: null, finishedAt: null,
    });
    this.recCache = null;
  }

  private projectOfFolder(folder: string): string | null {
    return this.d.registry.list().find((p) => p.storageFolder === folder)?.id ?? null;
  }

  /** The project of a run: the one it was launched from, else the one syncing with its folder. */
  projectOf(s: Pick<Simulation, 'id' | 'folder'>): string | null {
    return this.record(s.id)?.projectId ?? this.projectOfFolder(s.folder);
  }

  /** The solver script of the project's newest run (a pull asks for that solver's result names). */
  scriptOf(projectId: string): string | null {
    return this.recordList().find((r) => r.projectId === projectId)?.script ?? null;
  }

  private info(s: Simulation): RunInfo {
    const e = this.ended.get(s.id);
    const rec = e ? undefined : this.record(s.id);
    const outcome = e?.outcome ?? (isOutcome(rec?.outcome) ? rec.outcome : null);
    if (s.status === SimStatus.RUNNING && !this.seenRunning.has(s.id)) this.seenRunning.set(s.id, Date.now());
    return { simulation: s, projectId: this.projectOf(s), outcome, cause: e?.cause ?? null, pending: this.pending.get(s.id) ?? null, seenRunningAt: this.seenRunning.get(s.id) ?? null };
  }

  /** A launched run the service has not listed yet, from its record. */
  private fromRecord(r: SimulationRecord): Simulation {
    return {
      id: r.id, cpu: r.cpu, ram: r.ram, nopre: r.regular ? 1 : 0, folder: r.folder, mesh: r.mesh, script: r.script,
      status: r.status ?? SimStatus.PENDING, idate: null, edate: null, cpuHours: null, cost: null, vncUrl: null, ipAddress: null, output: null, logs: null,
    };
  }

  /** Every run known here (tracked or recorded), newest first. */
  list(): RunInfo[] {
    const seen = new Map<number, Simulation>();
    for (const s of this.tracker.list()) seen.set(s.id, s);
    for (const r of this.recordList()) if (!seen.has(r.id)) seen.set(r.id, this.fromRecord(r));
    return [...seen.values()].sort((a, b) => b.id - a.id).map((s) => this.info(s));
  }

  get(id: number): RunInfo {
    const s = this.tracker.get(id);
    if (s) return this.info(s);
    const r = this.record(id);
    if (r) return this.info(this.fromRecord(r));
    throw new WorkspaceError('not-found', `Simulation ${id} is not known here: refresh the list.`);
  }

  // ---- the lifecycle

  /** Emits a run event: `from` is what was last reported (null only the first time). */
  private report(s: Simulation, seenFrom: number | null): void {
    const from = this.reported.has(s.id) ? this.reported.get(s.id)! : seenFrom;
    this.reported.set(s.id, s.status);
    this.d.events.emit('run', { run: this.info(s), from });
  }

  /**
   * Tells the project's sync engine, once per run, whether the run got past extracting the project's
   * upload.tar.gz (seen RUNNING or later) or ended while pending. With it the engine may replace an
   * extracted archive by cheap single-file pushes; without it everything stays correct but costlier.
   */
  private noteLifecycle(s: Simulation, from: number | null): void {
    const pid = this.projectOf(s);
    if (!pid) return;
    const rec = this.record(s.id);
    if (rec?.noted || this.notedHere.has(s.id)) return;
    const ran: readonly number[] = [SimStatus.RUNNING, SimStatus.STOPPING, SimStatus.COMPLETED];
    let noted: 'running' | 'ended' | null = null;
    if (ran.includes(s.status) || (from !== null && ran.includes(from))) noted = 'running';
    else if (from === SimStatus.PENDING && TERMINAL_STATUSES.includes(s.status)) noted = 'ended';
    if (!noted) return;
    if (noted === 'running') this.d.sync.noteSimulationRunning(pid);
    else this.d.sync.noteSimulationEnded(pid);
    if (rec) {
      this.records.update(s.id, { noted });
      this.recCache = null;
    } else {
      this.notedHere.add(s.id);
    }
  }

  private remember(f: Finished): void {
    this.ended.set(f.simulation.id, { outcome: f.outcome, cause: mainCause(f.diagnoses) });
    if (this.record(f.simulation.id)) this.records.update(f.simulation.id, { status: f.simulation.status, outcome: f.outcome, finishedAt: Date.now() });
    this.recCache = null;
  }

  /** The tracker saw a run end: pull its project's results once, then answer whoever waits for it. */
  private async pullEnded(f: Finished): Promise<void> {
    const pid = this.projectOf(f.simulation);
    let pull: PullResult | null = null;
    let pullError: unknown = null;
    try {
      if (pid) pull = await this.d.results.runEnded(pid);
    } catch (e) {
      pullError = e;
      this.d.events.emit('problem', { what: `The results of simulation ${f.simulation.id} could not be pulled`, error: e });
    }
    for (const w of this.waiters.get(f.simulation.id) ?? []) w({ finished: f, projectId: pid, pull, pullError });
    this.waiters.delete(f.simulation.id);
  }

  // ---- what a person asks

  async launchOptions(refresh: boolean): Promise<SimulationOptions> {
    return this.options.get(this.d.client, this.d.client.baseUrl, { refresh, priority: 'user' });
  }

  /** The pre-flight of a choice (no API call): pulled results left out, fixes naming offered vCPU counts. */
  async preflight(projectId: string, choice: Pick<RunChoice, 'script' | 'cpu' | 'mesh'>): Promise<PreflightReport> {
    const p = this.projectRecord(projectId);
    const offered = this.options.peek(this.d.client.baseUrl)?.cpus;
    return preflight(await scanCase(p.localDir, { pulled: this.d.sync.pulledFiles(projectId) }), { script: choice.script, cpu: choice.cpu, mesh: choice.mesh || undefined, offeredCpus: offered });
  }

  /**
   * Runs pending, running or stopping on the project's storage folder. What is known here (tracked
   * runs, launch records) answers without a call; with `ask`, a possible one is checked with the
   * service (one index-short, user priority), as a record may belong to a run that ended unseen.
   */
  async activeOn(projectId: string, o: { ask: boolean }): Promise<RunInfo[]> {
    const folder = this.projectRecord(projectId).storageFolder;
    const here = this.list().filter((r) => r.simulation.folder === folder && ACTIVE_STATUSES.includes(r.simulation.status));
    if (!o.ask || here.length === 0) return here;
    const listed = await this.d.client.indexShort(1, 'id', 'desc', { priority: 'user' });
    this.tracker.observe(listed); // what the check saw is known from now on (no second call for it)
    return listed.filter((s) => s.folder === folder && ACTIVE_STATUSES.includes(s.status)).map((s) => this.info(s));
  }

  /** What the launch dialog preselects and warns about, from the case and what is known here (no API call). */
  async launchContext(projectId: string): Promise<LaunchContextView> {
    const p = this.projectRecord(projectId);
    const profile = caseProfile(await scanCase(p.localDir, { pulled: this.d.sync.pulledFiles(projectId) }));
    const offered = this.options.peek(this.d.client.baseUrl);
    const runs = this.list();
    const finished = runs.map((r) => r.simulation).filter((s) => s.cost !== null && s.cpuHours !== null);
    const pricePerCpuHour: Record<string, number> = {};
    for (const ram of new Set(finished.map((s) => s.ram))) {
      const price = learnPricePerCpuHour(finished.filter((s) => s.nopre === 1).map((s) => ({ ram: s.ram, cost: s.cost, cpuHours: s.cpuHours })), ram);
      if (price !== null) pricePerCpuHour[ram] = price;
    }
    const last = runs.find((r) => r.projectId === projectId && r.simulation.cost !== null)?.simulation ?? null;
    const active = await this.activeOn(projectId, { ask: false });
    return {
      family: profile.family ? FAMILY_LABEL[profile.family] : null,
      evidence: profile.evidence,
      suggested: {
        script: offered ? scriptFor(profile.family, offered.scripts, this.scriptOf(projectId)) : null,
        cpu: offered ? cpuFor(profile.processes, offered.cpus) : null,
        ram: offered?.rams.includes('standard') ? 'standard' : offered?.rams[0] ?? null,
      },
      activeRuns: active.map((r) => ({ id: r.simulation.id, statusName: statusName(r.simulation.status), script: r.simulation.script })),
      pricePerCpuHour,
      lastRun: last ? { id: last.id, script: last.script, cpu: last.cpu, ram: last.ram, cost: last.cost as number, elapsedSeconds: runSeconds(last) } : null,
    };
  }

  private projectRecord(projectId: string): { localDir: string; storageFolder: string } {
    const p = this.d.registry.get(projectId);
    if (!p) throw new WorkspaceError('not-found', 'This project is no longer in the list: refresh and try again.');
    return p;
  }

  /** Pre-flight, push, one simulation/add, record, track. LaunchRefused passes through. */
  async launch(projectId: string, choice: RunChoice, hooks: LaunchHooks = {}): Promise<LaunchResult & { run: RunInfo }> {
    const p = this.projectRecord(projectId);
    const r = await this.launcher.launch({
      projectId, localDir: p.localDir, storageFolder: p.storageFolder,
      cpu: choice.cpu, ram: choice.ram, script: choice.script, mesh: choice.mesh, regular: choice.regular ?? DEFAULT_REGULAR,
      pulled: this.d.sync.pulledFiles(projectId),
      activeRuns: async () => (await this.activeOn(projectId, { ask: true })).map((x) => x.simulation.id),
      ...hooks,
    });
    this.recCache = null;
    this.tracker.track(r.id);
    const run = this.get(r.id);
    this.report(run.simulation, null);
    return { ...r, run };
  }

  /** Soft stop (saves results), hard stop (needs `confirmed`) or SYNC; ControlError passes through. */
  async control(id: number, action: ControlAction, confirmed = false): Promise<{ run: RunInfo; result: ControlResult; pullsAt: number[] }> {
    const busy = this.pending.get(id);
    if (busy) throw new WorkspaceError('busy', `A ${busy} of simulation ${id} is already on its way.`);
    this.pending.set(id, action);
    this.changed(id);
    let result: ControlResult;
    try {
      result = action === 'soft-stop' ? await this.controller.softStop(id)
        : action === 'hard-stop' ? await this.controller.hardStop(id, { confirmed })
          : await this.controller.sync(id);
    } finally {
      this.pending.delete(id);
    }
    const pid = this.projectOf(result.simulation);
    const pullsAt = action === 'sync' && pid ? this.d.results.afterSync(pid) : [];
    if (this.d.trackAll) void this.tracker.refresh().catch(() => undefined);
    this.changed(id);
    const known = this.tracker.get(id);
    return { run: this.info(known ?? result.simulation), result, pullsAt };
  }

  /** A view-level change of a known run (no status change). */
  private changed(id: number): void {
    try {
      const run = this.get(id);
      this.d.events.emit('run', { run, from: run.simulation.status });
    } catch {
      // not known here (a CLI stop of a run never listed): nothing to tell
    }
  }

  /**
   * Follows one run until it ends and its results are pulled (the CLI's `wait`). One view-short first
   * (a wrong id fails here with the service's refusal); `signal` stops waiting.
   */
  async wait(id: number, signal?: AbortSignal): Promise<{ first: Simulation; done: Promise<RunWaited> }> {
    this.insights.want(id);
    const first = await this.reads.viewShort(id, { priority: 'user', signal });
    const done = new Promise<RunWaited>((resolve, reject) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
      signal?.addEventListener('abort', () => reject(signal.reason instanceof Error ? signal.reason : new Error('interrupted')), { once: true });
    });
    this.tracker.track(id);
    this.tracker.watch(id);
    if (!ACTIVE_STATUSES.includes(first.status)) void this.tracker.refresh(); // already ended: diagnose and pull at once
    return { first, done };
  }

  /** The person looks at one run (null: at none): it is polled faster. */
  watch(id: number | null): void {
    if (id !== null) this.insights.want(id);
    this.tracker.watch(id);
  }

  setHidden(hidden: boolean): void {
    this.tracker.setHidden(hidden);
  }

  /** The polling share setting changed: the one tracker and the open log readers take it. */
  setShare(share: number): void {
    this.tracker.setShare(share);
    for (const r of this.readers) r.setShare(share);
  }

  /** One poll now (start, window focus, after a control). */
  refresh(): Promise<void> {
    return this.tracker.refresh();
  }

  /** A reader of a run's output log, polling within the same share and clock. Close it when done. */
  logReader(id: number, onText?: (tail: string) => void): LogReader {
    this.insights.want(id);
    const reader: LogReader = new LogReader({
      client: this.reads,
      id,
      scheduler: this.d.scheduler,
      share: this.d.share(),
      minIntervalMs: this.d.tuning?.logMinIntervalMs,
      onText,
      onClose: () => this.readers.delete(reader),
    });
    this.readers.add(reader);
    return reader;
  }

  // ---- run insight

  /** What the log read so far shows of a known run: progress, ETA, cost, warnings, charts (no API call). */
  insight(id: number): RunInsightView {
    return this.insights.view(id) ?? this.insights.view(id, this.get(id).simulation)!;
  }

  /** Percent and ETA of a run followed now, null when nothing is known (the tray, the list). */
  progressBrief(id: number): RunProgressBrief | null {
    return this.insights.brief(id);
  }

  /** The series parsed from a run's log as CSV with a header, null when its log was never read here. */
  insightCsv(id: number): string | null {
    return this.insights.csv(id);
  }

  /** Lists the account's newest runs (one index-short call, user priority). */
  async listFromService(): Promise<Simulation[]> {
    return this.reads.indexShort(1, 'id', 'desc', { priority: 'user' });
  }

  close(): void {
    for (const u of this.unsubs.splice(0)) u();
    this.insights.close();
    this.tracker.close();
    for (const r of [...this.readers]) r.close();
  }
}

/** A finished run's duration from the service's dates (both in its clock), or null. */
function runSeconds(s: Simulation): number | null {
  const ms = runSummary(s).durationMs;
  return ms === null ? null : Math.round(ms / 1000);
}

const OUTCOMES: readonly string[] = ['completed', 'completed with errors', 'stopped', 'error'] satisfies Outcome[];

function isOutcome(s: string | null | undefined): s is Outcome {
  return typeof s === 'string' && OUTCOMES.includes(s);
}

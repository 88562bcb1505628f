// The simulations side of the core: tracking (budgeted polling), launch (pre-flight, push, one add),
// stop/SYNC, and the output log with its diagnosis, turned into contract views and events.
import type {
  DiagnosisView, LaunchOptionsView, LaunchRequest as UiLaunch, LogChunk, PreflightReport as UiReport, SimulationView,
} from '../../common/contract';
import { ACTIVE_STATUSES, SimStatus, TERMINAL_STATUSES, type Simulation } from '../api/types';
import type { CloudHpcClient } from '../api/client';
import { scanCase } from '../simulation/case-scan';
import { ControlError, SimulationControl, availability, type ControlAction } from '../simulation/control';
import { mainCause, outcome, type Diagnosis } from '../simulation/diagnosis';
import { LaunchRefused, Launcher, type LaunchSync } from '../simulation/launch';
import { LogReader } from '../simulation/log';
import { INSTANCE_KINDS, SimulationOptionsCache, explainRam } from '../simulation/options';
import { preflight, type PreflightReport } from '../simulation/preflight';
import { SimulationRecords, type SimulationRecord } from '../simulation/records';
import { remoteAccess } from '../simulation/run-summary';
import { FAMILY_LABEL, solverFamily } from '../simulation/solver-family';
import { SimulationTracker, type Finished } from '../simulation/tracker';
import { AppError } from './errors';
import { serviceDateToIso, statusName } from './views';

export interface SimulationTuning {
  /** Shortest time between tracking polls (ms); default 30 s. */
  trackerMinIntervalMs?: number;
  /** Shortest time between log reads while following (ms); default 30 s. */
  logMinIntervalMs?: number;
  /** Pulls after a SYNC (ms); default 3, 6, 10 min. */
  syncPullDelaysMs?: number[];
}

export interface SimulationsDeps {
  home: string;
  client: CloudHpcClient; // a proxy to the current client
  sync: LaunchSync;
  share: () => number;
  /** Project of a storage folder. */
  projectOfFolder: (folder: string) => string | null;
  project: (id: string) => { localDir: string; storageFolder: string };
  /** A simulation of that project ended: pull its results. */
  pull: (projectId: string) => Promise<void>;
  onChange: (sim: SimulationView, previous: number | null) => void;
  onFinished: (f: Finished, projectId: string | null) => void;
  onLog: (chunk: LogChunk) => void;
  onError: (message: string, error: unknown) => void;
  onPolled: () => void;
  tuning?: SimulationTuning;
}

interface LogState {
  reader: LogReader;
  text: string;
  following: boolean;
}

export function reportView(r: PreflightReport): UiReport {
  return {
    solverFamily: FAMILY_LABEL[r.family] ?? r.family,
    findings: r.findings.map((f) => ({ severity: f.severity, code: f.id, message: f.message, fix: f.fix, ...(f.path ? { path: f.path } : {}) })),
    blocking: r.blocking,
    needsConfirmation: r.needsConfirmation,
  };
}

function diagnosisView(d: Diagnosis): DiagnosisView {
  return { severity: d.severity, code: d.id, line: d.line, text: d.text, cause: d.cause, fix: d.fix };
}

export class Simulations {
  readonly records: SimulationRecords;
  readonly tracker: SimulationTracker;
  readonly control: SimulationControl;
  readonly launcher: Launcher;
  private readonly options: SimulationOptionsCache;
  private readonly outcomes = new Map<number, { withErrors: boolean; summary: string | null }>();
  private readonly pending = new Map<number, 'soft-stop' | 'hard-stop' | 'sync'>();
  private readonly logs = new Map<number, LogState>();
  private watched: number | null = null;
  private recCache: { at: number; list: SimulationRecord[] } | null = null;
  private readonly unsubs: (() => void)[] = [];
  /** Runs whose extraction (or lack of it) the sync engine has been told about. */
  private readonly lifecycleNoted = new Set<number>();

  constructor(private readonly d: SimulationsDeps) {
    this.records = new SimulationRecords(d.home);
    this.options = new SimulationOptionsCache({ dir: d.home });
    this.tracker = new SimulationTracker({
      client: d.client,
      share: d.share(),
      isKnownFolder: (f) => d.projectOfFolder(f) !== null,
      minIntervalMs: d.tuning?.trackerMinIntervalMs,
      onTerminal: (f) => this.terminal(f),
    });
    this.control = new SimulationControl({
      client: d.client,
      known: (id) => this.tracker.get(id),
      syncPullDelaysMs: d.tuning?.syncPullDelaysMs,
      pull: async (sim) => {
        const pid = this.projectOf(sim);
        if (pid) await d.pull(pid);
      },
      onControlled: (id) => this.tracker.track(id),
    });
    this.launcher = new Launcher({ client: d.client, sync: d.sync, records: this.records, optionsCache: this.options });
    this.unsubs.push(
      this.tracker.on('status', (c) => {
        this.noteLifecycle(c.simulation, c.from);
        d.onChange(this.view(c.simulation), c.from);
      }),
      this.tracker.on('discovered', (s) => {
        // Started elsewhere (web app, provider CLI): the engine must assume it extracts our archive.
        const pid = this.projectOf(s);
        if (pid && !this.record(s.id)) d.sync.noteSimulationStarted?.(pid);
        d.onChange(this.view(s), null);
      }),
      this.tracker.on('update', () => d.onPolled()),
      this.tracker.on('error', (e) => d.onError(e.message, e.error)),
      this.tracker.on('finished', (f) => {
        const cause = mainCause(f.diagnoses);
        this.outcomes.set(f.simulation.id, { withErrors: f.outcome === 'completed with errors', summary: cause ? cause.cause : null });
        this.records.update(f.simulation.id, { status: f.simulation.status, outcome: f.outcome, finishedAt: Date.now() });
        this.recCache = null;
        d.onFinished(f, this.projectOf(f.simulation));
        d.onChange(this.view(f.simulation), null);
      }),
    );
  }

  /** The records file, read at most every 2 s (views are built for every state snapshot). */
  recordList(): SimulationRecord[] {
    const now = Date.now();
    if (!this.recCache || now - this.recCache.at > 2000) this.recCache = { at: now, list: this.records.list() };
    return this.recCache.list;
  }

  private record(id: number): SimulationRecord | undefined {
    return this.recordList().find((r) => r.id === id);
  }

  /**
   * Tells the sync engine, once per run, whether the run got past extracting the project's
   * upload.tar.gz (seen RUNNING or later) or ended while pending. With it the engine may replace an
   * extracted archive by cheap single-file pushes; without it everything stays correct but costlier.
   */
  private noteLifecycle(s: Simulation, from: number | null): void {
    if (this.lifecycleNoted.has(s.id)) return;
    const pid = this.projectOf(s);
    if (!pid) return;
    const ranStatuses: readonly number[] = [SimStatus.RUNNING, SimStatus.STOPPING, SimStatus.COMPLETED];
    if (ranStatuses.includes(s.status) || (from !== null && ranStatuses.includes(from))) {
      this.lifecycleNoted.add(s.id);
      this.d.sync.noteSimulationRunning?.(pid);
    } else if (from === SimStatus.PENDING && TERMINAL_STATUSES.includes(s.status)) {
      this.lifecycleNoted.add(s.id);
      this.d.sync.noteSimulationEnded?.(pid);
    }
  }

  private async terminal(f: Finished): Promise<void> {
    const pid = this.projectOf(f.simulation);
    if (pid) await this.d.pull(pid);
  }

  projectOf(s: Pick<Simulation, 'id' | 'folder'>): string | null {
    const rec = this.record(s.id);
    if (rec?.projectId) return rec.projectId;
    return this.d.projectOfFolder(s.folder);
  }

  /** A launched simulation not listed yet, from its record. */
  private fromRecord(r: SimulationRecord): Simulation {
    return {
      id: r.id, cpu: r.cpu, ram: r.ram, nopre: r.regular ? 1 : 0, folder: r.folder, mesh: r.mesh, script: r.script,
      status: r.status ?? SimStatus.PENDING, idate: null, edate: null, cpuHours: null, cost: null, vncUrl: null, ipAddress: null, output: null, logs: null,
    };
  }

  view(s: Simulation): SimulationView {
    const startedAt = serviceDateToIso(s.idate);
    const endedAt = serviceDateToIso(s.edate);
    const active = ACTIVE_STATUSES.includes(s.status);
    const can = availability(s);
    const o = this.outcomes.get(s.id);
    const rec = o ? undefined : this.record(s.id);
    const access = remoteAccess(s);
    return {
      id: s.id,
      projectId: this.projectOf(s),
      folder: s.folder,
      mesh: s.mesh,
      script: s.script,
      cpu: s.cpu,
      ram: s.ram,
      regular: s.nopre === 1,
      status: s.status,
      statusName: statusName(s.status),
      active,
      startedAt,
      endedAt,
      // the service's dates have no time zone: edate − idate, or now − idate once its clock offset is known
      elapsedSeconds: this.d.client.serviceClock.elapsedSeconds(s, active),
      cpuHours: s.cpuHours,
      cost: s.cost,
      completedWithErrors: o?.withErrors ?? rec?.outcome === 'completed with errors',
      diagnosisSummary: o?.summary ?? null,
      vncUrl: access?.vncUrl ?? null,
      sshCommand: access?.ssh ?? null,
      can: { softStop: can.softStop, hardStop: can.hardStop, sync: can.sync },
      pending: this.pending.get(s.id) ?? null,
      watched: this.watched === s.id,
    };
  }

  list(): SimulationView[] {
    const seen = new Map<number, Simulation>();
    for (const s of this.tracker.list()) seen.set(s.id, s);
    for (const r of this.recordList()) if (!seen.has(r.id)) seen.set(r.id, this.fromRecord(r));
    return [...seen.values()].sort((a, b) => b.id - a.id).map((s) => this.view(s));
  }

  get(id: number): SimulationView {
    const s = this.tracker.get(id);
    if (s) return this.view(s);
    const r = this.record(id);
    if (r) return this.view(this.fromRecord(r));
    throw new AppError('not-found', `Simulation ${id} is not known here: refresh the list.`);
  }

  async launchOptions(baseUrl: string, refresh: boolean): Promise<LaunchOptionsView> {
    const o = await this.options.get(this.d.client, baseUrl, { refresh, priority: 'user' });
    return {
      cpus: o.cpus,
      rams: o.rams.map((r) => ({ value: r, description: explainRam(r) })),
      scripts: o.scripts.map((s) => ({ value: s, family: FAMILY_LABEL[solverFamily(s).family] ?? 'unknown' })),
      instanceHelp: { regular: INSTANCE_KINDS.regular, spot: INSTANCE_KINDS.spot },
      fetchedAt: new Date(o.fetchedAt).toISOString(),
      cached: o.cached,
    };
  }

  async preflight(projectId: string, req: UiLaunch): Promise<UiReport> {
    const p = this.d.project(projectId);
    return reportView(preflight(await scanCase(p.localDir), { script: req.script, cpu: req.cpu, mesh: req.mesh || undefined }));
  }

  async launch(projectId: string, req: UiLaunch, acceptWarnings: boolean): Promise<{ simulation: SimulationView; report: UiReport }> {
    const p = this.d.project(projectId);
    try {
      const r = await this.launcher.launch({
        projectId, localDir: p.localDir, storageFolder: p.storageFolder,
        cpu: req.cpu, ram: req.ram, script: req.script, mesh: req.mesh, regular: req.regular,
        confirm: () => acceptWarnings,
      });
      this.recCache = null;
      this.tracker.track(r.id);
      const view = this.get(r.id);
      this.d.onChange(view, null);
      return { simulation: view, report: reportView(r.report) };
    } catch (err) {
      if (err instanceof LaunchRefused) {
        const extra = err.report ? { preflight: reportView(err.report) } : {};
        throw new AppError(err.report && err.code !== 'warnings-declined' ? 'preflight-failed' : err.code === 'warnings-declined' ? 'needs-confirmation' : 'invalid-input', err.message, extra);
      }
      throw err;
    }
  }

  async controlAction(id: number, action: ControlAction, confirmed: boolean): Promise<SimulationView> {
    if (this.pending.has(id)) throw new AppError('busy', `A ${this.pending.get(id)} of simulation ${id} is already on its way.`);
    this.pending.set(id, action);
    this.d.onChange(this.get(id), null);
    try {
      if (action === 'soft-stop') await this.control.softStop(id);
      else if (action === 'hard-stop') await this.control.hardStop(id, { confirmed });
      else await this.control.sync(id);
    } catch (err) {
      if (err instanceof ControlError) {
        throw new AppError(err.code === 'needs-confirmation' ? 'needs-confirmation' : err.code === 'failed' ? 'internal' : 'not-allowed', err.message);
      }
      throw err;
    } finally {
      this.pending.delete(id);
    }
    void this.tracker.refresh().catch(() => undefined);
    const v = this.get(id);
    this.d.onChange(v, null);
    return v;
  }

  watch(id: number | null): void {
    if (this.watched !== null && this.watched !== id) {
      const st = this.logs.get(this.watched);
      if (st?.following) {
        st.reader.close();
        this.logs.delete(this.watched);
      }
    }
    this.watched = id;
    this.tracker.watch(id);
    if (id !== null) this.follow(id);
  }

  private logState(id: number): LogState {
    let st = this.logs.get(id);
    if (!st) {
      const state: LogState = { text: '', following: false, reader: null as unknown as LogReader };
      state.reader = new LogReader({
        client: this.d.client,
        id,
        share: this.d.share(),
        minIntervalMs: this.d.tuning?.logMinIntervalMs,
        onText: (tail) => {
          const from = state.text.length;
          state.text += tail;
          // The reader diagnoses the tail right after handing it over: send the chunk once that is done.
          if (state.following) queueMicrotask(() => this.d.onLog(this.chunk(id, state, from)));
        },
      });
      st = state;
      this.logs.set(id, st);
    }
    return st;
  }

  private chunk(id: number, st: LogState, from: number): LogChunk {
    const sim = st.reader.simulation;
    const diagnoses = st.reader.diagnoses();
    const complete = sim !== null && TERMINAL_STATUSES.includes(sim.status);
    return {
      id,
      fromOffset: from,
      text: st.text.slice(from),
      nextOffset: st.text.length,
      complete,
      diagnosis: diagnoses.map(diagnosisView),
      completedWithErrors: sim !== null && outcome(sim.status, diagnoses) === 'completed with errors',
    };
  }

  private follow(id: number): void {
    const st = this.logState(id);
    if (st.following) return;
    const known = this.tracker.get(id);
    if (known && !ACTIVE_STATUSES.includes(known.status)) return;
    st.following = true;
    st.reader.follow().then(
      () => { st.following = false; },
      () => { st.following = false; },
    );
  }

  async getLog(id: number, fromOffset: number): Promise<LogChunk> {
    const st = this.logState(id);
    const sim = st.reader.simulation;
    const final = sim !== null && TERMINAL_STATUSES.includes(sim.status);
    // A finished log already read, or a followed one, is answered from memory (0 calls).
    if (!(final || (st.following && st.text.length > 0))) await st.reader.fetch('user');
    return this.chunk(id, st, Math.min(fromOffset, st.text.length));
  }

  setHidden(hidden: boolean): void {
    this.tracker.setHidden(hidden);
  }

  close(): void {
    for (const u of this.unsubs.splice(0)) u();
    this.tracker.close();
    this.control.close();
    for (const st of this.logs.values()) st.reader.close();
    this.logs.clear();
  }
}

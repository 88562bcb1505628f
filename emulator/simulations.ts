// Simulation lifecycle on the simulated clock:
// PENDING -> (start: extract inputs, check them) -> RUNNING -> COMPLETED, or ERROR when the case cannot run;
// soft stop: RUNNING -> STOPPING -> STOPPED with results; hard stop: STOPPED, nothing saved.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FileDigest, SimulationRecord, SimulationStartEvent } from './types';
import { SimulationStatus } from './status';
import { checkExpansion, createArchive, ExpansionRefused, extractArchiveSafely, tarExpandedBytes, type ArchiveLimits } from './archive';
import { extractZipSafely, zipExpandedBytes } from './zip';
import { PRICE_PER_CPU_HOUR, RESULT_ARCHIVES, familyOf, isInputArchive, type SolverFamily } from './options';
import { type CaseView, type InputCheck, checkInput, endLines, monitorCsv, resultFiles, startLines, stepLines } from './solvers';
import { type LogPlan, lastClock, planFailureLines, planLog, planStepLines, printableSteps } from './solver-logs';
import type { KeyStorage } from './storage';
import { formatSqlDate } from './util';

export interface Durations {
  pendingSeconds: number;
  runSeconds: number;
  stoppingSeconds: number;
}

/** Seconds between two solver steps in the output. */
const STEP_SECONDS = 5;
const LOGS_TAIL_LINES = 20;

/** Internal state kept beside the public record (persisted with it). */
export interface SimState {
  keyId: string;
  record: SimulationRecord;
  /** Simulated ms when the current phase began. */
  phaseStartMs: number;
  /** Simulated ms when RUNNING began (0 if never). */
  runStartMs: number;
  stepsEmitted: number;
  jobName: string;
  /** Case-consistent log plan (solver-logs.ts), set when the run starts; absent in older state files. */
  logPlan?: LogPlan;
}

export interface EngineHost {
  nowMs(): number;
  durations: Durations;
  logWarnings: string[];
  /** Files the service writes (extraction, results) refresh the listing cache. */
  serviceWritesRefreshCache: boolean;
  /** What the input archives of one run may expand to (see archive.ts). */
  archiveLimits: ArchiveLimits;
  storage(keyId: string): KeyStorage;
  tmpDir: string;
  origin(): string;
  keyOf(keyId: string): string;
  started(e: SimulationStartEvent): void;
  hasListeners(): boolean;
  changed(): void;
}

export class SimulationError extends Error {}

const ACTIVE: number[] = [SimulationStatus.PENDING, SimulationStatus.RUNNING, SimulationStatus.STOPPING];

export class SimulationEngine {
  readonly sims: SimState[] = [];
  private nextId = 10001;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: EngineHost) {}

  /** Serialises everything that touches simulation state (ticks do file I/O). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  load(sims: SimState[], nextId: number): void {
    this.sims.push(...sims);
    this.nextId = Math.max(this.nextId, nextId);
  }

  get nextSimulationId(): number {
    return this.nextId;
  }

  ofKey(keyId: string): SimState[] {
    return this.sims.filter((s) => s.keyId === keyId);
  }

  find(keyId: string, id: number): SimState | undefined {
    return this.sims.find((s) => s.keyId === keyId && s.record.id === id);
  }

  add(keyId: string, userId: number, input: { cpu: number; ram: string; script: string; folder: string; mesh: string; nopre: number | '' }): SimulationRecord {
    const now = this.host.nowMs();
    const record: SimulationRecord = {
      id: this.nextId++,
      user_id: userId,
      cpu: input.cpu,
      ram: input.ram,
      nopre: input.nopre,
      folder: input.folder,
      mesh: input.mesh,
      script: input.script,
      clean: 0,
      idate: formatSqlDate(new Date(now)),
      edate: '',
      cpu_hrs: '',
      cost: '',
      status: SimulationStatus.PENDING,
      logs: '',
      images: [],
      vnc_url: '',
      ip_address: '',
      output: '',
    };
    this.sims.push({ keyId, record, phaseStartMs: now, runStartMs: 0, stepsEmitted: 0, jobName: 'case' });
    this.host.changed();
    return record;
  }

  private append(s: SimState, lines: string[]): void {
    if (lines.length === 0) return;
    s.record.output += lines.join('\n') + '\n';
    s.record.logs = s.record.output.trimEnd().split('\n').slice(-LOGS_TAIL_LINES).join('\n');
  }

  /** Runs every transition due at the current simulated time. */
  async tick(): Promise<void> {
    const now = this.host.nowMs();
    for (const s of this.sims) {
      if (!ACTIVE.includes(s.record.status)) continue;
      try {
        await this.advanceOne(s, now);
      } catch (e) {
        // An unexpected failure (disk, permissions) ends this run in ERROR instead of wedging every tick.
        this.append(s, [`@@@ ERROR: ${(e as Error).message}`]);
        this.finish(s, SimulationStatus.ERROR, now);
      }
    }
  }

  private async advanceOne(s: SimState, now: number): Promise<void> {
    const d = this.host.durations;
    for (;;) {
      const st = s.record.status;
      if (st === SimulationStatus.PENDING) {
        const due = s.phaseStartMs + d.pendingSeconds * 1000;
        if (now < due) return;
        await this.start(s, due);
        continue;
      }
      if (st === SimulationStatus.RUNNING) {
        const end = s.runStartMs + d.runSeconds * 1000;
        this.emitSteps(s, Math.min(now, end));
        const plan = s.logPlan;
        if (plan?.mode === 'diverging' && plan.breakStep !== null) {
          // the solver dies just after its break step
          const dies = Math.min(end, s.runStartMs + plan.breakStep * STEP_SECONDS * 1000 + 1000);
          if (now >= dies) {
            this.append(s, planFailureLines(plan));
            await this.writeServiceFiles(s, dies, (dies - s.runStartMs) / 1000);
            this.finish(s, SimulationStatus.ERROR, dies);
            return;
          }
        }
        if (now < end) return;
        if (plan?.mode !== 'stalled') this.append(s, endLines(familyOf(s.record.script)));
        await this.writeResults(s, end);
        this.finish(s, SimulationStatus.COMPLETED, end);
        return;
      }
      if (st === SimulationStatus.STOPPING) {
        const due = s.phaseStartMs + d.stoppingSeconds * 1000;
        if (now < due) return;
        this.append(s, ['@@@ SOFT STOP: results saved to storage']);
        await this.writeResults(s, due);
        this.finish(s, SimulationStatus.STOPPED, due);
        return;
      }
      return;
    }
  }

  private emitSteps(s: SimState, upTo: number): void {
    const family = familyOf(s.record.script);
    const plan = s.logPlan;
    let due = Math.floor((upTo - s.runStartMs) / (STEP_SECONDS * 1000));
    if (plan) due = printableSteps(plan, due);
    const lines: string[] = [];
    while (s.stepsEmitted < due) {
      s.stepsEmitted++;
      const at = new Date(s.runStartMs + s.stepsEmitted * STEP_SECONDS * 1000);
      lines.push(...(plan ? planStepLines(plan, s.stepsEmitted, at) : stepLines(family, s.stepsEmitted, s.jobName)));
      if (s.stepsEmitted === 1) lines.push(...this.host.logWarnings);
    }
    if (lines.length) {
      this.append(s, lines);
      this.host.changed();
    }
  }

  private async start(s: SimState, at: number): Promise<void> {
    const storage = this.host.storage(s.keyId);
    const r = s.record;
    const family = familyOf(r.script);
    const caseAbs = storage.abs(r.folder);
    this.append(s, [`@@@ cloudHPC: simulation ${r.id} starting ${r.script} on ${r.cpu} vCPU (${r.ram}), folder ${r.folder}`]);
    let failure: string[] = [];
    if ((await storage.kindOf(r.folder)) !== 'dir') {
      failure = [`@@@ ERROR: FOLDER ${r.folder} not detected`];
    } else {
      failure = await this.prepareCase(s, storage, caseAbs);
    }
    if (this.host.serviceWritesRefreshCache) storage.invalidate();
    // The snapshot hashes every file: only when someone listens.
    const files = failure.length || !this.host.hasListeners() ? {} : await storage.digests(r.folder);
    let check: InputCheck = { ok: false, errors: failure, jobName: 'case' };
    let view: CaseView | null = null;
    if (!failure.length) {
      const rels = await storage.filePaths(r.folder);
      view = { files: rels, read: (rel) => fsp.readFile(join(caseAbs, ...rel.split('/')), 'utf8') };
      check = await checkInput(family, view, r.cpu);
    }
    s.jobName = check.jobName;
    if (check.ok && view) s.logPlan = await planLog(family, view, Math.max(1, Math.floor(this.host.durations.runSeconds / STEP_SECONDS)), check.jobName, r.id);
    if (!check.ok) {
      this.append(s, check.errors);
      await this.writeServiceFiles(s, at, 0).catch(() => undefined);
      this.finish(s, SimulationStatus.ERROR, at);
      this.emitStart(s, files);
      return;
    }
    r.status = SimulationStatus.RUNNING;
    s.phaseStartMs = at;
    s.runStartMs = at;
    r.vnc_url = `${this.host.origin()}/vnc/${r.id}`;
    r.ip_address = `10.132.${Math.floor(r.id / 250) % 250}.${(r.id % 250) + 2}`;
    this.append(s, startLines(family, check.jobName, check.input, r.cpu));
    this.host.changed();
    this.emitStart(s, files);
  }

  private emitStart(s: SimState, files: Record<string, FileDigest>): void {
    try {
      this.host.started({ key: this.host.keyOf(s.keyId), simulation: { ...s.record, images: [...s.record.images] }, files });
    } catch {
      // a listener's failure must not break the lifecycle
    }
  }

  /** Extracts input archives into the case folder and copies the mesh folder; returns failure lines. */
  private async prepareCase(s: SimState, storage: KeyStorage, caseAbs: string): Promise<string[]> {
    const entries = await fsp.readdir(caseAbs, { withFileTypes: true });
    const archives: { name: string; mtime: number }[] = [];
    for (const e of entries) {
      if (e.isFile() && isInputArchive(e.name)) archives.push({ name: e.name, mtime: (await fsp.stat(join(caseAbs, e.name))).mtimeMs });
    }
    archives.sort((a, b) => a.mtime - b.mtime || (a.name < b.name ? -1 : 1));
    let expandedSoFar = 0;
    for (const a of archives) {
      try {
        const file = join(caseAbs, a.name);
        const zip = /\.zip$/i.test(a.name);
        // sized before anything is written: a bomb ends the run in ERROR with nothing of it extracted
        const expanded = zip ? await zipExpandedBytes(file) : await tarExpandedBytes(file, a.name, this.host.archiveLimits);
        checkExpansion(a.name, (await fsp.stat(file)).size, expanded, expandedSoFar, this.host.archiveLimits);
        expandedSoFar += expanded;
        const out = zip ? await extractZipSafely(file, caseAbs) : await extractArchiveSafely(file, caseAbs);
        this.append(s, [`@@@ Extracting ${a.name}: ${out.extracted.length} entries`]);
        for (const r of out.refused) this.append(s, [`@@@ WARNING: ${a.name}: member ${r.path ? `"${r.path}" ` : ''}refused (${r.reason})`]);
      } catch (e) {
        if (e instanceof ExpansionRefused) return [`@@@ ERROR: ${e.message}`];
        return [`@@@ ERROR: cannot extract ${a.name}: ${(e as Error).message}`];
      }
    }
    const mesh = s.record.mesh;
    if (mesh) {
      if ((await storage.kindOf(mesh)) !== 'dir') return [`@@@ ERROR: MESH FOLDER ${mesh} not detected`];
      for (const sub of ['constant/polyMesh', 'constant/triSurface']) {
        const from = join(storage.abs(mesh), ...sub.split('/'));
        if (await fsp.stat(from).then((st) => st.isDirectory(), () => false)) {
          await fsp.cp(from, join(caseAbs, ...sub.split('/')), { recursive: true, force: true });
          this.append(s, [`@@@ Copied ${sub} from ${mesh}`]);
        }
      }
    }
    return [];
  }

  private finish(s: SimState, status: SimulationRecord['status'], at: number): void {
    const r = s.record;
    const ranSeconds = s.runStartMs ? Math.max(0, at - s.runStartMs) / 1000 : 0;
    r.status = status;
    r.edate = formatSqlDate(new Date(at));
    r.cpu_hrs = Math.round((ranSeconds / 3600) * r.cpu * 10000) / 10000;
    r.cost = Math.round(r.cpu_hrs * (PRICE_PER_CPU_HOUR[r.ram] ?? 0.02) * 10000) / 10000;
    r.vnc_url = '';
    r.ip_address = '';
    s.phaseStartMs = at;
    this.host.changed();
  }

  /** The service's own files: cloudhpc.log (the output), cpu.csv, ram.csv. */
  private async writeServiceFiles(s: SimState, at: number, seconds: number): Promise<void> {
    const storage = this.host.storage(s.keyId);
    if ((await storage.kindOf(s.record.folder)) !== 'dir') return;
    const files: Record<string, string> = {
      'cloudhpc.log': s.record.output,
      'cpu.csv': monitorCsv('cpu', seconds, s.runStartMs || at),
      'ram.csv': monitorCsv('ram', seconds, s.runStartMs || at),
    };
    for (const [name, content] of Object.entries(files)) {
      const tmp = join(this.host.tmpDir, `svc-${randomBytes(6).toString('hex')}`);
      await fsp.writeFile(tmp, content);
      await storage.commitFile(`${s.record.folder}/${name}`, tmp, at);
    }
    if (this.host.serviceWritesRefreshCache) storage.invalidate();
  }

  /** Result archive of the family plus the service files, written into the case folder. */
  async writeResults(s: SimState, at: number): Promise<void> {
    const storage = this.host.storage(s.keyId);
    if ((await storage.kindOf(s.record.folder)) !== 'dir') return;
    const family: SolverFamily = familyOf(s.record.script);
    const archive = RESULT_ARCHIVES[family];
    if (archive) {
      const tmp = join(this.host.tmpDir, `res-${randomBytes(6).toString('hex')}.tar.gz`);
      await createArchive(tmp, `${tmp}.staging`, resultFiles(family, s.jobName, s.stepsEmitted, s.logPlan ? lastClock(s.logPlan, s.stepsEmitted) : undefined));
      await storage.commitFile(`${s.record.folder}/${archive}`, tmp, at);
    }
    const seconds = s.runStartMs ? Math.max(0, at - s.runStartMs) / 1000 : 0;
    await this.writeServiceFiles(s, at, seconds);
  }

  /** PUT /simulation/stop/{id}. */
  async stop(s: SimState, signal: 'SIGTSTP' | 'SIGINT'): Promise<void> {
    const r = s.record;
    const now = this.host.nowMs();
    if (!ACTIVE.includes(r.status)) throw new SimulationError(`Simulation ${r.id} is not running (status ${r.status}).`);
    if (signal === 'SIGINT' || r.status === SimulationStatus.PENDING) {
      if (r.status === SimulationStatus.RUNNING) this.emitSteps(s, now);
      this.append(s, [signal === 'SIGINT' ? '@@@ HARD STOP received: nothing saved' : '@@@ STOP received before start']);
      this.finish(s, SimulationStatus.STOPPED, now);
      return;
    }
    if (r.status === SimulationStatus.STOPPING) return;
    this.emitSteps(s, now);
    this.append(s, ['@@@ SOFT STOP received: saving results at the current iteration']);
    r.status = SimulationStatus.STOPPING;
    s.phaseStartMs = now;
    this.host.changed();
  }

  /** PUT /simulation/sync/{id}: partial results now. */
  async sync(s: SimState): Promise<void> {
    const r = s.record;
    if (r.status !== SimulationStatus.RUNNING && r.status !== SimulationStatus.STOPPING) {
      throw new SimulationError(`Simulation ${r.id} is not running (status ${r.status}).`);
    }
    const now = this.host.nowMs();
    if (r.status === SimulationStatus.RUNNING) this.emitSteps(s, now);
    this.append(s, ['@@@ SYNC: partial results saved to storage']);
    await this.writeResults(s, now);
    this.host.changed();
  }
}

// One project's sync engine: scan → hash what changed → plan → push, serialised with pulls, driven
// by the watcher, periodic rescans and explicit requests. States and progress go out as events.
// See README.md for the invariant this keeps and why each rule exists.
import { lstat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { appFoldersIn } from '../project/case-folder';
import type { Project } from '../project/registry';
import type { ProjectSettings } from '../project/settings';
import { type PushCloud, errorKind, errorText, isOffline } from './cloud-port';
import { type FileStat, hashSettled, trustedMtime } from './hasher';
import { IgnoreFileError, IgnoreRules } from './ignore-rules';
import type { IndexStore, PathRecord } from './index-store';
import { Mutex, delay } from './mutex';
import { type PushOutcome, executePush } from './push-executor';
import { type LocalFile, type PushPlan, UNHASHED, planPush } from './planner';
import type { TransferProgress } from './progress';
import type { PullResult } from './pull';
import { type LeftOut, leftOutSummary } from './left-out';
import type { RestoreResult, RestoreRunner } from './restore';
import { scanTree } from './scanner';
import { removeStaleTemps } from './stale-temp';
import { Emitter, type ProjectStatus, type SyncEvents, type SyncProblem, type SyncState } from './status';
import { type WatchHandle, type Watcher, watchTree } from './watcher';

/** Options of one pull, given per call (never by editing the saved settings). */
export interface PullRequest {
  priority?: 'user' | 'background';
  /** Pull every new file of the storage folder this time, not only results. */
  everything?: boolean;
}

/** Runs one pull of the project (the pull side's pullProject, bound to a client). */
export type PullRunner = (args: {
  index: IndexStore;
  project: Project;
  signal: AbortSignal;
  request: PullRequest;
  onProgress: (p: TransferProgress) => void;
}) => Promise<PullResult>;

export interface EngineOptions {
  project: Project;
  index: IndexStore;
  cloud: PushCloud;
  /** Folder for the project's own temp files (snapshot archives), outside the case folder. */
  stateDir: string;
  /** The app's data folder: ignored (with stateDir) when the case holds it. */
  appHome?: string;
  pull?: PullRunner;
  /** Brings deleted files back from the cloud (the mass-delete guard's other answer). */
  restore?: RestoreRunner;
  /** API calls left this hour (Infinity when unknown). */
  budgetLeft?: () => number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Real-time clock (mtime comparisons, retry schedules). */
  now?: () => number;
  /** Watcher backends, tried in order (default: @parcel/watcher, then chokidar on folders only). */
  watchers?: readonly Watcher[];
}

/** Outcome of one scan+push cycle. */
export interface CycleResult {
  plan: PushPlan;
  outcome: PushOutcome | null;
  /** Files still changing (not pushed yet). */
  pending: string[];
  unreadable: string[];
  /** What cannot be synced (names not valid UTF-8, links, special files): never pushed, listed with the reason. */
  leftOut: LeftOut[];
  /** True when the cloud now matches the local case (nothing pending, nothing left to push) apart from `leftOut`. */
  clean: boolean;
}

export class MassDeleteError extends Error {
  constructor(readonly count: number, readonly limit: number) {
    super(`This push would delete ${count} files from the cloud storage (the limit is ${limit}). Check that the deletions are intended, then confirm them (CLI: --confirm-deletes).`);
    this.name = 'MassDeleteError';
  }
}

/** ensurePushed ran out of time: files keep changing, cannot be read, or the push did not complete. */
export class PushIncompleteError extends Error {
  constructor(readonly pending: string[], readonly unreadable: string[]) {
    const why = pending.length > 0 ? `${pending.length} file(s) keep changing (e.g. ${pending[0]})` : unreadable.length > 0 ? `${unreadable.length} file(s) cannot be read (e.g. ${unreadable[0]})` : 'the push did not complete';
    super(`The case could not be fully pushed in time: ${why}.`);
    this.name = 'PushIncompleteError';
  }
}

export class PausedError extends Error {
  constructor() {
    super('Sync is paused for this project: resume it first.');
    this.name = 'PausedError';
  }
}

const HASH_CONCURRENCY = 8;
/** Rescan period when no watcher can run (limits reached). */
const POLLING_RESCAN_MS = 30_000;
/** Index meta key: runs submitted and not yet seen running or ended (each may extract our next archive). */
export const PENDING_RUNS = 'runs.pending';
const OFFLINE_RETRY_MS = [2_000, 5_000, 10_000, 30_000, 60_000];
const ERROR_RETRY_MS = [5_000, 15_000, 60_000, 300_000];
/** A snapshot waits for changing files to settle at most this long, then goes without them. */
const SNAPSHOT_SETTLE_WAIT_MS = 60_000;

/** The state line while files are still being written to. */
function waitingText(pending: number): string {
  return `Waiting for ${pending} changing file${pending === 1 ? '' : 's'} to settle`;
}

/** The state line of a synced project: never "Up to date" while something is left out (issue 16). */
function syncedText(leftOut: readonly LeftOut[]): string {
  return leftOut.length > 0 ? `Pushed what can be synced; ${leftOutSummary(leftOut.length)}` : 'Up to date';
}

function actionFor(e: unknown): string {
  const k = errorKind(e);
  if (k === 'unauthorized') return 'Set a valid API key (CLOUDHPC_API_KEY or the key store), then resume.';
  if (k === 'network') return 'Nothing to do: transfers resume by themselves when cloudHPC is reachable again.';
  if (k === 'rate-limited') return 'Nothing to do: the push continues when the API call budget allows.';
  if (k === 'server' || k === 'transfer' || k === 'bad-reply') return 'Nothing to do: it is retried automatically; if it keeps failing, check status.cloudhpc.cloud or contact support.';
  return 'It is retried automatically; if it keeps failing, check the folder is readable and the disk not full.';
}

export class ProjectEngine {
  readonly events = new Emitter<SyncEvents>();
  private project: Project;
  private readonly index: IndexStore;
  private readonly cloud: PushCloud;
  private readonly opts: EngineOptions;
  private readonly mutex = new Mutex();
  private readonly abort = new AbortController();
  private readonly now: () => number;
  private rules: IgnoreRules;
  private watcher: WatchHandle | null = null;
  private rescanTimer: NodeJS.Timeout | null = null;
  private cycleTimer: NodeJS.Timeout | null = null;
  /** Aborts the cycle in flight (pause stops transfers at once). */
  private cycleAbort: AbortController | null = null;
  /** The index's path records as of `version` (reused while nothing wrote to the index). */
  private recordsCache: { version: string; map: Map<string, PathRecord> } | null = null;
  private retryIndex = 0;
  private pendingSince = new Map<string, number>();
  /** Deletions the person confirmed (all, or these paths) for the next push. */
  private deletionsConfirmed: boolean | Set<string> = false;
  private globalPaused = false;
  private closed = false;
  private tempsSwept = false;
  /** The app's own folders inside this case (a case at the home folder holds the app's data). */
  private readonly appDirs: string[];
  private st: ProjectStatus;

  constructor(opts: EngineOptions) {
    this.opts = opts;
    this.project = opts.project;
    this.index = opts.index;
    this.cloud = opts.cloud;
    this.now = opts.now ?? Date.now;
    this.appDirs = appFoldersIn(opts.project.localDir, [opts.appHome, opts.stateDir]);
    this.rules = this.loadRules() ?? new IgnoreRules([], this.appDirs);
    const a = this.index.getMeta('engine.lastPushAt');
    const b = this.index.getMeta('engine.lastPullAt');
    this.st = {
      projectId: opts.project.id,
      localDir: opts.project.localDir,
      storageFolder: opts.project.storageFolder,
      state: opts.project.settings.paused ? 'paused' : 'idle',
      detail: opts.project.settings.paused ? 'Paused' : 'Idle',
      progress: null,
      nextPush: null,
      pendingFiles: 0,
      watch: 'off',
      attention: null,
      lastError: null,
      notice: null,
      leftOut: [],
      leftOutCount: 0,
      lastPushAt: a ? Number(a) : null,
      lastPullAt: b ? Number(b) : null,
      paused: opts.project.settings.paused,
    };
  }

  get settings(): ProjectSettings {
    return this.project.settings;
  }

  status(): ProjectStatus {
    return { ...this.st };
  }

  activity(limit = 100): ReturnType<IndexStore['activity']> {
    return this.index.activity(limit);
  }

  private set(patch: Partial<ProjectStatus>): void {
    this.st = { ...this.st, ...patch };
    this.events.emit('state', this.status());
  }

  private setState(state: SyncState, detail: string, extra: Partial<ProjectStatus> = {}): void {
    this.set({ state, detail, ...extra });
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.opts.log?.(level, `[${this.project.storageFolder}] ${message}`);
  }

  private activityEvent(kind: Parameters<IndexStore['addActivity']>[0], message: string, path: string | null = null): void {
    this.index.addActivity(kind, message, path);
    const e = this.index.activity(1)[0];
    if (e) this.events.emit('activity', { ...e, projectId: this.project.id });
  }

  /** Settings changed in the registry (quiet period, thresholds, paused...). */
  updateProject(project: Project): void {
    const wasPaused = this.project.settings.paused;
    this.project = project;
    if (project.settings.paused !== wasPaused) {
      if (project.settings.paused) this.pause();
      else this.resume();
    }
  }

  get isPaused(): boolean {
    return this.project.settings.paused || this.globalPaused || this.st.paused;
  }

  pause(global = false): void {
    if (global) this.globalPaused = true;
    this.set({ paused: true });
    this.setState('paused', global ? 'Paused (all projects)' : 'Paused');
    if (this.cycleTimer) clearTimeout(this.cycleTimer);
    this.cycleTimer = null;
    this.cycleAbort?.abort(new PausedError());
  }

  resume(global = false): void {
    if (global) this.globalPaused = false;
    if (this.project.settings.paused && !global) this.project = { ...this.project, settings: { ...this.project.settings, paused: false } };
    if (this.project.settings.paused || this.globalPaused) return;
    this.set({ paused: false });
    this.setState('idle', 'Resumed');
    this.schedule(0);
  }

  /** The user confirmed the deletions the mass-delete guard stopped (these paths only, when given). */
  confirmDeletes(paths?: readonly string[]): void {
    this.deletionsConfirmed = paths ? new Set(paths) : true;
    this.set({ attention: null });
    this.schedule(0);
  }

  /**
   * Brings deleted files back from the cloud instead of deleting them there (the other answer to the
   * mass-delete guard); serialised with pushes and pulls. See restore.ts.
   */
  restoreDeleted(paths: readonly string[], o: { priority?: 'user' | 'background' } = {}): Promise<RestoreResult> {
    const runner = this.opts.restore;
    if (!runner) return Promise.reject(new Error('Restoring is not available in this build.'));
    return this.mutex.run(async () => {
      if (this.closed) throw new Error('This project engine is closed.');
      this.setState('pulling', `Restoring ${paths.length} file${paths.length === 1 ? '' : 's'} from the cloud`, { progress: null });
      try {
        const r = await runner({ index: this.index, project: this.project, paths, signal: this.abort.signal, priority: o.priority ?? 'user' });
        this.recordsCache = null;
        if (r.restored.length > 0) this.activityEvent('pulled', `Restored ${r.restored.length} deleted file${r.restored.length === 1 ? '' : 's'} from the cloud`);
        this.setState(this.isPaused ? 'paused' : 'idle', this.isPaused ? 'Paused' : 'Up to date', { attention: null, progress: null });
        this.schedule(0);
        return r;
      } catch (e) {
        this.fail(e, 'Restoring the deleted files failed', 'pull');
        throw e;
      }
    });
  }

  /**
   * A simulation of this project was submitted (simulation/add succeeded). It extracts our archive
   * when it starts, at a moment we do not see: from now on every archive path may also be a file in
   * storage (recorded as MAYBE_IN_STORAGE, so deleting it locally deletes it from storage too).
   * Until noteSimulationRunning/Ended, later archives may be extracted by it as well.
   */
  noteSimulationStarted(): void {
    this.index.transaction(() => {
      this.index.setMeta(PENDING_RUNS, String(this.pendingRuns() + 1));
      const a = this.index.archive();
      if (!a.present) return;
      this.index.setArchive({ ...a, runsSinceUpload: a.runsSinceUpload + 1 });
      this.index.maybeMaterialiseArchive(this.now());
      this.index.addActivity('info', 'A simulation was submitted: it will extract upload.tar.gz into the storage folder');
    });
  }

  /**
   * A simulation of this project was seen running (status RUNNING or later, so past extraction). If
   * it was submitted after our archive was uploaded, the archive's content is now known to be
   * materialised in storage: single-file pushes may then replace the archive cheaply.
   */
  noteSimulationRunning(): void {
    this.index.transaction(() => {
      this.index.setMeta(PENDING_RUNS, String(Math.max(0, this.pendingRuns() - 1)));
      const a = this.index.archive();
      if (!a.present || a.extracted || a.runsSinceUpload === 0) return;
      this.index.materialiseArchive(this.now());
      this.index.setArchive({ ...a, extracted: true, extractedAt: this.now() });
      this.index.addActivity('info', 'A simulation started: upload.tar.gz was extracted into the storage folder');
    });
  }

  /** A submitted simulation ended without being seen running (e.g. stopped while pending). */
  noteSimulationEnded(): void {
    this.index.setMeta(PENDING_RUNS, String(Math.max(0, this.pendingRuns() - 1)));
  }

  private pendingRuns(): number {
    const n = Number(this.index.getMeta(PENDING_RUNS) ?? '0');
    return Number.isFinite(n) && n > 0 ? n : 0;
  }

  /** The ignore rules now, or null when .cloudhpcignore cannot be used (the next scan fails with why). */
  private loadRules(): IgnoreRules | null {
    try {
      return IgnoreRules.load(this.project.localDir, this.appDirs);
    } catch {
      return null;
    }
  }

  // ---- watching ----

  /** Starts watching (one watch per folder) with periodic full rescans; the first cycle runs at once. */
  async startWatching(): Promise<void> {
    if (this.watcher || this.closed) return;
    const s = this.project.settings;
    const handle = watchTree({
      root: this.project.localDir,
      rules: () => this.rules,
      onChange: (rel) => {
        if (rel === '.cloudhpcignore') this.rules = this.loadRules() ?? this.rules;
        this.schedule(this.settings.quietPeriodMs + 50);
      },
      onFail: (message) => {
        this.watcher = null;
        this.log('warn', message);
        this.set({ watch: 'polling', notice: message });
        this.startRescans(Math.min(s.rescanIntervalMs, POLLING_RESCAN_MS));
      },
      onInfo: (message) => this.log('info', message),
    }, this.opts.watchers);
    this.watcher = handle;
    this.set({ watch: 'watching' });
    // The first scan runs while the watcher starts (the native one walks the tree on its own thread).
    this.schedule(0);
    const backend = await handle.ready;
    if (backend !== 'failed') this.startRescans(s.rescanIntervalMs);
  }

  private startRescans(ms: number): void {
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    this.rescanTimer = setInterval(() => this.schedule(0), ms);
    this.rescanTimer.unref?.();
  }

  /** The app itself edited the case (an ignore line, a rename): new rules, and a scan soon. */
  caseEdited(): void {
    this.rules = this.loadRules() ?? this.rules;
    this.schedule(0);
  }

  /** Runs a cycle after ms (coalescing: an earlier pending run wins). */
  private schedule(ms: number): void {
    if (this.closed || this.isPaused) return;
    if (this.cycleTimer) return;
    this.cycleTimer = setTimeout(() => {
      this.cycleTimer = null;
      void this.runScheduled();
    }, ms);
  }

  private async runScheduled(): Promise<void> {
    try {
      const r = await this.syncNow();
      if (!r.clean && r.pending.length + r.unreadable.length > 0) this.schedule(this.settings.quietPeriodMs + 50);
      else if (!r.clean && r.outcome && (r.outcome.torn.length > 0 || r.outcome.failed.length > 0)) this.schedule(this.retryDelay(ERROR_RETRY_MS));
    } catch (e) {
      if (this.closed || e instanceof PausedError || e instanceof MassDeleteError) return;
      this.schedule(this.retryDelay(isOffline(e) ? OFFLINE_RETRY_MS : ERROR_RETRY_MS));
    }
  }

  private retryDelay(table: readonly number[]): number {
    const ms = table[Math.min(this.retryIndex, table.length - 1)] as number;
    this.retryIndex++;
    return ms;
  }

  // ---- scanning and planning ----

  private isSettled(st: FileStat): boolean {
    const age = this.now() - st.mtimeMs;
    return age >= this.settings.quietPeriodMs || age < -60_000; // a far-future mtime is a clock problem, not activity
  }

  /** Scans, hashes what changed (settled files only) and updates the local side of the index. */
  private async scanLocal(signal: AbortSignal = this.abort.signal): Promise<{ local: Map<string, LocalFile>; pending: string[]; unreadable: string[]; leftOut: LeftOut[]; records: Map<string, PathRecord> }> {
    const root = this.project.localDir;
    this.rules = IgnoreRules.load(root, this.appDirs);
    const scan = await scanTree(root, this.rules, signal);
    const cached = this.recordsCache;
    this.recordsCache = null; // the map is updated in place below; re-cached only when that completes
    const records = cached && cached.version === this.index.version ? cached.map : await this.index.mapAsync();
    const local = new Map<string, LocalFile>();
    const pending: string[] = [];
    const unreadable: string[] = [...scan.unreadable.keys()];
    const toHash: Array<[string, FileStat, PathRecord | undefined]> = [];
    for (const [path, st] of scan.files) {
      const r = records.get(path);
      if (r && r.sha256 !== null && r.size === st.size && r.mtimeMs === st.mtimeMs) {
        local.set(path, { path, size: st.size, mtimeMs: st.mtimeMs, sha256: r.sha256 });
      } else if (!this.isSettled(st)) {
        pending.push(path);
      } else if (st.size >= this.settings.largeFileBytes && (!r || (r.storageSha256 === null && r.archiveSha256 === null))) {
        // Large, and nothing of it in the cloud: it is sent whatever its hash, which the upload computes.
        local.set(path, { path, size: st.size, mtimeMs: st.mtimeMs, sha256: UNHASHED });
      } else {
        toHash.push([path, st, r]);
      }
    }
    const updates: PathRecord[] = [];
    const q = new PQueue({ concurrency: HASH_CONCURRENCY });
    let stopped: unknown = null; // a cancelled hash (pause, close) ends the scan once the queue is idle
    for (const [path, st, r] of toHash) {
      void q.add(async () => {
        if (stopped !== null) return;
        let h: Awaited<ReturnType<typeof hashSettled>>;
        try {
          h = await hashSettled(join(root, path), st, signal);
        } catch (e) {
          stopped ??= e;
          return;
        }
        if (h.kind === 'ok') {
          local.set(path, { path, size: h.size, mtimeMs: h.mtimeMs, sha256: h.sha256 });
          const base = r ?? { path, size: null, mtimeMs: null, sha256: null, origin: 'local' as const, storageSha256: null, archiveSha256: null, remoteSize: null, remoteTime: null, updatedAt: 0 };
          // A pulled file the user changed is theirs now (it will be pushed); same bytes keep 'pulled'.
          const origin = base.origin === 'pulled' && base.sha256 !== null && base.sha256 !== h.sha256 ? 'local' : base.origin;
          updates.push({ ...base, size: h.size, mtimeMs: trustedMtime(h.mtimeMs, this.now()), sha256: h.sha256, origin, updatedAt: this.now() });
        } else if (h.kind === 'moved') {
          pending.push(path);
        } else if (h.kind === 'unreadable') {
          unreadable.push(path);
          this.log('warn', `cannot read ${path}: ${h.message}`);
        }
      });
    }
    await q.onIdle();
    if (stopped !== null) throw stopped;

    // Vanished paths: only what is really gone (ENOENT), never what a scan could not read.
    const vanished: PathRecord[] = [];
    for (const r of records.values()) {
      if (r.sha256 === null || scan.files.has(r.path)) continue;
      try {
        await lstat(join(root, r.path));
        continue; // still there (ignored now, or not a regular file): leave its record alone
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') continue;
      }
      vanished.push(r);
    }
    // Local truth, written in chunks (each its own transaction) so the loop is never held for long.
    const writes: Array<() => void> = [
      ...updates.map((u) => () => {
        this.index.put(u);
        records.set(u.path, u);
      }),
      ...vanished.map((r) => () => {
        if (r.storageSha256 === null && r.archiveSha256 === null) {
          this.index.delete(r.path);
          records.delete(r.path);
        } else {
          const gone = { ...r, size: null, mtimeMs: null, sha256: null, updatedAt: this.now() };
          this.index.put(gone);
          records.set(r.path, gone);
        }
      }),
    ];
    const CHUNK = 1000;
    for (let i = 0; i < writes.length; i += CHUNK) {
      this.index.transaction(() => {
        for (const w of writes.slice(i, i + CHUNK)) w();
      });
      if (i + CHUNK < writes.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.recordsCache = { version: this.index.version, map: records };
    const t = this.now();
    const next = new Map<string, number>();
    for (const p of pending) next.set(p, this.pendingSince.get(p) ?? t);
    this.pendingSince = next;
    this.set({ leftOut: scan.leftOut.slice(0, 100), leftOutCount: scan.leftOut.length });
    return { local, pending, unreadable, leftOut: scan.leftOut, records };
  }

  private planNow(local: Map<string, LocalFile>, records: Map<string, PathRecord>): PushPlan {
    return planPush({
      local,
      records,
      archive: this.index.archive(),
      settings: this.settings,
      budgetLeft: this.opts.budgetLeft?.() ?? Infinity,
      deletionsConfirmed: this.deletionsConfirmed,
    });
  }

  /** The plan; a large file left unhashed by the scan that the plan would archive is hashed first. */
  private async plan(local: Map<string, LocalFile>, records: Map<string, PathRecord>, pending: string[], signal: AbortSignal): Promise<PushPlan> {
    const plan = this.planNow(local, records);
    const toHash = plan.strategy === 'snapshot' ? plan.uploads.filter((f) => f.sha256 === UNHASHED) : [];
    if (toHash.length === 0) return plan;
    for (const f of toHash) {
      const h = await hashSettled(join(this.project.localDir, f.path), f, signal);
      if (h.kind === 'ok') local.set(f.path, { ...f, sha256: h.sha256 });
      else {
        local.delete(f.path);
        if (h.kind === 'moved') pending.push(f.path);
      }
    }
    return this.planNow(local, records);
  }

  /** Scans and plans without any API call: what the next push would do and cost. */
  previewPush(): Promise<PushPlan> {
    return this.mutex.run(async () => {
      const { local, records, pending } = await this.scanLocal();
      const plan = await this.plan(local, records, pending, this.abort.signal);
      this.set({ nextPush: { strategy: plan.strategy, apiCalls: plan.apiCalls, bytes: plan.bytes, reason: plan.reason } });
      return plan;
    });
  }

  /** One cycle now: scan, hash, plan and push (serialised with pulls). */
  syncNow(opts: { force?: boolean } = {}): Promise<CycleResult> {
    return this.mutex.run(async () => {
      const ac = new AbortController();
      const onClose = (): void => ac.abort(this.abort.signal.reason);
      this.abort.signal.addEventListener('abort', onClose, { once: true });
      this.cycleAbort = ac;
      try {
        return await this.cycle(opts.force ?? false, ac.signal);
      } finally {
        this.cycleAbort = null;
        this.abort.signal.removeEventListener('abort', onClose);
      }
    });
  }

  private async cycle(force: boolean, signal: AbortSignal): Promise<CycleResult> {
    if (this.closed) throw new Error('This project engine is closed.');
    if (this.isPaused && !force) throw new PausedError();
    if (!this.tempsSwept) {
      // a snapshot archive (as big as the case) left by a push that was killed (issue 16)
      this.tempsSwept = true;
      for (const name of await removeStaleTemps(join(this.opts.stateDir, 'tmp'), 'snapshot')) this.log('info', `removed ${name}, left by an interrupted push`);
    }
    this.setState('scanning', 'Looking for changes', { progress: null });
    let scanned;
    try {
      scanned = await this.scanLocal(signal);
    } catch (e) {
      this.fail(e, 'Scanning the case folder failed', 'scan');
      throw e;
    }
    const { local, pending, unreadable, leftOut, records } = scanned;
    const plan = await this.plan(local, records, pending, signal);
    const nextPush = { strategy: plan.strategy, apiCalls: plan.apiCalls, bytes: plan.bytes, reason: plan.reason };
    this.set({ nextPush, pendingFiles: pending.length });

    if (plan.massDelete) {
      const m = plan.massDelete;
      const message = `This push would delete ${m.count} file${m.count === 1 ? '' : 's'} from the cloud storage (limit ${m.limit}).`;
      this.setState('attention', `${message} Waiting for confirmation.`, { attention: { kind: 'mass-delete', count: m.count, limit: m.limit, rule: m.rule, paths: m.paths, message } });
      throw new MassDeleteError(plan.massDelete.count, plan.massDelete.limit);
    }

    // A snapshot replaces the whole archive: give files that are still changing a chance to settle.
    const oldestPending = Math.min(...[...this.pendingSince.values()], Infinity);
    if (plan.strategy === 'snapshot' && pending.length > 0 && this.now() - oldestPending < SNAPSHOT_SETTLE_WAIT_MS) {
      this.setState('idle', waitingText(pending.length));
      return { plan, outcome: null, pending, unreadable, leftOut, clean: false };
    }

    if (plan.strategy === 'none') {
      this.retryIndex = 0;
      const clean = pending.length === 0 && unreadable.length === 0;
      this.setState('idle', clean ? syncedText(leftOut) : pending.length > 0 ? waitingText(pending.length) : `${unreadable.length} unreadable file${unreadable.length === 1 ? '' : 's'}`, { lastError: clean ? null : this.st.lastError });
      return { plan, outcome: null, pending, unreadable, leftOut, clean };
    }

    this.setState('pushing', plan.strategy === 'snapshot' ? `Pushing the case as one archive (${plan.uploads.length} files)${plan.beside.length ? ` and ${plan.beside.length} large file${plan.beside.length === 1 ? '' : 's'} beside it` : ''}` : `Pushing ${plan.uploads.length} file${plan.uploads.length === 1 ? '' : 's'}${plan.deletes.length ? `, deleting ${plan.deletes.length}` : ''}`);
    await mkdir(this.opts.stateDir, { recursive: true });
    let outcome: PushOutcome;
    try {
      outcome = await executePush({
        root: this.project.localDir,
        storageFolder: this.project.storageFolder,
        index: this.index,
        cloud: this.cloud,
        tmpDir: join(this.opts.stateDir, 'tmp'),
        cacheDir: join(this.opts.stateDir, 'snapshot-cache'),
        signal,
        onProgress: (p) => this.set({ progress: p }),
        log: (level, m) => this.log(level, m),
      }, plan);
    } catch (e) {
      this.fail(e, 'The push failed', 'push');
      throw e;
    }
    this.deletionsConfirmed = false;
    const t = this.now();
    this.index.setMeta('engine.lastPushAt', String(t));
    const problems = outcome.torn.length + outcome.failed.length;
    for (const f of outcome.failed) this.log('warn', `push of ${f.path} failed: ${f.message}`);
    if (outcome.failed.length > 0) {
      const first = outcome.failed[0] as { path: string; message: string };
      this.set({ lastError: { message: `${outcome.failed.length} file${outcome.failed.length === 1 ? '' : 's'} could not be pushed (${first.path}: ${first.message})`, action: 'Nothing to do: they are retried automatically.', at: t, during: 'push', kind: 'partial' } });
    } else if (this.st.lastError && this.st.lastError.during !== 'pull') {
      // The push went through: an earlier push, scan or connection problem no longer holds.
      this.set({ lastError: null });
    }
    if (outcome.uploaded.length + outcome.deleted.length > 0) {
      this.events.emit('activity', { id: 0, at: t, kind: outcome.snapshot ? 'snapshot' : 'pushed', path: null, message: `${outcome.snapshot ? 'Pushed the case as one archive' : `Pushed ${outcome.uploaded.length} file${outcome.uploaded.length === 1 ? '' : 's'}`}${outcome.deleted.length ? `, deleted ${outcome.deleted.length}` : ''}`, projectId: this.project.id });
    }
    if (problems === 0) this.retryIndex = 0;
    // One word for a synced project ('Up to date'): what was pushed is in the activity history.
    const waiting = pending.length > 0 ? waitingText(pending.length) : syncedText(leftOut);
    this.setState('idle', problems > 0 ? `${problems} file${problems === 1 ? '' : 's'} to retry` : waiting, { lastPushAt: t, progress: null });
    return { plan, outcome, pending: pending.concat(outcome.torn), unreadable, leftOut, clean: false };
  }

  private fail(e: unknown, what: string, during: SyncProblem['during']): void {
    if (this.closed) return;
    if (this.isPaused && (errorKind(e) === 'cancelled' || e instanceof PausedError || (e as { name?: string })?.name === 'AbortError')) {
      this.setState('paused', 'Paused (the transfer in progress was stopped; it resumes from the last recorded step)', { progress: null });
      return;
    }
    const problem: SyncProblem = { message: `${what}: ${errorText(e)}`, action: actionFor(e), at: this.now(), during, kind: errorKind(e) };
    if (isOffline(e)) {
      this.setState('offline', 'cloudHPC cannot be reached; retrying', { lastError: problem, progress: null });
    } else {
      this.setState('error', problem.message, { lastError: problem, progress: null });
      try {
        this.activityEvent('error', problem.message);
      } catch {
        // index closed
      }
    }
  }

  /**
   * Makes the storage equal the local case now and resolves once it holds (launch uses this before
   * starting a simulation). Waits for changing files to settle; rejects on the mass-delete guard,
   * a refused key, or when it cannot finish within timeoutMs.
   */
  async ensurePushed(opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<CycleResult> {
    const deadline = this.now() + (opts.timeoutMs ?? 30 * 60_000);
    let offlineTry = 0;
    let errorTry = 0;
    for (;;) {
      opts.signal?.throwIfAborted();
      let r: CycleResult;
      try {
        r = await this.syncNow({ force: true });
      } catch (e) {
        if (e instanceof MassDeleteError || e instanceof PausedError || e instanceof IgnoreFileError || errorKind(e) === 'unauthorized' || errorKind(e) === 'cancelled' || this.closed) throw e;
        if (this.isPaused && (e as { name?: string })?.name === 'AbortError') throw new PausedError();
        const table = isOffline(e) ? OFFLINE_RETRY_MS : [1_000, 2_000, 5_000, 10_000];
        const ms = table[Math.min(isOffline(e) ? offlineTry++ : errorTry++, table.length - 1)] as number;
        if (this.now() + ms > deadline) throw e;
        await delay(ms, opts.signal);
        continue;
      }
      if (r.clean) return r;
      if (this.now() > deadline) throw new PushIncompleteError(r.pending, r.unreadable);
      if (r.outcome === null || r.pending.length > 0 || r.unreadable.length > 0 || r.outcome.failed.length > 0) await delay(Math.max(50, Math.min(this.settings.quietPeriodMs, 1000)), opts.signal);
    }
  }

  /** Pulls results (serialised with pushes). */
  pull(request: PullRequest = {}): Promise<PullResult> {
    const runner = this.opts.pull;
    if (!runner) return Promise.reject(new Error('Pulling is not available in this build.'));
    return this.mutex.run(async () => {
      if (this.closed) throw new Error('This project engine is closed.');
      this.setState('pulling', 'Pulling results', { progress: null });
      try {
        const r = await runner({ index: this.index, project: this.project, signal: this.abort.signal, request, onProgress: (p) => this.set({ progress: p }) });
        const t = this.now();
        this.index.setMeta('engine.lastPullAt', String(t));
        // The pull went through: an earlier pull or connection problem no longer holds.
        const le = this.st.lastError;
        const cleared = le && (le.during === 'pull' || le.kind === 'network') ? { lastError: null } : {};
        // What the pull brought is in the activity history and its typed result, not in the state line.
        this.setState(this.isPaused ? 'paused' : 'idle', this.isPaused ? 'Paused' : 'Up to date', { lastPullAt: t, progress: null, ...cleared });
        return r;
      } catch (e) {
        this.fail(e, 'The pull failed', 'pull');
        throw e;
      }
    });
  }

  /**
   * Runs `fn` with the project's index while no push or pull of the project runs (serialised like
   * them): the storage browser records there what a deletion from storage or opening a case from
   * the cloud changed, with the same rules as a pull or a push.
   */
  exclusive<T>(fn: (index: IndexStore) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      if (this.closed) throw new Error('This project engine is closed.');
      return fn(this.index);
    });
  }

  /** Stops watching and timers, cancels transfers in flight; the index stays consistent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.cycleTimer) clearTimeout(this.cycleTimer);
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    this.abort.abort(new Error('The sync engine is stopping.'));
    await this.watcher?.close();
    this.watcher = null;
    await this.mutex.run(async () => undefined).catch(() => undefined);
    this.set({ watch: 'off' });
  }
}

// Workspace: the one application layer under the desktop app, `cloudhpc-sync serve` and every CLI
// command. It owns the app settings, the project registry, the way to the service (API key chain,
// call budget, client), the sync service, the run lifecycle and the results schedule, and tells its
// front ends what happens through typed events. AppCore maps it onto the UI contract; each CLI
// command parses its arguments, calls it, and renders what it returns. See README.md.
import type { AttentionView, FixAction, MassDeleteView, Settings } from '../../common/contract';
import { safeLog, type LogSink } from '../api/redact';
import type { SafeStorageLike } from '../keystore';
import { appDataDir, ProjectRegistry, type Project, type ProjectSettings } from '../project';
import { realScheduler, type Scheduler } from '../simulation/scheduler';
import type { CycleResult, PullRequest } from '../sync/engine';
import type { ActivityEntry } from '../sync/index-store';
import type { PushPlan } from '../sync/planner';
import type { PullConflict, PullResult } from '../sync/pull';
import type { RestoreResult } from '../sync/restore';
import { SyncService } from '../sync/service';
import { Emitter, type ProjectStatus, type Unsubscribe } from '../sync/status';
import { ApiAccess } from './api-access';
import { massDeleteView, projectAttentions } from './attention';
import { addIgnoreLines, renameInCase } from './case-edits';
import { CloudStorage } from './cloud-storage';
import { resolveConflictFiles, type Keep } from './conflicts';
import { WorkspaceError } from './errors';
import type { WorkspaceEvents } from './events';
import { ResultsSchedule, type PullReason } from './results-schedule';
import { Runs, type RunTuning } from './runs';
import { SettingsStore } from './settings';

export interface WorkspaceOptions {
  /** App data folder (default: CLOUDHPC_SYNC_HOME or the platform's usual place). */
  home?: string;
  env?: NodeJS.ProcessEnv;
  /** Electron's safeStorage (the shell injects it); absent headless and on the command line. */
  safeStorage?: SafeStorageLike | null;
  /** The provider CLI's key file (default ~/.cfscloudhpc/apikey). */
  cliKeyFile?: string;
  keychainTimeoutMs?: number;
  /** false: skip the OS keychain (tests, or a setting). */
  useKeychain?: boolean;
  /** Track every active run on a project folder (the app, default) or only the runs asked for (the CLI). */
  trackAll?: boolean;
  /** The clock of tracking, log following and scheduled pulls (default: real timers). */
  scheduler?: Scheduler;
  tuning?: RunTuning;
  log?: LogSink;
  /** Every API call and transfer stops when this aborts (the CLI's Ctrl-C and --timeout). */
  signal?: AbortSignal;
}

export class Workspace {
  readonly home: string;
  readonly settings: SettingsStore;
  readonly registry: ProjectRegistry;
  readonly api: ApiAccess;
  readonly sync: SyncService;
  readonly results: ResultsSchedule;
  readonly runs: Runs;
  /** The whole cloud storage: browse, download, delete, open a case from it. */
  readonly storage: CloudStorage;
  readonly events = new Emitter<WorkspaceEvents>();
  private readonly log: LogSink;
  private readonly unsubs: Unsubscribe[] = [];
  private started = false;
  /** Projects with a push the person asked for in flight (a second click joins it). */
  private readonly pushing = new Set<string>();
  private watching = false;
  private closed = false;

  constructor(o: WorkspaceOptions = {}) {
    const env = o.env ?? process.env;
    this.home = o.home ?? appDataDir(env);
    this.log = safeLog(o.log);
    this.settings = new SettingsStore(this.home, env.CLOUDHPC_API_URL?.trim() || null);
    this.registry = new ProjectRegistry(this.home);
    this.api = new ApiAccess({
      home: this.home,
      env,
      baseUrl: () => this.settings.get().baseUrl,
      safeStorage: o.safeStorage,
      cliKeyFile: o.cliKeyFile,
      keychainTimeoutMs: o.keychainTimeoutMs,
      useKeychain: o.useKeychain,
      log: this.log,
      signal: o.signal,
      onOffline: (message) => this.events.emit('offline', { message }),
      onKeyRejected: (message) => this.events.emit('keyRejected', { message }),
      onFeaturesChanged: (features) => this.events.emit('featuresChanged', { features }),
    });
    this.sync = new SyncService({
      registry: this.registry,
      cloud: this.api.cloud,
      budgetLeft: () => this.api.budget.state().hourlyLeft,
      log: (level, m) => this.log(level, m),
      scriptOf: (pid) => this.runs.scriptOf(pid),
    });
    const scheduler = o.scheduler ?? realScheduler();
    this.results = new ResultsSchedule({
      scheduler,
      afterSyncMs: o.tuning?.syncPullDelaysMs,
      pull: (pid, reason, request) => this.runPull(pid, reason, request),
      onError: (pid, error) => this.events.emit('problem', { what: `A scheduled pull of ${this.describe(pid)} failed`, error }),
    });
    this.runs = new Runs({
      home: this.home,
      client: this.api.cloud,
      sync: this.sync,
      registry: this.registry,
      results: this.results,
      scheduler,
      share: () => this.settings.get().pollingShare,
      trackAll: o.trackAll ?? true,
      tuning: o.tuning,
      events: this.events,
    });
    this.storage = new CloudStorage({
      cloud: this.api.cloud,
      requireClient: () => void this.api.requireClient(),
      sync: this.sync,
      registry: this.registry,
      runs: this.runs,
      newProjectSettings: () => this.newProjectSettings(),
      opened: (pid) => this.opened(pid),
    });
    this.unsubs.push(
      this.sync.on('state', (s) => {
        if (s.state === 'offline') this.api.setOffline(s.lastError?.message ?? 'cloudHPC cannot be reached.');
        this.events.emit('projectState', s);
      }),
      this.sync.on('activity', (a) => this.events.emit('activity', a)),
    );
  }

  on<K extends keyof WorkspaceEvents>(event: K, cb: (v: WorkspaceEvents[K]) => void): Unsubscribe {
    return this.events.on(event, cb);
  }

  /** Reads the API key (key store chain) and builds the client; true when there is a key. */
  async connect(): Promise<boolean> {
    const ok = await this.api.connect();
    await this.startBackground();
    return ok;
  }

  // ---- projects

  projects(): Project[] {
    return this.registry.list();
  }

  project(id: string): Project {
    const p = this.registry.get(id);
    if (!p) throw new WorkspaceError('not-found', 'This project is no longer in the list: refresh and try again.');
    return p;
  }

  projectByDir(dir: string): Project | undefined {
    return this.registry.findByDir(dir);
  }

  private describe(projectId: string): string {
    return this.registry.get(projectId)?.storageFolder ?? projectId;
  }

  /** New projects start with the app's pull defaults (settings: pull everything, extract archives). */
  private newProjectSettings(): Partial<ProjectSettings> {
    const s = this.settings.get();
    return { pullMode: s.pullAll ? 'everything' : 'results', extractArchives: s.extractArchives };
  }

  /** Registers a case folder (storage folder defaults to its name; an invalid name is refused with a suggestion). */
  addProject(dir: string, o: { storageFolder?: string } = {}): Project {
    const p = this.sync.addProject(dir, { storageFolder: o.storageFolder?.trim() || undefined, settings: this.newProjectSettings() });
    this.watchNew(p.id);
    return p;
  }

  /** The project of a folder, registering it when needed. */
  ensureProject(dir: string, o: { storageFolder?: string } = {}): Project {
    const known = this.registry.findByDir(dir);
    const p = this.sync.ensureProject(dir, { storageFolder: o.storageFolder, settings: this.newProjectSettings() });
    if (!known) this.watchNew(p.id);
    return p;
  }

  private watchNew(projectId: string): void {
    if (this.watching) this.background('watching the new project', this.sync.watch([projectId]));
  }

  /** A project opened from the cloud syncs from now on: the app resumes and watches it; a CLI command only unpauses it. */
  private opened(projectId: string): void {
    if (!this.watching) {
      this.registry.updateSettings(projectId, { paused: false });
      return;
    }
    this.sync.resume(projectId);
    this.watchNew(projectId);
  }

  /** Stops syncing it; never deletes local or cloud files. */
  async removeProject(projectId: string): Promise<void> {
    this.project(projectId);
    await this.sync.removeProject(projectId);
  }

  status(projectId: string): ProjectStatus {
    return this.sync.status(this.project(projectId).id);
  }

  activity(projectId: string, limit = 50): ActivityEntry[] {
    return this.sync.activity(projectId, limit);
  }

  /** What is known locally about a project: its state, files tracked, our archive (no API call). */
  summary(projectId: string): ProjectStatus & ReturnType<SyncService['indexSummary']> {
    return { ...this.status(projectId), ...this.sync.indexSummary(projectId) };
  }

  /** Pauses one project (persisted) or every project (this session). */
  pause(projectId?: string): void {
    if (projectId) this.project(projectId);
    this.sync.pause(projectId);
  }

  resume(projectId?: string): void {
    if (projectId) {
      this.project(projectId);
      this.storage.requireOpened(projectId);
      this.sync.resume(projectId);
      return;
    }
    this.sync.resume();
    for (const p of this.registry.list()) if (p.settings.paused && !this.storage.isOpening(p.id)) this.sync.resume(p.id);
  }

  get allPaused(): boolean {
    return this.sync.isGloballyPaused;
  }

  /**
   * A push cycle now, in the background. When the mass-delete guard holds the project, the person
   * must confirm first (`confirmed`), else this refuses with `needs-confirmation`.
   */
  pushSoon(projectId: string, o: { confirmed?: boolean } = {}): void {
    this.api.requireClient();
    this.storage.requireOpened(projectId);
    const st = this.status(projectId);
    if (st.attention) {
      if (!o.confirmed) throw new WorkspaceError('needs-confirmation', st.attention.message);
      this.sync.confirmDeletes(projectId, st.attention.paths);
    }
    if (this.pushing.has(projectId)) return;
    this.pushing.add(projectId);
    this.background('push', this.sync.syncNow(projectId).finally(() => this.pushing.delete(projectId)));
  }

  // ---- what needs the person, and its fixes

  /** What needs the person in this project, each with its fixes (computed now: gone once it no longer holds). */
  attentions(projectId: string): AttentionView[] {
    return projectAttentions(this.status(projectId), this.conflicts(projectId));
  }

  /** The deletions the mass-delete guard holds, with what each answer costs; null when it holds none. */
  massDelete(projectId: string): MassDeleteView | null {
    const s = this.status(projectId);
    if (s.attention?.kind !== 'mass-delete') return null;
    return massDeleteView(s, this.sync.restoreCalls(projectId, s.attention.paths));
  }

  /**
   * The mass-delete guard's answers: 'delete' the held files from the cloud too (exactly those: a
   * later deletion asks again), or 'restore' them into the case folder from the cloud.
   */
  async resolveDeletes(projectId: string, decision: 'delete' | 'restore'): Promise<RestoreResult | null> {
    const a = this.status(projectId).attention;
    if (a?.kind !== 'mass-delete') throw new WorkspaceError('not-allowed', 'No deletions are waiting for a decision any more.');
    this.api.requireClient();
    if (decision === 'delete') {
      this.sync.confirmDeletes(projectId, a.paths);
      return null;
    }
    return this.sync.restoreDeleted(projectId, a.paths);
  }

  /** Performs a fix the workspace owns; the ones that only open a place in a UI are refused. */
  async applyFix(projectId: string, fix: FixAction): Promise<void> {
    const p = this.project(projectId);
    switch (fix.kind) {
      case 'retry-now':
        this.pushSoon(projectId);
        return;
      case 'resume':
        this.resume(projectId);
        return;
      // the case changed: scan it now (new rules, new names) rather than wait for the watcher
      case 'add-to-ignore':
        await addIgnoreLines(p.localDir, fix.lines, this.home);
        this.sync.caseEdited(projectId);
        return;
      case 'rename':
        await renameInCase(p.localDir, fix.path, fix.to, this.home);
        this.sync.caseEdited(projectId);
        return;
      default:
        throw new WorkspaceError('not-allowed', 'This fix is made in the app window, not by the core.');
    }
  }

  /** Makes the storage equal the local case; resolves once it holds (the CLI's `push`). */
  async push(projectId: string, o: { confirmDeletes?: boolean; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<CycleResult> {
    this.api.requireClient();
    this.storage.requireOpened(projectId);
    if (o.confirmDeletes) this.sync.confirmDeletes(projectId);
    return this.sync.ensurePushed(projectId, { timeoutMs: o.timeoutMs, signal: o.signal });
  }

  /** What the next push would do and cost: scans, no API call. */
  previewPush(projectId: string): Promise<PushPlan> {
    return this.sync.previewPush(this.project(projectId).id);
  }

  /** A pull the person asked for (options for this pull only); typed result, `resultsPulled` event. */
  pull(projectId: string, request: Omit<PullRequest, 'priority'> = {}): Promise<PullResult> {
    this.api.requireClient();
    this.project(projectId);
    return this.results.pullNow(projectId, request);
  }

  private async runPull(projectId: string, reason: PullReason, request: PullRequest): Promise<PullResult> {
    const result = await this.sync.pull(projectId, request);
    this.events.emit('resultsPulled', { projectId, reason, result });
    return result;
  }

  /** The conflicts pulls left in the project (rows of its index), while their cloud copy exists. */
  conflicts(projectId: string): PullConflict[] {
    return this.sync.conflicts(projectId);
  }

  async resolveConflict(projectId: string, conflictId: string, keep: Keep): Promise<void> {
    const p = this.project(projectId);
    const c = this.sync.conflicts(projectId).find((x) => x.id === conflictId);
    if (!c) throw new WorkspaceError('not-found', 'This conflict is no longer listed: refresh the project.');
    await resolveConflictFiles(p.localDir, c, keep, this.home);
    this.sync.forgetConflict(projectId, conflictId);
  }

  /** Watches the given projects (default all) and pushes their changes, until close(). */
  watch(projectIds?: string[]): Promise<void> {
    return this.sync.watch(projectIds);
  }

  // ---- settings

  /** Validates and saves a settings change, and applies it at once (polling share, base URL). */
  async updateSettings(patch: unknown): Promise<Settings> {
    const before = this.settings.get();
    const s = this.settings.update(patch);
    if (s.pollingShare !== before.pollingShare) this.runs.setShare(s.pollingShare);
    if (s.baseUrl !== before.baseUrl) await this.connect();
    return s;
  }

  // ---- life

  /** Background work (the app and `serve`): watching every project and tracking runs, once a key is set. */
  async start(): Promise<void> {
    this.started = true;
    await this.startBackground();
  }

  private async startBackground(): Promise<void> {
    if (!this.started || !this.api.connected || this.closed) return;
    if (!this.watching) {
      this.watching = true;
      try {
        await this.sync.watch();
      } catch (err) {
        this.events.emit('problem', { what: 'Watching the projects failed', error: err });
      }
    }
    this.background('looking for simulations', this.runs.refresh());
  }

  private background(what: string, p: Promise<unknown>): void {
    p.catch((error: unknown) => {
      if (!this.closed) this.events.emit('problem', { what: `${what} failed`, error });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubs.splice(0)) u();
    this.results.close();
    this.runs.close();
    await this.sync.close();
    await this.api.close();
  }
}

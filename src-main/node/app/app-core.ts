// AppCore: the facade that implements the UI contract on top of the engine modules (API client,
// key store, project registry, sync service, simulations). Both transports (Electron IPC, the
// headless server) hand it untrusted requests; it validates them, runs them, and answers Replies.
// It keeps the API key to itself: the UI only ever sees KeyStatus.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  AppState, CoreHandlers, EventName, Events, KeyStatus, OfflineView, ParamsOf, ProjectView, Reply, RequestName, ResultOf, SimulationView, UnavailableFeatureView,
} from '../../common/contract';
import { isRequestName } from '../../common/contract';
import { CallBudget } from '../api/budget';
import { ServiceClock } from '../api/service-clock';
import { CloudHpcClient } from '../api/client';
import { isCloudHpcError } from '../api/errors';
import { safeLog, type LogSink } from '../api/redact';
import { ApiKeyManager, type SafeStorageLike } from '../keystore';
import { appDataDir, ProjectRegistry, suggestStorageName, checkStorageName } from '../project';
import { mainCause } from '../simulation/diagnosis';
import { SyncService } from '../sync/service';
import type { AnyEvent, CoreEndpoint } from './endpoint';
import { ConflictBook, parseConflictMessage } from './conflicts';
import { DropPlanner } from './drops';
import { AppError, toContractError } from './errors';
import { openTarget } from './open-path';
import { projectView } from './project-views';
import { SettingsStore } from './settings';
import { Simulations, type SimulationTuning } from './simulations';
import { parseParams } from './validate';
import { budgetView, traySummary } from './views';

export interface AppCoreOptions {
  transport: 'electron' | 'headless';
  /** App data folder (default: CLOUDHPC_SYNC_HOME or the platform's usual place). */
  home?: string;
  env?: NodeJS.ProcessEnv;
  /** Electron's safeStorage (the shell injects it); null/absent headless. */
  safeStorage?: SafeStorageLike | null;
  /** The provider CLI's key file (default ~/.cfscloudhpc/apikey). */
  cliKeyFile?: string;
  /** Opens a path or URL on the desktop (Electron shell.openPath/openExternal); absent headless. */
  opener?: (target: string, kind: 'path' | 'url') => Promise<void>;
  /** Keychain calls deadline (ms). */
  keychainTimeoutMs?: number;
  /** false: skip the OS keychain (tests, or a setting). */
  useKeychain?: boolean;
  /** Faster polling for tests and the demo. */
  tuning?: SimulationTuning;
  log?: LogSink;
}

export const APP_SERVICE_NAME = 'cloudHPC Sync';

export class AppCore implements CoreEndpoint {
  readonly home: string;
  readonly stagingRoot: string;
  readonly settings: SettingsStore;
  readonly registry: ProjectRegistry;
  readonly budget = new CallBudget();
  /** The service's clock offset, learnt from a run we created; shared by every client. */
  readonly serviceClock = new ServiceClock();
  /** Features the current key may not use (the client reports them; syncing goes on). */
  private unavailable: UnavailableFeatureView[] = [];
  private unsubFeatures: (() => void) | null = null;
  readonly sync: SyncService;
  sims: Simulations;
  private readonly cloud: CloudHpcClient;
  private keys!: ApiKeyManager;
  private client: CloudHpcClient | null = null;
  private readonly conflicts: ConflictBook;
  private readonly drops: DropPlanner;
  private readonly listeners = new Set<(ev: AnyEvent) => void>();
  private readonly log: LogSink;
  private seq = 0;
  private stateTimer: ReturnType<typeof setTimeout> | null = null;
  private offline: OfflineView = { offline: false, since: null, message: null };
  private watched: number | null = null;
  private started = false;
  private watching = false;
  private stopped = false;
  private readonly unsubs: (() => void)[] = [];
  private readonly seenActivity = new Set<string>();
  private keyStatusCache: KeyStatus | null = null;
  readonly handlers: CoreHandlers;

  private constructor(private readonly opts: AppCoreOptions) {
    const env = opts.env ?? process.env;
    this.home = opts.home ?? appDataDir(env);
    this.log = safeLog(opts.log);
    this.settings = new SettingsStore(this.home, env.CLOUDHPC_API_URL?.trim() || null);
    this.registry = new ProjectRegistry(this.home);
    this.stagingRoot = mkdtempSync(join(tmpdir(), 'cloudhpc-drop-'));
    const cloud = this.cloudProxy();
    this.cloud = cloud;
    this.sync = new SyncService({
      registry: this.registry,
      cloud,
      budgetLeft: () => this.budget.state().hourlyLeft,
      log: (level, m) => this.log(level, m),
      scriptOf: (pid) => this.sims.recordList().find((r) => r.projectId === pid)?.script ?? null,
    });
    this.sims = this.makeSimulations();
    this.conflicts = new ConflictBook((id) => this.registry.projectDir(id));
    this.drops = new DropPlanner({
      home: this.home,
      stagingRoot: this.stagingRoot,
      project: (id) => ({ id, localDir: this.projectRecord(id).localDir }),
      suggestStorageName: (dir) => {
        const name = dir.split(/[\\/]/).filter(Boolean).pop() ?? 'case';
        return checkStorageName(name).ok ? name : suggestStorageName(name);
      },
    });
    this.unsubs.push(
      this.sync.on('state', (s) => {
        if (s.state === 'offline') this.setOffline(s.lastError?.message ?? 'cloudHPC cannot be reached.');
        const view = this.projectViewOf(s.projectId);
        if (view) {
          this.emit('projectState', view);
          if (view.progress) this.emit('transferProgress', { projectId: view.id, progress: view.progress });
        }
        this.stateChanged();
      }),
      this.sync.on('activity', () => this.stateChanged()),
      this.budget.onChange(() => this.stateChanged()),
    );
    this.handlers = this.makeHandlers();
  }

  /** The simulations side; rebuilt when the polling share changes (the tracker takes it at start). */
  private makeSimulations(): Simulations {
    const cloud = this.cloud;
    return new Simulations({
      home: this.home,
      client: cloud,
      sync: this.sync,
      share: () => this.settings.get().pollingShare,
      projectOfFolder: (folder) => this.registry.list().find((p) => p.storageFolder === folder)?.id ?? null,
      project: (id) => this.projectRecord(id),
      pull: (pid) => this.pullProject(pid, 'background'),
      onChange: (simulation, previousStatus) => {
        this.emit('simulationChanged', { simulation, previousStatus });
        this.stateChanged();
      },
      onFinished: (f, projectId) => {
        if (!this.settings.get().notifications.simulationEnded) return;
        const what = f.outcome === 'completed with errors' ? 'completed with errors' : f.outcome;
        const cause = mainCause(f.diagnoses);
        this.emit('notification', {
          kind: 'simulation-ended',
          title: `Simulation #${f.simulation.id} ${what}`,
          body: `${f.simulation.folder} (${f.simulation.script})${cause ? `: ${cause.cause}` : ''}`,
          simulationId: f.simulation.id,
          ...(projectId ? { projectId } : {}),
          at: new Date().toISOString(),
        });
      },
      onLog: (chunk) => this.emit('logAppended', chunk),
      onError: (_message, error) => this.noteFailure(error),
      onPolled: () => {
        this.setOffline(null);
        this.stateChanged();
      },
      tuning: this.opts.tuning,
    });
  }

  static async create(opts: AppCoreOptions): Promise<AppCore> {
    const core = new AppCore(opts);
    core.keys = await ApiKeyManager.open({
      service: APP_SERVICE_NAME,
      dataDir: core.home,
      safeStorage: opts.safeStorage ?? null,
      env: opts.env ?? process.env,
      cliKeyFile: opts.cliKeyFile,
      timeoutMs: opts.keychainTimeoutMs,
      useKeychain: opts.useKeychain,
      log: core.log,
      checker: async (baseUrl, key) => {
        const probe = new CloudHpcClient({ baseUrl, apiKey: key, budget: core.budget });
        try {
          await probe.checkKey();
        } finally {
          await probe.close();
        }
      },
    });
    await core.connect();
    return core;
  }

  // ---- transport side

  async request(name: string, params: unknown): Promise<Reply<unknown>> {
    if (!isRequestName(name)) return { ok: false, error: { code: 'invalid-params', message: `Unknown request "${name.slice(0, 60)}".` } };
    return this.call(name, params);
  }

  /** Typed entry (tests, the Electron shell). */
  async call<K extends RequestName>(name: K, params: unknown): Promise<Reply<ResultOf<K>>> {
    try {
      const p = parseParams(name, params);
      const handler = this.handlers[name] as (p: ParamsOf<K>) => Promise<ResultOf<K>>;
      return { ok: true, value: await handler(p) };
    } catch (err) {
      this.noteFailure(err);
      const error = toContractError(err);
      if (error.code === 'internal') this.log('error', `${name} failed: ${error.message}`);
      return { ok: false, error };
    }
  }

  onEvent(cb: (ev: AnyEvent) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private emit<E extends EventName>(name: E, payload: Events[E]): void {
    if (this.stopped) return;
    const ev = { name, payload } as AnyEvent;
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch (err) {
        this.log('warn', `event listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Coalesces state snapshots (at most one per 100 ms). */
  stateChanged(): void {
    if (this.stateTimer || this.stopped) return;
    this.stateTimer = setTimeout(() => {
      this.stateTimer = null;
      void this.snapshot().then((s) => this.emit('state', s), (err: unknown) => this.log('warn', `state snapshot failed: ${toContractError(err).message}`));
    }, 100);
  }

  /** Starts background work: watching the projects and tracking simulations (once a key is set). */
  async start(): Promise<void> {
    this.started = true;
    await this.startBackground();
    this.stateChanged();
  }

  private async startBackground(): Promise<void> {
    if (!this.started || !this.client || this.stopped) return;
    if (!this.watching) {
      this.watching = true;
      try {
        await this.sync.watch();
      } catch (err) {
        this.log('warn', `watching failed: ${toContractError(err).message}`);
      }
    }
    void this.sims.tracker.refresh().catch((err: unknown) => this.noteFailure(err));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.stateTimer) clearTimeout(this.stateTimer);
    for (const u of this.unsubs.splice(0)) u();
    this.unsubFeatures?.();
    this.listeners.clear();
    this.sims.close();
    await this.sync.close();
    await this.client?.close();
    this.client = null;
    rmSync(this.stagingRoot, { recursive: true, force: true });
  }

  // ---- internals

  private baseUrl(): string {
    return this.settings.get().baseUrl;
  }

  /** The engines hold this proxy: it always reaches the current client (key and base URL can change). */
  private cloudProxy(): CloudHpcClient {
    const target = {} as CloudHpcClient;
    return new Proxy(target, {
      get: (_t, prop) => {
        if (prop === 'budget') return this.budget;
        if (prop === 'serviceClock') return this.serviceClock;
        if (prop === 'baseUrl') return this.settings.get().baseUrl.replace(/\/+$/, '');
        const c = this.requireClient();
        const v: unknown = Reflect.get(c, prop, c);
        if (typeof v !== 'function') return v;
        // Every call the engines make tells whether the service is reachable (the offline banner).
        return (...args: unknown[]) => {
          const r: unknown = (v as (...a: unknown[]) => unknown).apply(c, args);
          if (r instanceof Promise) r.then(() => this.setOffline(null), (err: unknown) => this.noteFailure(err));
          return r;
        };
      },
    });
  }

  /** (Re)creates the API client from the stored key; no client when there is none. */
  private async connect(): Promise<void> {
    await this.client?.close();
    this.client = null;
    let key: string | null = null;
    try {
      key = await this.keys.getKey(this.baseUrl());
    } catch (err) {
      this.log('warn', `API key could not be read: ${toContractError(err).message}`);
    }
    this.unsubFeatures?.();
    this.unsubFeatures = null;
    this.unavailable = [];
    if (key) {
      const c = new CloudHpcClient({ baseUrl: this.baseUrl(), apiKey: key, budget: this.budget, serviceClock: this.serviceClock, log: this.log });
      this.client = c;
      this.unsubFeatures = c.onFeaturesChange((list) => {
        this.unavailable = list.map((f) => ({ feature: f.feature, message: f.serviceText, since: new Date(f.since).toISOString() }));
        this.stateChanged();
      });
    }
    await this.keyStatus(true);
    await this.startBackground();
    this.stateChanged();
  }

  /** KeyStatus, cached: reading the keychain on every snapshot would cost a D-Bus call each time. */
  private async keyStatus(refresh = false): Promise<KeyStatus> {
    if (refresh || !this.keyStatusCache) this.keyStatusCache = await this.keys.status(this.baseUrl());
    return this.keyStatusCache;
  }

  requireClient(): CloudHpcClient {
    if (!this.client) throw new AppError('no-key', 'No API key is set yet: paste the key from your cloudHPC profile page first.');
    return this.client;
  }

  private noteFailure(err: unknown): void {
    if (!isCloudHpcError(err)) return;
    if (err.kind === 'network') this.setOffline(err.userMessage);
    // only a refused view-cpu is 'unauthorized' (the client checks); "Unauthorized." on one endpoint
    // is 'feature-unavailable': that feature is listed in the state and syncing goes on
    if (err.kind === 'unauthorized') this.keyRejected(err.userMessage);
  }

  setOffline(message: string | null): void {
    const offline = message !== null;
    if (offline === this.offline.offline) return;
    this.offline = offline ? { offline, since: new Date().toISOString(), message } : { offline: false, since: null, message: null };
    this.stateChanged();
  }

  keyRejected(message: string): void {
    this.keys.markRejected(this.baseUrl());
    this.keyStatusCache = null;
    this.emit('keyRejected', { message });
    if (this.settings.get().notifications.keyRejected) {
      this.emit('notification', { kind: 'key-rejected', title: 'API key rejected', body: message, at: new Date().toISOString() });
    }
    this.stateChanged();
  }

  private projectRecord(id: string): { localDir: string; storageFolder: string } {
    const p = this.registry.get(id);
    if (!p) throw new AppError('not-found', 'This project is no longer in the list: refresh and try again.');
    return p;
  }

  private projectViewOf(id: string): ProjectView | null {
    const p = this.registry.get(id);
    if (!p) return null;
    const activity = this.sync.activity(id, 50);
    // The pull writes conflicts to the activity history (not always as an event): collect them from there.
    for (const a of activity) {
      if (a.kind !== 'conflict' || this.seenActivity.has(`${id}:${a.id}`)) continue;
      this.seenActivity.add(`${id}:${a.id}`);
      const c = parseConflictMessage(a.message, a.path);
      if (c) this.conflicts.add(id, { ...c, at: a.at });
    }
    return projectView(this.sync.status(id), activity, this.conflicts.list(id, p.localDir));
  }

  private project(id: string): ProjectView {
    const v = this.projectViewOf(id);
    if (!v) throw new AppError('not-found', 'This project is no longer in the list: refresh and try again.');
    return v;
  }

  projectViews(): ProjectView[] {
    return this.registry.list().map((p) => this.projectViewOf(p.id)).filter((v): v is ProjectView => v !== null);
  }

  simulationViews(): SimulationView[] {
    return this.sims.list();
  }

  async snapshot(): Promise<AppState> {
    const projects = this.projectViews();
    const simulations = this.simulationViews();
    const budget = budgetView(this.budget.state());
    const offline = this.offline.offline || projects.some((p) => p.state === 'offline');
    const tray = traySummary(projects, simulations, budget, offline);
    if (this.sync.isGloballyPaused) tray.allPaused = true;
    return {
      seq: ++this.seq,
      transport: this.opts.transport,
      key: await this.keyStatus(),
      projects,
      simulations,
      budget,
      offline: offline && !this.offline.offline ? { offline: true, since: null, message: 'cloudHPC cannot be reached.' } : this.offline,
      tray,
      watchedSimulation: this.watched,
      unavailableFeatures: this.unavailable,
    };
  }

  /** Pulls a project's results and tells the user what came back. */
  private async pullProject(projectId: string, priority: 'user' | 'background'): Promise<void> {
    const r = await this.sync.pull(projectId, { priority });
    const n = this.settings.get().notifications;
    const name = this.projectRecord(projectId).storageFolder;
    if (n.resultsPulled && !/^Pulled 0 files?\b/.test(r.summary)) {
      this.emit('notification', { kind: 'results-pulled', title: `Results pulled: ${name}`, body: r.summary, projectId, at: new Date().toISOString() });
    }
    if (n.conflict && r.conflicts > 0) {
      this.emit('notification', { kind: 'conflict', title: `${r.conflicts} conflict${r.conflicts === 1 ? '' : 's'} in ${name}`, body: 'Local files were kept; the cloud versions are beside them. Resolve them in the project.', projectId, at: new Date().toISOString() });
    }
    this.stateChanged();
  }

  private background(what: string, p: Promise<unknown>): void {
    p.catch((err: unknown) => {
      this.noteFailure(err);
      this.log('warn', `${what} failed: ${toContractError(err).message}`);
    });
  }

  private makeHandlers(): CoreHandlers {
    return {
      getState: () => this.snapshot(),
      keyStatus: () => this.keyStatus(true),
      setApiKey: async ({ key, allowInsecureStorage }) => {
        const s = await this.keys.setKey(this.baseUrl(), key, { allowInsecureStorage });
        await this.connect();
        return s;
      },
      importCliKey: async ({ allowInsecureStorage }) => {
        const s = await this.keys.importCliKey(this.baseUrl(), { allowInsecureStorage });
        await this.connect();
        return s;
      },
      forgetApiKey: async () => {
        const s = await this.keys.forget(this.baseUrl());
        await this.connect();
        return s;
      },
      addProject: async ({ dir, storageFolder }) => {
        const s = this.settings.get();
        const p = this.sync.addProject(dir, { storageFolder: storageFolder?.trim() || undefined, settings: { pullMode: s.pullAll ? 'everything' : 'results', extractArchives: s.extractArchives } });
        if (this.watching) this.background('watching the new project', this.sync.watch([p.id]));
        this.stateChanged();
        return this.project(p.id);
      },
      removeProject: async ({ projectId }) => {
        this.project(projectId);
        await this.sync.removeProject(projectId);
        this.stateChanged();
        return null;
      },
      pauseProject: async ({ projectId }) => {
        this.project(projectId);
        this.sync.pause(projectId);
        this.stateChanged();
        return this.project(projectId);
      },
      resumeProject: async ({ projectId }) => {
        this.project(projectId);
        this.sync.resume(projectId);
        this.stateChanged();
        return this.project(projectId);
      },
      pauseAll: async () => {
        this.sync.pause();
        this.stateChanged();
        return null;
      },
      resumeAll: async () => {
        this.sync.resume();
        for (const p of this.registry.list()) if (p.settings.paused) this.sync.resume(p.id);
        this.stateChanged();
        return null;
      },
      pushNow: async ({ projectId, confirmed }) => {
        this.requireClient();
        const status = this.sync.status(this.project(projectId).id);
        if (status.attention) {
          if (!confirmed) throw new AppError('needs-confirmation', status.attention.message);
          this.sync.confirmDeletes(projectId);
        }
        this.background('push', this.sync.syncNow(projectId));
        return this.project(projectId);
      },
      pullNow: async ({ projectId }) => {
        this.requireClient();
        this.project(projectId);
        this.background('pull', this.pullProject(projectId, 'user'));
        return this.project(projectId);
      },
      resolveConflict: async ({ projectId, conflictId, keep }) => {
        await this.conflicts.resolve(projectId, this.projectRecord(projectId).localDir, conflictId, keep);
        this.stateChanged();
        return this.project(projectId);
      },
      openPath: async ({ target }) => openTarget(target, {
        projectDir: (id) => this.projectRecord(id).localDir,
        conflict: (pid, cid) => this.conflicts.find(pid, cid),
        vncHosts: () => this.sims.list().flatMap((s) => {
          try { return s.vncUrl ? [new URL(s.vncUrl).hostname] : []; } catch { return []; }
        }),
        opener: this.opts.opener,
      }),
      dropFiles: async ({ projectId, sources }) => {
        if (projectId !== null) this.project(projectId);
        return this.drops.plan(projectId, sources);
      },
      confirmDrop: async ({ planId, replace }) => {
        const stored = this.drops.take(planId);
        if (stored.plan.newProject) {
          const s = this.settings.get();
          const p = this.sync.addProject(stored.plan.newProject.dir, { storageFolder: stored.plan.newProject.storageFolder, settings: { pullMode: s.pullAll ? 'everything' : 'results', extractArchives: s.extractArchives } });
          if (this.watching) this.background('watching the new project', this.sync.watch([p.id]));
          this.stateChanged();
          return { projectId: p.id, copied: 0, replaced: 0, skipped: stored.plan.items.length };
        }
        const r = await this.drops.copy(stored, replace);
        if (this.client) this.background('push after drop', this.sync.syncNow(r.projectId));
        this.stateChanged();
        return r;
      },
      cancelDrop: async ({ planId }) => {
        await this.drops.cancel(planId);
        return null;
      },
      launchOptions: async ({ refresh }) => {
        this.requireClient();
        return this.sims.launchOptions(this.baseUrl().replace(/\/+$/, ''), refresh ?? false);
      },
      preflight: async ({ projectId, options }) => this.sims.preflight(projectId, options),
      launchSimulation: async ({ projectId, options, acceptWarnings }) => {
        this.requireClient();
        const r = await this.sims.launch(projectId, options, acceptWarnings);
        this.stateChanged();
        return r;
      },
      stopSimulation: async ({ id, mode, confirmed }) => {
        this.requireClient();
        if (mode === 'hard' && !confirmed) throw new AppError('needs-confirmation', 'Hard stop kills the run at once and saves nothing to the storage: confirm to go on.');
        return this.sims.controlAction(id, mode === 'soft' ? 'soft-stop' : 'hard-stop', confirmed);
      },
      syncSimulation: async ({ id }) => {
        this.requireClient();
        return this.sims.controlAction(id, 'sync', false);
      },
      watchSimulation: async ({ id }) => {
        this.watched = id;
        if (this.client) this.sims.watch(id);
        this.stateChanged();
        return null;
      },
      getLog: async ({ id, fromOffset }) => {
        this.requireClient();
        return this.sims.getLog(id, fromOffset);
      },
      getSettings: async () => this.settings.get(),
      setSettings: async ({ settings }) => {
        const before = this.settings.get();
        const s = this.settings.update(settings);
        if (s.pollingShare !== before.pollingShare) {
          this.sims.close();
          this.sims = this.makeSimulations();
          if (this.client) {
            if (this.watched !== null) this.sims.watch(this.watched);
            void this.sims.tracker.refresh().catch((err: unknown) => this.noteFailure(err));
          }
        }
        if (s.baseUrl !== before.baseUrl) await this.connect();
        this.stateChanged();
        return s;
      },
      windowVisibility: async ({ visible }) => {
        this.sims.setHidden(!visible);
        return null;
      },
    };
  }
}


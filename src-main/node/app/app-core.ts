// AppCore: the facade that implements the UI contract on top of the engine modules (API client,
// key store, project registry, sync, simulations). Both transports (Electron IPC, the headless
// server) hand it untrusted requests; it validates them, runs them, and answers Replies. It keeps
// the API key to itself: the UI only ever sees KeyStatus.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  AppState, CoreHandlers, EventName, Events, OfflineView, ParamsOf, ProjectView, Reply, RequestName, ResultOf, SimulationView,
} from '../../common/contract';
import { isRequestName } from '../../common/contract';
import { CallBudget } from '../api/budget';
import { CloudHpcClient } from '../api/client';
import { CloudHpcError } from '../api/errors';
import { safeLog, type LogSink } from '../api/redact';
import { ApiKeyManager, type SafeStorageLike } from '../keystore';
import { appDataDir, ProjectRegistry } from '../project';
import type { AnyEvent, CoreEndpoint } from './endpoint';
import { AppError, toContractError } from './errors';
import { SettingsStore } from './settings';
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
  log?: LogSink;
}

export const APP_SERVICE_NAME = 'cloudHPC Sync';

export class AppCore implements CoreEndpoint {
  readonly home: string;
  readonly stagingRoot: string;
  readonly settings: SettingsStore;
  readonly registry: ProjectRegistry;
  readonly budget = new CallBudget();
  private keys!: ApiKeyManager;
  private client: CloudHpcClient | null = null;
  private readonly listeners = new Set<(ev: AnyEvent) => void>();
  private readonly log: LogSink;
  private seq = 0;
  private stateTimer: ReturnType<typeof setTimeout> | null = null;
  private offline: OfflineView = { offline: false, since: null, message: null };
  private watched: number | null = null;
  private visible = true;
  private readonly unsubs: (() => void)[] = [];
  readonly handlers: CoreHandlers;

  private constructor(private readonly opts: AppCoreOptions) {
    const env = opts.env ?? process.env;
    this.home = opts.home ?? appDataDir(env);
    this.log = safeLog(opts.log);
    this.settings = new SettingsStore(this.home, env.CLOUDHPC_API_URL?.trim() || null);
    this.registry = new ProjectRegistry(this.home);
    this.stagingRoot = mkdtempSync(join(tmpdir(), 'cloudhpc-drop-'));
    this.handlers = this.makeHandlers();
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
    core.unsubs.push(core.budget.onChange(() => core.stateChanged()));
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

  protected emit<E extends EventName>(name: E, payload: Events[E]): void {
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
    if (this.stateTimer) return;
    this.stateTimer = setTimeout(() => {
      this.stateTimer = null;
      void this.snapshot().then((s) => this.emit('state', s), () => {});
    }, 100);
  }

  /** Starts background work (watching projects, tracking simulations). */
  async start(): Promise<void> {
    this.stateChanged();
  }

  async stop(): Promise<void> {
    if (this.stateTimer) clearTimeout(this.stateTimer);
    for (const u of this.unsubs.splice(0)) u();
    this.listeners.clear();
    await this.client?.close();
    this.client = null;
    rmSync(this.stagingRoot, { recursive: true, force: true });
  }

  // ---- internals

  private baseUrl(): string {
    return this.settings.get().baseUrl;
  }

  /** (Re)creates the API client from the stored key; null client when there is none. */
  private async connect(): Promise<void> {
    await this.client?.close();
    this.client = null;
    let key: string | null = null;
    try {
      key = await this.keys.getKey(this.baseUrl());
    } catch (err) {
      this.log('warn', `API key could not be read: ${toContractError(err).message}`);
    }
    if (key) this.client = new CloudHpcClient({ baseUrl: this.baseUrl(), apiKey: key, budget: this.budget, log: this.log });
    this.stateChanged();
  }

  requireClient(): CloudHpcClient {
    if (!this.client) throw new AppError('no-key', 'No API key is set yet: paste the key from your cloudHPC profile page first.');
    return this.client;
  }

  private noteFailure(err: unknown): void {
    if (err instanceof CloudHpcError) {
      if (err.kind === 'network') this.setOffline(err.userMessage);
      if (err.kind === 'unauthorized') this.keyRejected(err.userMessage);
    }
  }

  setOffline(message: string | null): void {
    const offline = message !== null;
    if (offline === this.offline.offline) return;
    this.offline = offline ? { offline, since: new Date().toISOString(), message } : { offline: false, since: null, message: null };
    this.stateChanged();
  }

  keyRejected(message: string): void {
    this.keys.markRejected(this.baseUrl());
    this.emit('keyRejected', { message });
    if (this.settings.get().notifications.keyRejected) {
      this.emit('notification', { kind: 'key-rejected', title: 'API key rejected', body: message, at: new Date().toISOString() });
    }
    this.stateChanged();
  }

  projectViews(): ProjectView[] {
    return this.registry.list().map((p) => ({
      id: p.id,
      name: p.localDir.split(/[\\/]/).pop() ?? p.storageFolder,
      dir: p.localDir,
      storageFolder: p.storageFolder,
      state: p.settings.paused ? 'paused' : 'idle',
      stateText: p.settings.paused ? 'Paused' : 'Up to date',
      paused: p.settings.paused,
      progress: null,
      pendingFiles: 0,
      nextAction: null,
      lastError: null,
      conflicts: [],
      activity: [],
      lastPushAt: null,
      lastPullAt: null,
      watchMode: 'stopped',
    }));
  }

  simulationViews(): SimulationView[] {
    return [];
  }

  async snapshot(): Promise<AppState> {
    const projects = this.projectViews();
    const simulations = this.simulationViews();
    const budget = budgetView(this.budget.state());
    return {
      seq: ++this.seq,
      transport: this.opts.transport,
      key: await this.keys.status(this.baseUrl()),
      projects,
      simulations,
      budget,
      offline: this.offline,
      tray: traySummary(projects, simulations, budget, this.offline.offline),
      watchedSimulation: this.watched,
    };
  }

  private project(id: string): ProjectView {
    const p = this.projectViews().find((v) => v.id === id);
    if (!p) throw new AppError('not-found', 'This project is no longer in the list: refresh and try again.');
    return p;
  }

  private notYet(what: string): never {
    throw new AppError('not-allowed', `${what} is not available in this build yet.`);
  }

  private makeHandlers(): CoreHandlers {
    return {
      getState: () => this.snapshot(),
      keyStatus: () => this.keys.status(this.baseUrl()),
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
        const p = this.registry.add(dir, { storageFolder: storageFolder?.trim() || undefined, settings: { pullMode: this.settings.get().pullAll ? 'everything' : 'results', extractArchives: this.settings.get().extractArchives } });
        this.stateChanged();
        return this.project(p.id);
      },
      removeProject: async ({ projectId }) => {
        this.project(projectId);
        this.registry.remove(projectId);
        this.stateChanged();
        return null;
      },
      pauseProject: async ({ projectId }) => {
        this.registry.updateSettings(this.project(projectId).id, { paused: true });
        this.stateChanged();
        return this.project(projectId);
      },
      resumeProject: async ({ projectId }) => {
        this.registry.updateSettings(this.project(projectId).id, { paused: false });
        this.stateChanged();
        return this.project(projectId);
      },
      pauseAll: async () => {
        for (const p of this.registry.list()) this.registry.updateSettings(p.id, { paused: true });
        this.stateChanged();
        return null;
      },
      resumeAll: async () => {
        for (const p of this.registry.list()) this.registry.updateSettings(p.id, { paused: false });
        this.stateChanged();
        return null;
      },
      pushNow: async () => this.notYet('Push'),
      pullNow: async () => this.notYet('Pull'),
      resolveConflict: async () => this.notYet('Conflict resolution'),
      openPath: async () => this.notYet('Opening files'),
      dropFiles: async () => this.notYet('Dropping files'),
      confirmDrop: async () => this.notYet('Dropping files'),
      cancelDrop: async () => null,
      launchOptions: async () => this.notYet('Launching'),
      preflight: async () => this.notYet('Pre-flight'),
      launchSimulation: async () => this.notYet('Launching'),
      stopSimulation: async () => this.notYet('Stopping'),
      syncSimulation: async () => this.notYet('SYNC'),
      watchSimulation: async ({ id }) => {
        this.watched = id;
        this.stateChanged();
        return null;
      },
      getLog: async () => this.notYet('The log'),
      getSettings: async () => this.settings.get(),
      setSettings: async ({ settings }) => {
        const before = this.baseUrl();
        const s = this.settings.update(settings);
        if (s.baseUrl !== before) await this.connect();
        this.stateChanged();
        return s;
      },
      windowVisibility: async ({ visible }) => {
        this.visible = visible;
        return null;
      },
    };
  }
}

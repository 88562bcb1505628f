// AppCore: the UI contract on top of the Workspace (the application layer, ../workspace). Both
// transports (Electron IPC, the headless server) hand it untrusted requests; each handler validates
// (validate.ts), calls the workspace, and maps the typed answer onto the contract (views.ts). The
// workspace's typed events become contract events and notifications. It keeps the API key to
// itself: the UI only ever sees KeyStatus.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  AppState, CoreHandlers, EventName, Events, KeyStatus, OfflineView, ParamsOf, ProjectView, Reply, RequestName, ResultOf, SimulationView,
} from '../../common/contract';
import { isRequestName } from '../../common/contract';
import { plural } from '../../common/format';
import type { LogSink } from '../api/redact';
import type { SafeStorageLike } from '../keystore';
import { checkStorageName, suggestStorageName } from '../project';
import { notificationText } from '../simulation/insight/warnings';
import type { Scheduler } from '../simulation/scheduler';
import { pullText } from '../sync/pull';
import { Workspace, type RunInfo, type RunTuning } from '../workspace';
import { DropPlanner } from './drops';
import type { AnyEvent, CoreEndpoint } from './endpoint';
import { AppError, toContractError } from './errors';
import { openTarget } from './open-path';
import { projectView } from './project-views';
import { RunLogs } from './run-logs';
import { StorageRequests } from './storage';
import { parseParams } from './validate';
import { budgetView, conflictView, launchOptionsView, reportView, simulationView, traySummary, unavailableFeatureView } from './views';

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
  tuning?: RunTuning;
  /** The clock of tracking and scheduled pulls (tests: a manual one). */
  scheduler?: Scheduler;
  log?: LogSink;
}

export class AppCore implements CoreEndpoint {
  readonly workspace: Workspace;
  readonly stagingRoot: string;
  private readonly drops: DropPlanner;
  private readonly logs: RunLogs;
  private readonly storage: StorageRequests;
  private readonly listeners = new Set<(ev: AnyEvent) => void>();
  private readonly log: LogSink;
  private seq = 0;
  private stateTimer: ReturnType<typeof setTimeout> | null = null;
  private offline: OfflineView = { offline: false, since: null, message: null };
  private watched: number | null = null;
  private stopped = false;
  private readonly unsubs: (() => void)[] = [];
  readonly handlers: CoreHandlers;
  /** `npm run demo` sets CLOUDHPC_SYNC_DEMO_KEY: the emulator's key, offered in onboarding. */
  private readonly demoKey: string | null;

  private constructor(private readonly opts: AppCoreOptions) {
    this.log = opts.log ?? (() => undefined);
    this.demoKey = (opts.env ?? process.env).CLOUDHPC_SYNC_DEMO_KEY?.trim() || null;
    const ws = new Workspace({
      home: opts.home,
      env: opts.env,
      safeStorage: opts.safeStorage,
      cliKeyFile: opts.cliKeyFile,
      keychainTimeoutMs: opts.keychainTimeoutMs,
      useKeychain: opts.useKeychain,
      tuning: opts.tuning,
      scheduler: opts.scheduler,
      log: opts.log,
    });
    this.workspace = ws;
    this.stagingRoot = mkdtempSync(join(tmpdir(), 'cloudhpc-drop-'));
    this.logs = new RunLogs(ws, (chunk) => this.emit('logAppended', chunk));
    this.drops = new DropPlanner({
      home: ws.home,
      stagingRoot: this.stagingRoot,
      project: (id) => ({ id, localDir: ws.project(id).localDir }),
      suggestStorageName: (dir) => {
        const name = dir.split(/[\\/]/).filter(Boolean).pop() ?? 'case';
        return checkStorageName(name).ok ? name : suggestStorageName(name);
      },
    });
    this.storage = new StorageRequests({
      ws,
      emit: (view) => this.emit('storageTransfer', view),
      notify: (kind, title, body, projectId) => this.emit('notification', { kind, title, body, at: new Date().toISOString(), ...(projectId ? { projectId } : {}) }),
      changed: () => this.stateChanged(),
    });
    this.unsubs.push(...this.subscribe());
    this.handlers = this.makeHandlers();
  }

  /** The app data folder. */
  get home(): string {
    return this.workspace.home;
  }

  /** The app settings (the Electron shell reads them at start). */
  get settings(): Workspace['settings'] {
    return this.workspace.settings;
  }

  static async create(opts: AppCoreOptions): Promise<AppCore> {
    const core = new AppCore(opts);
    await core.workspace.connect();
    core.stateChanged();
    return core;
  }

  /** The workspace's typed events → contract events and notifications. */
  private subscribe(): (() => void)[] {
    const ws = this.workspace;
    const now = (): string => new Date().toISOString();
    return [
      ws.on('projectState', (s) => {
        const view = this.projectViewOf(s.projectId);
        if (view) {
          this.emit('projectState', view);
          if (view.progress) this.emit('transferProgress', { projectId: view.id, progress: view.progress });
        }
        this.stateChanged();
      }),
      ws.on('activity', () => this.stateChanged()),
      ws.on('run', ({ run, from }) => {
        this.emit('simulationChanged', { simulation: this.simView(run), previousStatus: from });
        this.stateChanged();
      }),
      ws.on('runEnded', ({ run, finished }) => {
        if (this.settings.get().notifications.simulationEnded) {
          const s = finished.simulation;
          this.emit('notification', {
            kind: 'simulation-ended',
            title: `Simulation #${s.id} ${finished.outcome}`,
            body: `${s.folder} (${s.script})${run.cause ? `: ${run.cause.cause}` : ''}`,
            simulationId: s.id,
            ...(run.projectId ? { projectId: run.projectId } : {}),
            at: now(),
          });
        }
        this.emit('simulationChanged', { simulation: this.simView(run), previousStatus: run.simulation.status });
        this.stateChanged();
      }),
      ws.on('runInsight', ({ id }) => {
        if (id === this.watched) this.emit('runInsight', ws.runs.insight(id));
        this.stateChanged();
      }),
      ws.on('runWarning', ({ run, warning }) => {
        if (!this.settings.get().notifications.simulationWarning) return;
        const s = run.simulation;
        const text = notificationText(s.id, warning);
        this.emit('notification', {
          kind: 'simulation-warning', title: text.title, body: text.body, simulationId: s.id, warning,
          ...(run.projectId ? { projectId: run.projectId } : {}),
          at: now(),
        });
      }),
      ws.on('runDiagnosed', ({ run }) => {
        this.emit('simulationChanged', { simulation: this.simView(run), previousStatus: run.simulation.status });
        this.stateChanged();
      }),
      ws.on('resultsPulled', ({ projectId, result }) => {
        const n = this.settings.get().notifications;
        const name = ws.registry.get(projectId)?.storageFolder ?? projectId;
        if (n.resultsPulled && result.downloaded.length > 0) {
          this.emit('notification', { kind: 'results-pulled', title: `Results pulled: ${name}`, body: pullText.summary(result), projectId, at: now() });
        }
        if (n.conflict && result.conflicts.length > 0) {
          const k = result.conflicts.length;
          this.emit('notification', { kind: 'conflict', title: `${plural(k, 'conflict')} in ${name}`, body: 'Local files were kept; the cloud versions are beside them. Resolve them in the project.', projectId, at: now() });
        }
        this.stateChanged();
      }),
      ws.on('offline', ({ message }) => {
        this.offline = message !== null ? { offline: true, since: now(), message } : { offline: false, since: null, message: null };
        this.stateChanged();
      }),
      ws.on('keyRejected', ({ message }) => {
        this.emit('keyRejected', { message });
        if (this.settings.get().notifications.keyRejected) this.emit('notification', { kind: 'key-rejected', title: 'API key rejected', body: message, at: now() });
        this.stateChanged();
      }),
      ws.on('problem', ({ what, error }) => {
        this.log('warn', `${what}: ${toContractError(error).message}`);
        this.stateChanged();
      }),
      ws.on('featuresChanged', () => this.stateChanged()),
      ws.on('polled', () => this.stateChanged()),
      ws.api.budget.onChange(() => this.stateChanged()),
    ];
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
      this.workspace.api.noteFailure(err);
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
    await this.workspace.start();
    this.stateChanged();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.stateTimer) clearTimeout(this.stateTimer);
    for (const u of this.unsubs.splice(0)) u();
    this.listeners.clear();
    this.storage.close();
    this.logs.close();
    await this.workspace.close();
    rmSync(this.stagingRoot, { recursive: true, force: true });
  }

  // ---- views

  private simView(run: RunInfo): SimulationView {
    return simulationView(run, this.watched, this.workspace.api.serviceClock, Date.now(), this.workspace.runs.progressBrief(run.simulation.id));
  }

  private projectViewOf(id: string): ProjectView | null {
    const ws = this.workspace;
    if (!ws.registry.get(id)) return null;
    return projectView(ws.sync.status(id), ws.activity(id, 50), ws.conflicts(id).map(conflictView), ws.attentions(id), ws.massDelete(id));
  }

  private project(id: string): ProjectView {
    const v = this.projectViewOf(id);
    if (!v) throw new AppError('not-found', 'This project is no longer in the list: refresh and try again.');
    return v;
  }

  async snapshot(): Promise<AppState> {
    const ws = this.workspace;
    const projects = ws.projects().map((p) => this.projectViewOf(p.id)).filter((v): v is ProjectView => v !== null);
    const simulations = ws.runs.list().map((r) => this.simView(r));
    const budget = budgetView(ws.api.budget.state());
    const offline = this.offline.offline || projects.some((p) => p.state === 'offline');
    const tray = traySummary(projects, simulations, budget, offline);
    if (ws.allPaused) tray.allPaused = true;
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
      unavailableFeatures: ws.api.unavailableFeatures().map(unavailableFeatureView),
      demoKey: this.demoKey,
    };
  }

  private keyStatus(refresh = false): Promise<KeyStatus> {
    return this.workspace.api.keyStatus(refresh);
  }

  private async afterKeyChange(s: KeyStatus): Promise<KeyStatus> {
    await this.workspace.connect();
    this.stateChanged();
    return s;
  }

  private makeHandlers(): CoreHandlers {
    const ws = this.workspace;
    return {
      getState: () => this.snapshot(),
      keyStatus: () => this.keyStatus(true),
      setApiKey: async ({ key, allowInsecureStorage }) => this.afterKeyChange(await ws.api.setKey(key, allowInsecureStorage)),
      importCliKey: async ({ allowInsecureStorage }) => this.afterKeyChange(await ws.api.importCliKey(allowInsecureStorage)),
      forgetApiKey: async () => this.afterKeyChange(await ws.api.forgetKey()),
      addProject: async ({ dir, storageFolder }) => {
        const p = ws.addProject(dir, { storageFolder });
        this.stateChanged();
        return this.project(p.id);
      },
      removeProject: async ({ projectId }) => {
        await ws.removeProject(projectId);
        this.stateChanged();
        return null;
      },
      pauseProject: async ({ projectId }) => {
        ws.pause(projectId);
        return this.project(projectId);
      },
      resumeProject: async ({ projectId }) => {
        ws.resume(projectId);
        return this.project(projectId);
      },
      pauseAll: async () => {
        ws.pause();
        this.stateChanged();
        return null;
      },
      resumeAll: async () => {
        ws.resume();
        this.stateChanged();
        return null;
      },
      pushNow: async ({ projectId, confirmed }) => {
        ws.pushSoon(projectId, { confirmed });
        return this.project(projectId);
      },
      pullNow: async ({ projectId }) => {
        ws.pull(projectId).catch((err: unknown) => {
          // the failure shows as the project's attention (with its retry); this is only the log
          ws.api.noteFailure(err);
          this.log('warn', `pull failed: ${toContractError(err).message}`);
        });
        return this.project(projectId);
      },
      resolveConflict: async ({ projectId, conflictId, keep }) => {
        await ws.resolveConflict(projectId, conflictId, keep);
        this.stateChanged();
        return this.project(projectId);
      },
      openPath: async ({ target }) => openTarget(target, {
        projectDir: (id) => ws.project(id).localDir,
        conflict: (pid, cid) => {
          const c = ws.conflicts(pid).find((x) => x.id === cid);
          if (!c) throw new AppError('not-found', 'This conflict is no longer listed: refresh the project.');
          return c;
        },
        vncHosts: () => ws.runs.list().flatMap((r) => {
          try { return r.simulation.vncUrl ? [new URL(r.simulation.vncUrl).hostname] : []; } catch { return []; }
        }),
        opener: this.opts.opener,
      }),
      dropFiles: async ({ projectId, sources }) => {
        if (projectId !== null) ws.project(projectId);
        return this.drops.plan(projectId, sources);
      },
      confirmDrop: async ({ planId, replace }) => {
        const stored = this.drops.take(planId);
        if (stored.plan.newProject) {
          const p = ws.addProject(stored.plan.newProject.dir, { storageFolder: stored.plan.newProject.storageFolder });
          this.stateChanged();
          return { projectId: p.id, copied: 0, replaced: 0, skipped: stored.plan.items.length };
        }
        const r = await this.drops.copy(stored, replace);
        if (ws.api.connected) ws.pushSoon(r.projectId, {});
        this.stateChanged();
        return r;
      },
      cancelDrop: async ({ planId }) => {
        await this.drops.cancel(planId);
        return null;
      },
      launchOptions: async ({ refresh }) => {
        ws.api.requireClient();
        return launchOptionsView(await ws.runs.launchOptions(refresh ?? false));
      },
      preflight: async ({ projectId, options }) => reportView(await ws.runs.preflight(projectId, options)),
      launchSimulation: async ({ projectId, options, acceptWarnings, force }) => {
        ws.api.requireClient();
        const r = await ws.runs.launch(projectId, options, { confirm: () => acceptWarnings, force: force ?? false });
        return { simulation: this.simView(r.run), report: reportView(r.report) };
      },
      stopSimulation: async ({ id, mode, confirmed }) => {
        ws.api.requireClient();
        if (mode === 'hard' && !confirmed) throw new AppError('needs-confirmation', 'Hard stop kills the run at once and saves nothing to the storage: confirm to go on.');
        return this.simView((await ws.runs.control(id, mode === 'soft' ? 'soft-stop' : 'hard-stop', confirmed)).run);
      },
      syncSimulation: async ({ id }) => {
        ws.api.requireClient();
        return this.simView((await ws.runs.control(id, 'sync')).run);
      },
      watchSimulation: async ({ id }) => {
        this.watched = id;
        if (ws.api.connected) {
          ws.runs.watch(id);
          this.logs.watch(id);
        }
        this.stateChanged();
        return null;
      },
      getLog: async ({ id, fromOffset }) => {
        ws.api.requireClient();
        return this.logs.get(id, fromOffset);
      },
      getRunInsight: async ({ id }) => ws.runs.insight(id),
      resolveDeletes: async ({ projectId, decision }) => {
        const r = await ws.resolveDeletes(projectId, decision);
        if (r && r.failed.length > 0) {
          const first = r.failed[0]!;
          throw new AppError('internal', `${r.restored.length} of ${r.restored.length + r.failed.length} files restored; ${first.path} could not be: ${first.reason}`);
        }
        this.stateChanged();
        return this.project(projectId);
      },
      applyFix: async ({ projectId, fix }) => {
        await ws.applyFix(projectId, fix);
        this.stateChanged();
        return this.project(projectId);
      },
      launchContext: async ({ projectId }) => ws.runs.launchContext(projectId),
      getSettings: async () => ws.settings.get(),
      setSettings: async ({ settings }) => {
        const s = await ws.updateSettings(settings);
        this.stateChanged();
        return s;
      },
      windowVisibility: async ({ visible }) => {
        ws.runs.setHidden(!visible);
        return null;
      },
      ...this.storage.handlers(),
    };
  }
}

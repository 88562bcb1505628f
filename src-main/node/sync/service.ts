// SyncService: the face of the sync engine for the UI (via the main process) and the CLI. It owns one
// ProjectEngine per registered project, opens their indexes, fans their events out, and offers
// per-project and global commands. Events: on('state', cb) and on('activity', cb), each returning
// its own unsubscribe.

import type { Project, ProjectRegistry } from '../project/registry';
import type { ProjectSettings } from '../project/settings';
import type { PushCloud } from './cloud-port';
import { type CycleResult, type PullRunner, ProjectEngine } from './engine';
import { IndexStore } from './index-store';
import type { PushPlan } from './planner';
import { type PullClient, pullProject } from './pull/pull';
import { Emitter, type ProjectStatus, type SyncEvents, type Unsubscribe } from './status';

export type SyncCloud = PushCloud & PullClient;

export interface SyncServiceOptions {
  registry: ProjectRegistry;
  cloud: SyncCloud;
  /** API calls left this hour (the shared CallBudget's view); Infinity when unknown. */
  budgetLeft?: () => number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Solver script of a project's runs, to pick the result names a pull asks for (simulations know it). */
  scriptOf?: (projectId: string) => string | null;
}

export class SyncService {
  private readonly events = new Emitter<SyncEvents>();
  private readonly engines = new Map<string, { engine: ProjectEngine; index: IndexStore; unsub: Unsubscribe[] }>();
  private globalPaused = false;
  private closed = false;

  constructor(private readonly opts: SyncServiceOptions) {}

  on<K extends keyof SyncEvents>(event: K, cb: (v: SyncEvents[K]) => void): Unsubscribe {
    return this.events.on(event, cb);
  }

  get registry(): ProjectRegistry {
    return this.opts.registry;
  }

  projects(): Project[] {
    return this.opts.registry.list();
  }

  /** Status of every registered project (engines are opened on demand). */
  statuses(): ProjectStatus[] {
    return this.projects().map((p) => this.engine(p.id).status());
  }

  status(projectId: string): ProjectStatus {
    return this.engine(projectId).status();
  }

  activity(projectId: string, limit = 100): ReturnType<ProjectEngine['activity']> {
    return this.engine(projectId).activity(limit);
  }

  /** Registers a folder (storage folder defaults to its name; invalid names are refused with a suggestion). */
  addProject(dir: string, o: { storageFolder?: string; settings?: Partial<ProjectSettings> } = {}): Project {
    return this.opts.registry.add(dir, o);
  }

  /** The project for dir, registering it when needed. */
  ensureProject(dir: string, o: { storageFolder?: string; settings?: Partial<ProjectSettings> } = {}): Project {
    return this.opts.registry.ensure(dir, o);
  }

  async removeProject(projectId: string): Promise<boolean> {
    await this.closeEngine(projectId);
    return this.opts.registry.remove(projectId);
  }

  updateSettings(projectId: string, patch: Partial<ProjectSettings>): Project {
    const p = this.opts.registry.updateSettings(projectId, patch);
    this.engines.get(projectId)?.engine.updateProject(p);
    return p;
  }

  /** The engine of a project, opening its index on first use. */
  engine(projectId: string): ProjectEngine {
    if (this.closed) throw new Error('The sync service is closed.');
    const open = this.engines.get(projectId);
    if (open) return open.engine;
    const project = this.opts.registry.get(projectId);
    if (!project) throw new Error(`No project with id ${projectId}.`);
    const index = IndexStore.open(this.opts.registry.indexPath(projectId));
    const engine = new ProjectEngine({
      project,
      index,
      cloud: this.opts.cloud,
      stateDir: this.opts.registry.projectDir(projectId),
      pull: this.pullRunner(),
      budgetLeft: this.opts.budgetLeft,
      log: this.opts.log,
    });
    const unsub = [
      engine.events.on('state', (s) => this.events.emit('state', s)),
      engine.events.on('activity', (a) => this.events.emit('activity', a)),
    ];
    this.engines.set(projectId, { engine, index, unsub });
    if (this.globalPaused) engine.pause(true);
    return engine;
  }

  private pullRunner(): PullRunner {
    return async ({ index, project, signal, priority, onProgress }) => {
      const r = await pullProject({
        client: this.opts.cloud,
        index,
        projectDir: project.localDir,
        storageFolder: project.storageFolder,
        settings: {
          pullEverything: project.settings.pullMode === 'everything',
          extractArchives: project.settings.extractArchives,
          priority,
          script: this.opts.scriptOf?.(project.id) ?? null,
        },
        signal,
        log: (level, m) => { if (level !== 'debug') this.opts.log?.(level, m); },
        onProgress: (p) => onProgress({ filesDone: p.filesDone, filesTotal: p.filesTotal, bytesDone: p.bytes ?? 0, bytesTotal: p.total ?? 0, rate: p.rate ?? 0, etaSeconds: null }),
      });
      const summary = `Pulled ${r.downloaded.length} file${r.downloaded.length === 1 ? '' : 's'} (${r.extracted.length} written, ${r.conflicts.length} conflict${r.conflicts.length === 1 ? '' : 's'}, ${r.apiCalls} API calls)`;
      return { summary, conflicts: r.conflicts.length, result: r };
    };
  }

  /** Watches the given projects (default: all registered) until close(). */
  async watch(projectIds?: string[]): Promise<void> {
    const ids = projectIds ?? this.projects().map((p) => p.id);
    await Promise.all(ids.map((id) => this.engine(id).startWatching()));
  }

  syncNow(projectId: string): Promise<CycleResult> {
    return this.engine(projectId).syncNow({ force: true });
  }

  previewPush(projectId: string): Promise<PushPlan> {
    return this.engine(projectId).previewPush();
  }

  /** Makes the storage equal the local case now; resolves when the invariant holds (used before a launch). */
  ensurePushed(projectId: string, o: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<CycleResult> {
    return this.engine(projectId).ensurePushed(o);
  }

  pull(projectId: string, o: { priority?: 'user' | 'background' } = {}): ReturnType<ProjectEngine['pull']> {
    return this.engine(projectId).pull(o);
  }

  /** A simulation of the project was submitted (call right after simulation/add succeeded). */
  noteSimulationStarted(projectId: string): void {
    this.engine(projectId).noteSimulationStarted();
  }

  /** A simulation of the project was seen RUNNING (or later): our archive is extracted in storage. */
  noteSimulationRunning(projectId: string): void {
    this.engine(projectId).noteSimulationRunning();
  }

  /** A submitted simulation ended without ever being seen running. */
  noteSimulationEnded(projectId: string): void {
    this.engine(projectId).noteSimulationEnded();
  }

  confirmDeletes(projectId: string): void {
    this.engine(projectId).confirmDeletes();
  }

  /** Pauses one project (persisted) or, without an id, every project (for this session). */
  pause(projectId?: string): void {
    if (projectId) {
      this.updateSettings(projectId, { paused: true });
      this.engine(projectId).pause();
      return;
    }
    this.globalPaused = true;
    for (const { engine } of this.engines.values()) engine.pause(true);
  }

  resume(projectId?: string): void {
    if (projectId) {
      this.updateSettings(projectId, { paused: false });
      this.engine(projectId).resume();
      return;
    }
    this.globalPaused = false;
    for (const { engine } of this.engines.values()) engine.resume(true);
  }

  get isGloballyPaused(): boolean {
    return this.globalPaused;
  }

  private async closeEngine(projectId: string): Promise<void> {
    const e = this.engines.get(projectId);
    if (!e) return;
    this.engines.delete(projectId);
    await e.engine.close();
    for (const u of e.unsub) u();
    e.index.close();
  }

  /** Stops every engine (transfers in flight are cancelled; the indexes stay consistent). */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.engines.keys()].map((id) => this.closeEngine(id)));
    this.closed = true;
  }
}


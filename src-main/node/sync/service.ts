// SyncService: the face of the sync engine for the UI (via the main process) and the CLI. It owns one
// ProjectEngine per registered project, opens their indexes, fans their events out, and offers
// per-project and global commands. Events: on('state', cb) and on('activity', cb), each returning
// its own unsubscribe.

import { lstatSync } from 'node:fs';
import type { Project, ProjectRegistry } from '../project/registry';
import type { ProjectSettings } from '../project/settings';
import { caseFolder } from '../project/case-folder';
import type { PushCloud } from './cloud-port';
import { type CycleResult, type PullRequest, type PullRunner, ProjectEngine } from './engine';
import { type ArchiveState, IndexStore } from './index-store';
import type { PushPlan } from './planner';
import { restoreCalls, restoreFiles, type RestoreResult } from './restore';
import { type ConflictCode, type PullClient, type PullConflict, type PullResult, pullProject, pullText } from './pull';
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

  /** What the index records about a project (no scan, no API call). */
  indexSummary(projectId: string): { trackedFiles: number; archive: ArchiveState } {
    const { index } = this.opened(projectId);
    return { trackedFiles: index.count(), archive: index.archive() };
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
    return this.opened(projectId).engine;
  }

  private projectOf(projectId: string): Project {
    const project = this.opts.registry.get(projectId);
    if (!project) throw new Error(`No project with id ${projectId}.`);
    return project;
  }

  private opened(projectId: string): { engine: ProjectEngine; index: IndexStore } {
    if (this.closed) throw new Error('The sync service is closed.');
    const open = this.engines.get(projectId);
    if (open) return open;
    const project = this.projectOf(projectId);
    const index = IndexStore.open(this.opts.registry.indexPath(projectId));
    const engine = new ProjectEngine({
      project,
      index,
      cloud: this.opts.cloud,
      stateDir: this.opts.registry.projectDir(projectId),
      appHome: this.opts.registry.home,
      pull: this.pullRunner(),
      restore: ({ index: ix, project: pr, paths, signal, priority }) => restoreFiles({ client: this.opts.cloud, index: ix, projectDir: pr.localDir, appHome: this.opts.registry.home, storageFolder: pr.storageFolder, paths, signal, priority }),
      budgetLeft: this.opts.budgetLeft,
      log: this.opts.log,
    });
    const unsub = [
      engine.events.on('state', (s) => this.events.emit('state', s)),
      engine.events.on('activity', (a) => this.events.emit('activity', a)),
    ];
    const opened = { engine, index, unsub };
    this.engines.set(projectId, opened);
    if (this.globalPaused) engine.pause(true);
    return opened;
  }

  private pullRunner(): PullRunner {
    return ({ index, project, signal, request, onProgress }) => pullProject({
      client: this.opts.cloud,
      index,
      projectDir: project.localDir,
      storageFolder: project.storageFolder,
      appHome: this.opts.registry.home,
      settings: {
        pullEverything: request.everything ?? project.settings.pullMode === 'everything',
        extractArchives: project.settings.extractArchives,
        priority: request.priority ?? 'background',
        script: this.opts.scriptOf?.(project.id) ?? null,
      },
      signal,
      log: (level, m) => { if (level !== 'debug') this.opts.log?.(level, m); },
      onProgress: (p) => onProgress({ filesDone: p.filesDone, filesTotal: p.filesTotal, bytesDone: p.bytes ?? 0, bytesTotal: p.total ?? 0, rate: p.rate ?? 0, etaSeconds: null }),
    });
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

  /** One pull now (serialised with the project's pushes); options apply to this pull only. */
  pull(projectId: string, request: PullRequest = {}): Promise<PullResult> {
    return this.engine(projectId).pull(request);
  }

  /** Runs `fn` with the project's index, serialised with its pushes and pulls (ProjectEngine.exclusive). */
  exclusive<T>(projectId: string, fn: (index: IndexStore, project: Project) => Promise<T>): Promise<T> {
    return this.engine(projectId).exclusive((index) => fn(index, this.projectOf(projectId)));
  }

  /** The conflicts a pull left in the project (index rows), while their cloud copy is still in the folder. */
  conflicts(projectId: string): PullConflict[] {
    const { index } = this.opened(projectId);
    const root = caseFolder(this.projectOf(projectId).localDir, this.opts.registry.home);
    return index.conflicts().filter((c) => {
      try {
        return lstatSync(root.join(c.copy)).isFile();
      } catch {
        return false;
      }
    }).map((c) => ({ ...c, code: c.code as ConflictCode, reason: pullText.conflict(c.code as ConflictCode) }));
  }

  /** The conflict is resolved (or its copy is gone): its row is removed. */
  forgetConflict(projectId: string, conflictId: string): boolean {
    return this.opened(projectId).index.deleteConflict(conflictId);
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

  /** The person confirmed the deletions the mass-delete guard holds (these paths only, when given). */
  /** The app edited the case folder itself: the engine reloads its rules and scans soon. */
  caseEdited(projectId: string): void {
    this.engine(projectId).caseEdited();
  }

  confirmDeletes(projectId: string, paths?: readonly string[]): void {
    this.engine(projectId).confirmDeletes(paths);
  }

  /** The person wants the deleted files back: they are restored from the cloud (see restore.ts). */
  restoreDeleted(projectId: string, paths: readonly string[]): Promise<RestoreResult> {
    return this.engine(projectId).restoreDeleted(paths);
  }

  /** What restoring these paths would cost in API calls (no call). */
  restoreCalls(projectId: string, paths: readonly string[]): number {
    const { index } = this.opened(projectId);
    return restoreCalls((p) => index.get(p), index.archive(), paths);
  }

  /**
   * Files this app pulled into the project and nobody changed since (results, conflict copies), with
   * the size and mtime recorded: they are never pushed, and the pre-flight leaves them out.
   */
  pulledFiles(projectId: string): Map<string, { size: number; mtimeMs: number }> {
    const out = new Map<string, { size: number; mtimeMs: number }>();
    for (const r of this.opened(projectId).index.map().values()) {
      if (r.origin === 'pulled' && r.sha256 !== null && r.size !== null && r.mtimeMs !== null) out.set(r.path, { size: r.size, mtimeMs: r.mtimeMs });
    }
    return out;
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


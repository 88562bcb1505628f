// The whole cloud storage for the application layer: the storage module's catalog, downloads,
// deletions and opening a case (../storage/), tied to what the workspace owns: the projects (their
// indexes, under their engine's lock, for a deletion in their folder; the registry and a paused
// project for an open), the runs (a run's folder for its results) and the API client. The app, `serve`
// and the CLI call these same methods, so browsing behaves the same everywhere.
import { existsSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Project, ProjectRegistry, ProjectSettings } from '../project';
import { writeFileAtomicSync } from '../project';
import {
  deleteItem, download, impactOn, isUnder, normaliseStoragePath, openCase, planDelete, planDownload, planOpen, planResults, recordDeletion, relativeTo,
  StorageCatalog, StorageRefused, storageText,
  type DeletePlan, type DeleteResult, type DownloadPlan, type ListResult, type OpenPlan, type ProjectImpact, type StorageCloud, type TransferHooks, type TransferResult,
} from '../storage';
import { isNotFound } from '../sync/cloud-port';
import type { SyncService } from '../sync/service';
import { WorkspaceError } from './errors';
import type { Runs } from './runs';

export interface CloudStorageDeps {
  /** The workspace's client (a proxy to the current one). */
  cloud: StorageCloud;
  /** Throws `no-key` when there is no API key. */
  requireClient: () => void;
  sync: SyncService;
  registry: ProjectRegistry;
  runs: Pick<Runs, 'get'>;
  /** The settings a new project starts with (the app's pull defaults). */
  newProjectSettings: () => Partial<ProjectSettings>;
  /** A project opened from the cloud syncs from now on (the app watches it; the CLI only unpauses it). */
  opened: (projectId: string) => void;
  /** How long an open may wait for the push that replaces other input archives. Default 30 min. */
  pushTimeoutMs?: number;
}

export interface OpenResult {
  projectId: string;
  dir: string;
  folder: string;
  transfer: TransferResult;
  /** upload.tar.gz taken over as the project's archive (nothing uploaded). */
  adopted: string | null;
  /** Other input archives deleted once their content was in storage as the project's. */
  replaced: string[];
  /** API calls of the open: downloads, plus the push and deletions of a replacement. */
  apiCalls: number;
}

/** Marks a project whose open from the cloud did not finish (in its app-data folder). */
const OPENING = 'opening.json';

export class CloudStorage {
  readonly catalog: StorageCatalog;
  private readonly openingNow = new Set<string>();

  constructor(private readonly d: CloudStorageDeps) {
    this.catalog = new StorageCatalog({ cloud: d.cloud });
  }

  // ---- browsing

  /** A folder's listing: cached (its age shown) or listed now; `refresh` asks the service afresh. */
  list(path: string, o: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<ListResult> {
    this.d.requireClient();
    return this.catalog.list(normaliseStoragePath(path), { refresh: o.refresh, signal: o.signal, priority: 'user' });
  }

  /** API calls browsing made: this session and in the last hour. */
  spent(): { session: number; lastHour: number } {
    return this.catalog.spent();
  }

  // ---- downloads

  planDownload(o: { sources: string[]; dest: string; extract: boolean }): Promise<DownloadPlan> {
    this.d.requireClient();
    return planDownload(this.catalog, o);
  }

  /** The result files of a run's storage folder (a run started elsewhere, or any), into `dest`. */
  planRunResults(id: number, o: { dest: string; extract: boolean }): Promise<DownloadPlan> {
    this.d.requireClient();
    const run = this.d.runs.get(id);
    return planResults(this.catalog, { folder: run.simulation.folder, ...o });
  }

  download(plan: DownloadPlan, hooks: TransferHooks = {}): Promise<TransferResult> {
    this.d.requireClient();
    return download(this.d.cloud, plan, hooks);
  }

  // ---- deletions

  private projectOfPath(path: string): Project | undefined {
    return this.d.registry.list().find((p) => isUnder(path, p.storageFolder));
  }

  private async impact(path: string): Promise<ProjectImpact | null> {
    const p = this.projectOfPath(path);
    if (!p) return null;
    const rel = relativeTo(path, p.storageFolder);
    return this.d.sync.exclusive(p.id, async (index) => ({ projectId: p.id, rel, ...impactOn(index.all(), index.archive(), rel, p.settings) }));
  }

  planDelete(path: string): Promise<DeletePlan> {
    this.d.requireClient();
    return planDelete(this.catalog, path, (p) => this.impact(p));
  }

  /**
   * Deletes the plan's item. In a project's folder: under the project's engine lock, the guard checked
   * again on the index as it is now (`confirmMassDelete` when it trips), the index updated with it.
   */
  async delete(plan: DeletePlan, o: { confirmMassDelete?: boolean } = {}): Promise<DeleteResult> {
    this.d.requireClient();
    const p = this.projectOfPath(plan.path);
    let r: DeleteResult;
    if (!p) {
      r = { ...(await deleteItem(this.d.cloud, plan, () => undefined)), projectId: null, pushedAgain: 0 };
    } else {
      r = await this.d.sync.exclusive(p.id, async (index) => {
        const rel = relativeTo(plan.path, p.storageFolder);
        const now = impactOn(index.all(), index.archive(), rel, p.settings);
        if (now.massDelete && !o.confirmMassDelete) throw new StorageRefused('mass-delete', storageText.massDelete(now.massDelete.count, now.massDelete.limit, p.storageFolder));
        const done = await deleteItem(this.d.cloud, plan, () => recordDeletion(index, rel, plan.path));
        return { ...done, projectId: p.id, pushedAgain: now.pushedAgain };
      });
      // What the next push will do now (a scan, no call): the project shows it at once.
      void this.d.sync.previewPush(p.id).catch(() => undefined);
    }
    this.catalog.forget(plan.path);
    return r;
  }

  // ---- opening a case from the cloud

  private marker(projectId: string): string {
    return join(this.d.registry.projectDir(projectId), OPENING);
  }

  /** The project's open from the cloud did not finish: it must not push or resume until it did. */
  isOpening(projectId: string): boolean {
    return existsSync(this.marker(projectId));
  }

  /** Refuses a push or a resume of a project being opened (its folder is not complete yet). */
  requireOpened(projectId: string): void {
    if (!this.isOpening(projectId)) return;
    throw new StorageRefused('opening', storageText.opening(this.d.registry.get(projectId)?.localDir ?? projectId));
  }

  planOpen(o: { folder: string; dir: string; merge?: boolean }): Promise<OpenPlan> {
    this.d.requireClient();
    return planOpen(this.catalog, { folder: o.folder, dir: o.dir, merge: o.merge ?? false, projects: this.d.registry.list(), opening: (id) => this.isOpening(id) });
  }

  /**
   * Opens the plan's storage folder as a project in its local folder (see storage/open.ts). The project
   * is registered paused and marked "opening" until everything is in place; a failure leaves it so, and
   * opening again continues. Then it syncs like any other project.
   */
  async open(plan: OpenPlan, hooks: TransferHooks = {}): Promise<OpenResult> {
    this.d.requireClient();
    if (this.openingNow.has(plan.folder)) throw new WorkspaceError('busy', `${plan.folder} is being opened already.`);
    this.openingNow.add(plan.folder);
    try {
      // Checked again (the plan may be minutes old); the listings are cached: no call.
      const fresh = await this.planOpen({ folder: plan.folder, dir: plan.dir, merge: plan.merge });
      if (fresh.create) await mkdir(fresh.dir, { recursive: true });
      const project = fresh.continuing !== null
        ? this.d.registry.get(fresh.continuing)!
        : this.d.sync.addProject(fresh.dir, { storageFolder: fresh.folder, settings: { ...this.d.newProjectSettings(), paused: true } });
      writeFileAtomicSync(this.marker(project.id), `${JSON.stringify({ folder: fresh.folder, at: Date.now() })}\n`);
      const got = await this.d.sync.exclusive(project.id, (index, p) => openCase({ cloud: this.d.cloud, index, dir: p.localDir, plan: fresh, extractArchives: p.settings.extractArchives, appHome: this.d.registry.home, ...hooks }));
      let apiCalls = got.transfer.apiCalls;
      const replaced: string[] = [];
      if (got.replace.length > 0) {
        hooks.onProgress?.({ filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, rate: 0, etaSeconds: null, phase: 'pushing', current: null });
        apiCalls += (await this.d.sync.previewPush(project.id)).apiCalls;
        await this.d.sync.ensurePushed(project.id, { timeoutMs: this.d.pushTimeoutMs ?? 30 * 60_000, signal: hooks.signal });
        for (const item of got.replace) {
          hooks.onProgress?.({ filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, rate: 0, etaSeconds: null, phase: 'deleting', current: item.basename });
          apiCalls++;
          try {
            await this.d.cloud.deleteStorage(item.id, { priority: 'user', signal: hooks.signal });
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
          replaced.push(item.basename);
        }
        apiCalls++;
        await this.d.cloud.deleteCache({ priority: 'user', signal: hooks.signal }).catch(() => undefined);
        this.catalog.invalidate(fresh.folder);
      }
      await this.d.sync.exclusive(project.id, async (index) => {
        if (replaced.length > 0) index.addActivity('info', storageText.activity.replaced(replaced));
        index.addActivity('info', storageText.activity.opened(fresh.folder));
      });
      rmSync(this.marker(project.id), { force: true });
      this.d.opened(project.id);
      return { projectId: project.id, dir: project.localDir, folder: fresh.folder, transfer: got.transfer, adopted: got.adopted, replaced, apiCalls };
    } finally {
      this.openingNow.delete(plan.folder);
    }
  }
}

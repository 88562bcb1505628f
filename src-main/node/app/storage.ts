// The storage requests of the contract on the workspace's CloudStorage: plans kept by id until they
// are started or expire (two-phase, as drops: the cost is shown before anything is transferred),
// transfers run in the background with their progress and outcome sent as `storageTransfer` events
// (a cancel aborts them; nothing half-written is left: the pull's temp + rename rule).
import { randomUUID } from 'node:crypto';
import type { CoreHandlers, NotificationKind, StorageTransferView } from '../../common/contract';
import { plural } from '../../common/format';
import type { DeletePlan, DownloadPlan, OpenPlan, StorageProgress } from '../storage';
import type { Workspace } from '../workspace';
import { AppError, toContractError } from './errors';
import {
  deletePlanView, deleteResultView, downloadPlanView, listingView, openPlanView, progressView, transferResultView, transferTitle,
} from './storage-views';

type Plan = { kind: 'download' | 'results'; plan: DownloadPlan } | { kind: 'open'; plan: OpenPlan } | { kind: 'delete'; plan: DeletePlan };

/** Plans wait this long for the person's go. */
const PLAN_TTL_MS = 15 * 60_000;
/** Progress events at most this often per transfer. */
const PROGRESS_EVERY_MS = 200;

export type StorageHandlers = Pick<CoreHandlers,
  'listStorage' | 'planStorageDownload' | 'planRunResults' | 'planOpenFromCloud' | 'startStorageTransfer' | 'cancelStorageTransfer' | 'planStorageDelete' | 'confirmStorageDelete' | 'refreshSimulations'>;

export interface StorageRequestsDeps {
  ws: Workspace;
  /** A transfer changed (progress, outcome). */
  emit: (view: StorageTransferView) => void;
  /** A transfer ended: tell the person (a finished one as "results pulled": a desktop notification when that setting is on). */
  notify: (kind: NotificationKind, title: string, body: string, projectId?: string) => void;
  /** The app state changed (a project opened, a run list refreshed). */
  changed: () => void;
}

export class StorageRequests {
  private readonly plans = new Map<string, Plan & { expiresAt: number }>();
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly d: StorageRequestsDeps) {}

  private keep(p: Plan): { planId: string; expiresAt: number } {
    const now = Date.now();
    for (const [id, x] of this.plans) if (x.expiresAt < now) this.plans.delete(id);
    const planId = randomUUID();
    const expiresAt = now + PLAN_TTL_MS;
    this.plans.set(planId, { ...p, expiresAt } as Plan & { expiresAt: number });
    return { planId, expiresAt };
  }

  private take(planId: string): Plan {
    const p = this.plans.get(planId);
    this.plans.delete(planId);
    if (!p || p.expiresAt < Date.now()) throw new AppError('not-found', 'This plan has expired: plan it again (the listing is cached, so that costs nothing).');
    return p;
  }

  private projectOf = (folder: string): string | null => this.d.ws.projects().find((p) => p.storageFolder === folder)?.id ?? null;

  handlers(): StorageHandlers {
    const ws = this.d.ws;
    const storage = ws.storage;
    return {
      listStorage: async ({ path, refresh }) => listingView(await storage.list(path, { refresh }), storage.spent(), this.projectOf, (p) => storage.catalog.treeSize(p)),
      planStorageDownload: async ({ paths, dest, extract }) => {
        const plan = await storage.planDownload({ sources: paths, dest, extract });
        const k = this.keep({ kind: 'download', plan });
        return downloadPlanView(k.planId, plan, k.expiresAt);
      },
      planRunResults: async ({ id, dest, extract }) => {
        const plan = await storage.planRunResults(id, { dest, extract });
        const k = this.keep({ kind: 'results', plan });
        return downloadPlanView(k.planId, plan, k.expiresAt);
      },
      planOpenFromCloud: async ({ folder, dir, merge }) => {
        const plan = await storage.planOpen({ folder, dir, merge });
        const k = this.keep({ kind: 'open', plan });
        return openPlanView(k.planId, plan, k.expiresAt);
      },
      startStorageTransfer: async ({ planId }) => {
        const p = this.take(planId);
        if (p.kind === 'delete') throw new AppError('invalid-params', 'A deletion is confirmed with confirmStorageDelete.');
        return this.start(planId, p);
      },
      cancelStorageTransfer: async ({ id }) => {
        this.running.get(id)?.abort(new Error('cancelled'));
        return null;
      },
      planStorageDelete: async ({ path }) => {
        const plan = await storage.planDelete(path);
        const k = this.keep({ kind: 'delete', plan });
        return deletePlanView(k.planId, plan, (id) => ws.registry.get(id)?.storageFolder ?? id, k.expiresAt);
      },
      confirmStorageDelete: async ({ planId, confirmMassDelete }) => {
        const p = this.plans.get(planId);
        if (p?.kind !== 'delete') throw new AppError('not-found', 'This deletion plan has expired: choose Delete again.');
        // Kept while the person is asked about a project's mass-delete guard; used up once it went through.
        const r = await storage.delete(p.plan, { confirmMassDelete });
        this.plans.delete(planId);
        this.d.changed();
        return deleteResultView(r);
      },
      refreshSimulations: async () => {
        ws.api.requireClient();
        await ws.runs.refresh();
        this.d.changed();
        return null;
      },
    };
  }

  private start(id: string, p: Exclude<Plan, { kind: 'delete' }>): StorageTransferView {
    const sources = p.kind === 'open' ? [p.plan.folder] : p.plan.sources;
    const dest = p.kind === 'open' ? p.plan.dir : p.plan.dest;
    const view: StorageTransferView = { id, kind: p.kind, title: transferTitle(p.kind, sources, dest), state: 'running', progress: null, result: null, error: null };
    const abort = new AbortController();
    this.running.set(id, abort);
    let last = 0;
    const onProgress = (pr: StorageProgress): void => {
      view.progress = progressView(pr);
      const now = Date.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      this.d.emit({ ...view });
    };
    const hooks = { signal: abort.signal, onProgress };
    const work = p.kind === 'open'
      ? this.d.ws.storage.open(p.plan, hooks).then((r) => ({ ...transferResultView(r.transfer, r.projectId), apiCalls: r.apiCalls }))
      : this.d.ws.storage.download(p.plan, hooks).then((r) => transferResultView(r, null));
    void work.then(
      (result) => {
        view.state = 'done';
        view.result = result;
        const issues = result.failed.length + result.refused.length + result.conflicts.length;
        this.d.notify(result.failed.length > 0 ? 'error' : 'results-pulled', p.kind === 'open' ? `Opened ${sources[0]}` : 'Download finished',
          `${plural(result.downloaded, 'file')} into ${dest}${issues > 0 ? ` (${result.conflicts.length} kept beside a local file, ${result.refused.length} refused, ${result.failed.length} failed)` : ''}.`, result.projectId ?? undefined);
      },
      (err: unknown) => {
        view.state = abort.signal.aborted ? 'cancelled' : 'failed';
        view.error = abort.signal.aborted ? null : toContractError(err);
        if (view.error) this.d.notify('error', `${view.title} did not finish`, view.error.message);
      },
    ).finally(() => {
      this.running.delete(id);
      this.d.emit({ ...view });
      this.d.changed();
    });
    return { ...view };
  }

  /** Stops every transfer in flight (the app is closing). */
  close(): void {
    for (const a of this.running.values()) a.abort(new Error('closing'));
  }
}

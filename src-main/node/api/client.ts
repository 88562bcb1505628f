// CloudHpcClient: one typed method per endpoint of the cloudHPC API v2 reference, plus the storage
// transfers. Every method costs API calls from the shared CallBudget; the cost is in its comment.
// What it does because of what the provider's own clients show (see README): listings never trust
// a page count or size (paging.ts), downloads go through view-url → mediaLink with download/{id} as
// the fallback, "Unauthorized." on one endpoint only makes that feature unavailable (the key is
// rejected only when view-cpu is refused), lists are validated row by row, and the service's clock
// offset is learnt from a run we created (service-clock.ts).
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { CallBudget } from './budget';
import { CloudHpcError, isCloudHpcError } from './errors';
import { featureOf } from './features';
import { ListingAllowance } from './listing-allowance';
import { anySignal, ApiTransport, makeDispatcher, type ApiReply, type ApiRequest } from './http';
import { readPages, type PageRows, type Paged } from './paging';
import { registerSecret, safeLog, type LogSink } from './redact';
import { backoffDelay, defaultRetryPolicy, isRetryable, realSleep, withRetry, type RetryPolicy, type Sleep } from './retry';
import { SimulationSchema, StorageItemSchema, parseReply, parseRows, schemas, type BadRow } from './schemas';
import { ServiceClock } from './service-clock';
import { serviceUrlProblem } from './service-url';
import { downloadToFile, uploadFile, type DownloadOptions, type TransferDeps, type TransferResult, type UploadOptions, type UploadTarget } from './transfer';
import type { CallOptions, NewSimulation, Priority, Simulation, StopSignal, StorageItem, UnavailableFeature } from './types';

export const DEFAULT_BASE_URL = 'https://cloud.cfdfeaservice.it/api/v2';

const VIEW_CPU = 'GET /simulation/view-cpu';

export interface ClientOptions {
  /** Default https://cloud.cfdfeaservice.it/api/v2 */
  baseUrl?: string;
  apiKey: string;
  /** Shared by the whole app; one is created when not given. */
  budget?: CallBudget;
  /** The service's clock offset, shared by the whole app; one is created when not given. */
  serviceClock?: ServiceClock;
  /** Optional log sink; never receives the key or a signed URL's query string. */
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  /** Connect timeout of API calls and transfers. Default 15 s. */
  connectTimeoutMs?: number;
  /** API calls fail when no byte arrives for this long. Default 60 s. */
  idleTimeoutMs?: number;
  /** Transfers fail when no byte moves for this long. Default 60 s. */
  stallTimeoutMs?: number;
  /** Total deadline of one API call, from sending to the reply's last byte. Default 90 s. */
  callTimeoutMs?: number;
  /** A transfer's deadline: this much plus its size at minTransferBytesPerSec. Default 60 s. */
  transferBaseDeadlineMs?: number;
  /** The slowest transfer rate that still finishes (the size-derived part of a transfer's deadline). Default 32 KiB/s. */
  minTransferBytesPerSec?: number;
  /** Every call and transfer of this client stops when it aborts (the CLI's Ctrl-C and --timeout). */
  signal?: AbortSignal;
  /** Attempts of a whole transfer after dropped connections. Default 3. */
  transferAttempts?: number;
  retry?: Partial<RetryPolicy>;
  /** Injectable wait (tests): used for backoff and for the empty-mediaLink wait. */
  sleep?: Sleep;
  /** First wait before asking view-url again after an empty mediaLink. Default 2000 ms (as the provider's client). */
  mediaLinkDelayMs?: number;
  /** How many times view-url is asked in all before giving up. Default 6. */
  mediaLinkTries?: number;
  /** A listing of simulations newer than this is trusted as "what existed before" for add-dedup. Default 5 min. */
  snapshotMaxAgeMs?: number;
  /** A ready-made undici dispatcher (default: one with the timeouts, through the environment's proxy if any). */
  dispatcher?: Dispatcher;
  /** A listing that has not ended after this many pages fails (it would use up the budget). Default 500. */
  maxListingPages?: number;
}

export type SortOrder = 'asc' | 'desc';

export interface StorageIndexOptions extends CallOptions {
  /** List this folder's children instead of the storage root. */
  parentId?: number;
  field?: string;
  order?: SortOrder;
}

export interface FolderListing {
  /** Children of the folder (all pages). */
  items: StorageItem[];
  /** The folder itself (null for the root). */
  folder: StorageItem | null;
  /** API calls this listing cost. */
  calls: number;
}

export interface ListingOptions<T> extends CallOptions {
  /** Called with each page's new rows; true ends the listing (e.g. the folder looked for is found). */
  visit?: (fresh: T[]) => boolean;
  /** Called before each page is asked for (one API call each), also when the listing then fails. */
  onPage?: () => void;
}

/** Every child of one storage level, all pages, and what it cost. */
export interface ChildListing {
  items: StorageItem[];
  calls: number;
}

export type DownloadByIdOptions = DownloadOptions;

/** How download links are asked for: view-url → mediaLink (every provider client), or download/{id}. */
export type DownloadRoute = 'view-url' | 'download';

/** Failures of one download route that make the other worth a try. */
function otherRouteMayWork(e: unknown): e is CloudHpcError {
  return isCloudHpcError(e) && (e.kind === 'feature-unavailable' || e.kind === 'bad-reply' || (e.kind === 'server' && (e.detail ?? '').startsWith('mediaLink empty')));
}

interface SimSnapshot {
  maxId: number;
  at: number;
}

/** Keeps only what a path segment may be in a URL path (ids are numbers, fields are words). */
function seg(v: string | number): string {
  return encodeURIComponent(String(v));
}

function checkField(field: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(field)) throw new CloudHpcError({ kind: 'not-found-or-forbidden', endpoint: 'client', userMessage: `"${field}" is not a field the listing can be sorted by.` });
  return field;
}

function checkId(id: number, endpoint: string): number {
  if (!Number.isSafeInteger(id) || id < 0) throw new CloudHpcError({ kind: 'not-found-or-forbidden', endpoint, userMessage: `"${String(id)}" is not a cloudHPC id.` });
  return id;
}

export class CloudHpcClient {
  readonly budget: CallBudget;
  readonly baseUrl: string;
  private readonly transport: ApiTransport;
  private readonly log: LogSink;
  private readonly dispatcher: Dispatcher;
  private readonly ownDispatcher: boolean;
  private readonly policy: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly opts: ClientOptions;
  private snapshot: SimSnapshot | null = null;
  /** The service's clock offset (shared when given). */
  readonly serviceClock: ServiceClock;
  /** view-cpu answered this session: the key itself works. */
  private keyOk = false;
  private keyCheck: Promise<void> | null = null;
  private readonly unavailable = new Map<string, UnavailableFeature>();
  private readonly featureListeners = new Set<(f: UnavailableFeature[]) => void>();
  /** The download route that worked last (remembered for the session). */
  private route: DownloadRoute | null = null;
  /** Largest page seen per kind of listing: a shorter page is the last one. */
  private readonly fullPage = new Map<'storage' | 'simulations', number>();
  private readonly reportedRows = new Set<string>();

  constructor(opts: ClientOptions) {
    if (typeof opts.apiKey !== 'string' || opts.apiKey.trim() === '') {
      throw new CloudHpcError({ kind: 'unauthorized', endpoint: 'client', userMessage: 'No API key is set: copy it from your cloudHPC profile page.' });
    }
    registerSecret(opts.apiKey);
    registerSecret(opts.apiKey.trim());
    this.opts = opts;
    this.baseUrl = (opts.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    // The key goes over https, or plain http to this machine only.
    const problem = serviceUrlProblem(this.baseUrl, DEFAULT_BASE_URL);
    if (problem) throw new CloudHpcError({ kind: 'network', endpoint: 'client', outcomeUnknown: false, userMessage: problem });
    this.budget = opts.budget ?? new CallBudget();
    this.serviceClock = opts.serviceClock ?? new ServiceClock();
    this.log = safeLog(opts.log as LogSink | undefined);
    this.ownDispatcher = !opts.dispatcher;
    this.dispatcher = opts.dispatcher ?? makeDispatcher({ connectTimeoutMs: opts.connectTimeoutMs, idleTimeoutMs: opts.idleTimeoutMs });
    this.policy = { ...defaultRetryPolicy, ...opts.retry };
    this.sleep = opts.sleep ?? realSleep;
    this.transport = new ApiTransport({ baseUrl: this.baseUrl, apiKey: opts.apiKey.trim(), budget: this.budget, log: this.log, dispatcher: this.dispatcher, callTimeoutMs: opts.callTimeoutMs ?? 90_000, signal: opts.signal });
  }

  /** A fresh cap on the listing calls of one operation, derived from this client's budget. */
  listingAllowance(): ListingAllowance {
    return new ListingAllowance(() => this.budget.state());
  }

  /** Closes the connections this client opened. */
  async close(): Promise<void> {
    if (this.ownDispatcher) await this.dispatcher.close();
  }

  /** Endpoints the key may not use (the service answered "Unauthorized." there while view-cpu works). */
  unavailableFeatures(): UnavailableFeature[] {
    return [...this.unavailable.values()];
  }

  /** Called with the new list whenever a feature becomes unavailable or available again. */
  onFeaturesChange(fn: (features: UnavailableFeature[]) => void): () => void {
    this.featureListeners.add(fn);
    return () => this.featureListeners.delete(fn);
  }

  /** Which download route the session uses now (null before the first download). */
  get downloadRoute(): DownloadRoute | null {
    return this.route;
  }

  // ---- options for a new simulation (1 call each)

  /** GET /simulation/view-cpu — vCPU counts. 1 call. */
  viewCpu(o: CallOptions = {}): Promise<number[]> {
    return this.get('/simulation/view-cpu', 'GET /simulation/view-cpu', schemas.cpuList, o);
  }

  /** GET /simulation/view-ram — RAM classes. 1 call. */
  viewRam(o: CallOptions = {}): Promise<string[]> {
    return this.get('/simulation/view-ram', 'GET /simulation/view-ram', schemas.stringList, o);
  }

  /** GET /simulation/view-scripts — solver scripts. 1 call. */
  viewScripts(o: CallOptions = {}): Promise<string[]> {
    return this.get('/simulation/view-scripts', 'GET /simulation/view-scripts', schemas.stringList, o);
  }

  /** Checks the key with the cheapest call (view-cpu, user priority). 1 call; throws `unauthorized` on a bad key. */
  async checkKey(o: CallOptions = {}): Promise<true> {
    await this.viewCpu({ priority: 'user', ...o });
    return true;
  }

  // ---- simulations

  /**
   * POST /simulation/add — starts a simulation, returns its id. Never retried blindly: when the
   * outcome of a try is unknown (connection lost after sending, HTTP 5xx, garbled reply), page 1 of
   * index-short (newest first) is read and a simulation of that folder (same script, cpu, ram) with
   * an id above every id that existed before the first try is taken as ours; only when there is
   * none is the request sent again. Cost: 1 call, +1 when no listing of the last minutes is known
   * (the "before" snapshot), +1 per unknown outcome.
   */
  async addSimulation(sim: NewSimulation, o: CallOptions = {}): Promise<number> {
    const endpoint = 'POST /simulation/add';
    const priority: Priority = o.priority ?? 'user';
    const body: Record<string, unknown> = { cpu: sim.cpu, ram: sim.ram, script: sim.script, folder: sim.folder, mesh: sim.mesh ?? '' };
    if (sim.regular !== undefined) body.nopre = sim.regular ? 1 : 0;
    const maxIdBefore = await this.freshMaxSimulationId({ priority, signal: o.signal });
    const start = Date.now();
    const sentAt = Date.now();
    let attempt = 0;
    for (;;) {
      attempt += 1;
      try {
        const reply = await this.send({ method: 'POST', path: '/simulation/add', endpoint, body, priority, signal: o.signal }, o.onCall);
        const id = parseReply(schemas.simulationId, reply.value, endpoint, reply.status);
        this.log('info', `simulation ${id} added for folder ${sim.folder}`);
        this.noteSimulationId(id);
        this.serviceClock.noteCreated(id, sentAt);
        return id;
      } catch (e) {
        if (!isCloudHpcError(e)) throw e;
        const unknownOutcome = (e.kind === 'network' && e.outcomeUnknown) || e.kind === 'server' || (e.kind === 'bad-reply' && e.httpStatus !== null && e.httpStatus < 300);
        if (unknownOutcome) {
          this.log('warn', `${endpoint}: outcome unknown (${e.kind}); checking index-short before sending again`);
          const found = await this.findNewSimulation(sim, maxIdBefore, { priority, signal: o.signal });
          if (found !== null) {
            this.log('info', `${endpoint}: simulation ${found} was created by the lost try; not sending again`);
            this.noteSimulationId(found);
            this.serviceClock.noteCreated(found, sentAt);
            return found;
          }
          if (e.kind === 'bad-reply') throw e;
        } else if (!isRetryable(e)) {
          throw e;
        } else if (e.kind === 'rate-limited' && (e.retryAfterMs === null || e.retryAfterMs > this.policy.maxRetryAfterMs)) {
          throw e;
        }
        if (attempt >= this.policy.maxAttempts) throw e;
        const delay = backoffDelay(attempt, this.policy, e.retryAfterMs);
        if (Date.now() - start + delay > this.policy.maxElapsedMs) throw e;
        await this.sleep(delay, anySignal([o.signal, this.opts.signal]));
      }
    }
  }

  /** PUT /simulation/stop/{id} — SIGTSTP (soft, saves results) or SIGINT (hard). 1 call (user priority by default). */
  stopSimulation(id: number, signal: StopSignal = 'SIGTSTP', o: CallOptions = {}): Promise<boolean> {
    const endpoint = 'PUT /simulation/stop/{id}';
    return this.call({ method: 'PUT', path: `/simulation/stop/${checkId(id, endpoint)}`, endpoint, body: { signal } }, schemas.ack, { priority: 'user', ...o });
  }

  /** PUT /simulation/sync/{id} — asks the run to copy partial results to the storage. 1 call. */
  syncSimulation(id: number, o: CallOptions = {}): Promise<boolean> {
    const endpoint = 'PUT /simulation/sync/{id}';
    return this.call({ method: 'PUT', path: `/simulation/sync/${checkId(id, endpoint)}`, endpoint }, schemas.ack, { priority: 'user', ...o });
  }

  /**
   * GET /simulation/index-short/{field}/{order}/{page} — one page of every simulation, validated row
   * by row (a damaged row is skipped and reported once). 1 call.
   */
  async indexShortPage(page = 1, field = 'id', order: SortOrder = 'desc', o: CallOptions = {}): Promise<PageRows<Simulation>> {
    const endpoint = 'GET /simulation/index-short/{field}/{order}/{page}';
    const badIds: number[] = [];
    const r = await this.getRows(
      `/simulation/index-short/${seg(checkField(field))}/${order === 'asc' ? 'asc' : 'desc'}/${seg(Math.max(1, Math.floor(page)))}`,
      endpoint,
      SimulationSchema,
      o,
      (b) => {
        if (b.id !== null) badIds.push(b.id);
      },
    );
    if (page === 1 && field === 'id' && order === 'desc') {
      this.snapshot = { maxId: Math.max(0, ...r.rows.map((s) => s.id), ...badIds), at: Date.now() };
    }
    this.serviceClock.noteSeen(r.rows);
    return r;
  }

  /** One page of every simulation (index-short), the rows that passed validation. 1 call. */
  async indexShort(page = 1, field = 'id', order: SortOrder = 'desc', o: CallOptions = {}): Promise<Simulation[]> {
    return (await this.indexShortPage(page, field, order, o)).rows;
  }

  /**
   * Every simulation, newest first, page after page until the listing ends (see paging.ts), or
   * until `visit` says stop. Cost: the pages read (`calls`).
   */
  listSimulations(o: ListingOptions<Simulation> = {}): Promise<Paged<Simulation>> {
    return this.paged(
      'simulations',
      'your simulations',
      'GET /simulation/index-short/{field}/{order}/{page}',
      (page) => {
        o.onPage?.();
        return this.indexShortPage(page, 'id', 'desc', o);
      },
      o.visit,
    );
  }

  /** GET /simulation/view-short/{id}. 1 call. */
  async viewShort(id: number, o: CallOptions = {}): Promise<Simulation> {
    const endpoint = 'GET /simulation/view-short/{id}';
    const s = await this.get(`/simulation/view-short/${checkId(id, endpoint)}`, endpoint, schemas.simulation, o);
    this.serviceClock.noteSeen([s]);
    return s;
  }

  /** GET /simulation/view/{id} — full form with the output log. 1 call. */
  async view(id: number, o: CallOptions = {}): Promise<Simulation> {
    const endpoint = 'GET /simulation/view/{id}';
    const s = await this.get(`/simulation/view/${checkId(id, endpoint)}`, endpoint, schemas.simulation, o);
    this.serviceClock.noteSeen([s]);
    return s;
  }

  // ---- storage

  /** POST /storage/upload-url — a signed URL to PUT one file to. 1 call. */
  uploadUrl(target: UploadTarget, o: CallOptions = {}): Promise<string> {
    const body = { dirname: target.dirname, filename: target.filename, contentType: target.contentType ?? 'application/octet-stream' };
    return this.call({ method: 'POST', path: '/storage/upload-url', endpoint: 'POST /storage/upload-url', body }, schemas.uploadUrl, o);
  }

  /** DELETE /user/delete-cache — tells the service uploads are complete (listings are cached until then). 1 call. */
  deleteCache(o: CallOptions = {}): Promise<boolean> {
    return this.call({ method: 'DELETE', path: '/user/delete-cache', endpoint: 'DELETE /user/delete-cache' }, schemas.ack, o);
  }

  /** POST /storage/view-by-path — one storage item by its full path. 1 call. */
  viewByPath(path: string, o: CallOptions = {}): Promise<StorageItem> {
    return this.call({ method: 'POST', path: '/storage/view-by-path', endpoint: 'POST /storage/view-by-path', body: { path } }, schemas.storageItem, o);
  }

  /**
   * A signed URL to fetch storage file `id` from. As every provider client: GET view-url/{id} →
   * mediaLink (asked again while it is empty, see viewUrl); when the key may not use view-url, its
   * reply does not fit, or the link never comes, GET download/{id} instead. The route that worked is
   * remembered for the session, so each later file costs one call (plus empty-link retries).
   */
  async downloadUrl(id: number, o: CallOptions = {}): Promise<string> {
    const first: DownloadRoute = this.route ?? 'view-url';
    const second: DownloadRoute = first === 'view-url' ? 'download' : 'view-url';
    try {
      const url = await this.linkVia(first, id, o);
      this.route = first;
      return url;
    } catch (e) {
      if (!otherRouteMayWork(e)) throw e;
      this.log('info', `${e.endpoint}: ${e.kind} (${e.detail ?? e.serviceText ?? ''}); downloads try ${second === 'download' ? 'download/{id}' : 'view-url'}`);
      let url: string;
      try {
        url = await this.linkVia(second, id, o);
      } catch (e2) {
        throw otherRouteMayWork(e2) ? e : e2;
      }
      this.route = second;
      // downloads still work: the refused route is not a feature the person misses
      if (e.kind === 'feature-unavailable') this.markAvailable(e.endpoint);
      return url;
    }
  }

  private linkVia(route: DownloadRoute, id: number, o: CallOptions): Promise<string> {
    return route === 'view-url' ? this.viewUrl(id, o) : this.storageDownloadUrl(id, o);
  }

  /** GET /storage/download/{id} — a URL to fetch the file from (the reply's shape is not documented: bare, {url} or {mediaLink}). 1 call. */
  storageDownloadUrl(id: number, o: CallOptions = {}): Promise<string> {
    const endpoint = 'GET /storage/download/{id}';
    return this.get(`/storage/download/${checkId(id, endpoint)}`, endpoint, schemas.downloadUrl, o);
  }

  /**
   * GET /storage/view-url/{id} — the file's mediaLink. An empty link is asked again with backoff
   * starting at `mediaLinkDelayMs` (2 s, as the provider's clients) and doubling, `mediaLinkTries`
   * times in all. 1 call per try.
   */
  async viewUrl(id: number, o: CallOptions = {}): Promise<string> {
    const endpoint = 'GET /storage/view-url/{id}';
    const tries = this.opts.mediaLinkTries ?? 6;
    let delay = this.opts.mediaLinkDelayMs ?? 2_000;
    for (let i = 1; ; i++) {
      const link = await this.get(`/storage/view-url/${checkId(id, endpoint)}`, endpoint, schemas.mediaLink, o);
      if (link !== null) return link;
      if (i >= tries) {
        throw new CloudHpcError({ kind: 'server', endpoint, userMessage: 'cloudHPC has not prepared the download link yet: try again in a minute.', detail: `mediaLink empty ${tries} times` });
      }
      this.log('debug', `${endpoint}: mediaLink empty, asking again in ${delay} ms`);
      await this.sleep(delay, anySignal([o.signal, this.opts.signal]));
      delay = Math.min(delay * 2, 30_000);
    }
  }

  /** GET /storage/index/... — one page of the storage root or of one folder (`parentId`), row by row. 1 call. */
  storageIndexPage(page = 1, so: StorageIndexOptions = {}): Promise<PageRows<StorageItem>> {
    const field = seg(checkField(so.field ?? 'name'));
    const order = so.order === 'desc' ? 'desc' : 'asc';
    const p = seg(Math.max(1, Math.floor(page)));
    const path = so.parentId === undefined ? `/storage/index/${field}/${order}/${p}` : `/storage/index/${field}/${order}/parent_id/${checkId(so.parentId, 'GET /storage/index')}/${p}`;
    const endpoint = so.parentId === undefined ? 'GET /storage/index/{field}/{order}/{page}' : 'GET /storage/index/{field}/{order}/parent_id/{id}/{page}';
    return this.getRows(path, endpoint, StorageItemSchema, { priority: so.priority, signal: so.signal, onCall: so.onCall });
  }

  /** One page of the storage root or of one folder, the rows that passed validation. 1 call. */
  async storageIndex(page = 1, so: StorageIndexOptions = {}): Promise<StorageItem[]> {
    return (await this.storageIndexPage(page, so)).rows;
  }

  /**
   * Every child of one storage level (the root when `parentId` is undefined), all pages until the
   * listing ends (see paging.ts). Cost: the pages read, returned as `calls`.
   */
  async listChildren(parentId: number | undefined, o: ListingOptions<StorageItem> = {}): Promise<ChildListing> {
    const what = parentId === undefined ? 'your storage' : `storage folder ${parentId}`;
    const endpoint = parentId === undefined ? 'GET /storage/index/{field}/{order}/{page}' : 'GET /storage/index/{field}/{order}/parent_id/{id}/{page}';
    const r = await this.paged(
      'storage',
      what,
      endpoint,
      (page) => {
        o.listing?.spend(endpoint, what);
        o.onPage?.();
        return this.storageIndexPage(page, { parentId, priority: o.priority, signal: o.signal, onCall: o.onCall });
      },
      o.visit,
    );
    return { items: r.items, calls: r.calls };
  }

  /**
   * Lists a storage folder by path, walking from the root (there is no list-by-path call): for each
   * path segment, the pages of its parent are read until the folder is found; then every page of
   * the folder. Cost: the pages read, returned as `calls` (a folder of N items at depth D costs about
   * D + ceil(N / pageSize) calls, +1 when the last page is full).
   */
  async listFolder(path: string, o: CallOptions = {}): Promise<FolderListing> {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    let calls = 0;
    let parentId: number | undefined;
    let folder: StorageItem | null = null;
    for (const part of parts) {
      let found: StorageItem | null = null;
      const level = await this.listChildren(parentId, {
        ...o,
        visit: (items) => {
          found = items.find((i) => i.type === 'dir' && i.basename === part) ?? null;
          return found !== null;
        },
      });
      calls += level.calls;
      if (found === null) {
        throw new CloudHpcError({ kind: 'not-found-or-forbidden', endpoint: 'GET /storage/index', userMessage: `The folder "${path}" is not in your cloudHPC storage.` });
      }
      folder = found;
      parentId = (found as StorageItem).id;
    }
    const all = await this.listChildren(parentId, o);
    return { items: all.items, folder, calls: calls + all.calls };
  }

  /** DELETE /storage/delete/{id} — a file or a folder. 1 call; a retry after a lost reply that finds the item gone counts as done. */
  async deleteStorage(id: number, o: CallOptions = {}): Promise<boolean> {
    const endpoint = 'DELETE /storage/delete/{id}';
    let uncertain = false;
    try {
      return await withRetry(
        async () => {
          try {
            const r = await this.send({ method: 'DELETE', path: `/storage/delete/${checkId(id, endpoint)}`, endpoint, priority: o.priority ?? 'background', signal: o.signal }, o.onCall);
            return parseReply(schemas.ack, r.value, endpoint, r.status);
          } catch (e) {
            if (isCloudHpcError(e) && ((e.kind === 'network' && e.outcomeUnknown) || e.kind === 'server')) uncertain = true;
            throw e;
          }
        },
        this.retryContext(o),
      );
    } catch (e) {
      if (uncertain && isCloudHpcError(e, 'not-found-or-forbidden')) return true;
      throw e;
    }
  }

  // ---- transfers (signed URLs: not API calls)

  /**
   * Uploads a local file into `target.dirname/target.filename`: 1 upload-url call (2 if the first
   * URL is refused), then a streamed PUT. Returns the bytes sent and their sha256.
   */
  uploadFile(localPath: string, target: UploadTarget, o: UploadOptions = {}): Promise<TransferResult> {
    const contentType = target.contentType ?? 'application/octet-stream';
    return uploadFile(this.transferDeps(), (signal) => this.uploadUrl({ ...target, contentType }, { priority: o.priority, signal }), localPath, o, contentType);
  }

  /** Downloads a signed URL to `destPath` (temp file in the same folder, fsync, rename). No API call. */
  downloadToFile(url: string, destPath: string, o: DownloadOptions = {}): Promise<TransferResult> {
    return downloadToFile(this.transferDeps(), url, destPath, o);
  }

  /** Downloads a storage file by id: 1 call for the link (see downloadUrl), then the transfer. */
  async downloadFile(id: number, destPath: string, o: DownloadByIdOptions = {}): Promise<TransferResult> {
    const url = await this.downloadUrl(id, { priority: o.priority, signal: o.signal });
    return this.downloadToFile(url, destPath, o);
  }

  // ---- internals

  private transferDeps(): TransferDeps {
    const o = this.opts;
    return {
      dispatcher: this.dispatcher, log: this.log, sleep: this.sleep, stallTimeoutMs: o.stallTimeoutMs, maxAttempts: o.transferAttempts, policy: this.policy,
      baseDeadlineMs: o.transferBaseDeadlineMs, minBytesPerSec: o.minTransferBytesPerSec, signal: o.signal,
    };
  }

  private retryContext(o: CallOptions) {
    return {
      policy: this.policy,
      sleep: this.sleep,
      signal: anySignal([o.signal, this.opts.signal]),
      background: (o.priority ?? 'background') === 'background',
      onRetry: (e: CloudHpcError, attempt: number, delay: number) => this.log('info', `${e.endpoint}: ${e.kind}, try ${attempt + 1} in ${delay} ms`),
    };
  }

  /**
   * One attempt of one API call. "Unauthorized." from any endpoint but view-cpu is told apart here:
   * one view-cpu (unless it answered this session and the endpoint is already known refused)
   * decides between a refused key (`unauthorized`) and an endpoint this key may not use
   * (`feature-unavailable`, remembered and reported; everything else goes on).
   */
  /** One request; `onCall` hears of it once the service answered it (a refusal counts too). */
  private async send(req: ApiRequest, onCall?: () => void): Promise<ApiReply> {
    try {
      const r = await this.transport.once(req);
      onCall?.();
      if (req.endpoint === VIEW_CPU) this.keyOk = true;
      else if (this.unavailable.has(req.endpoint)) this.markAvailable(req.endpoint);
      return r;
    } catch (e) {
      if (isCloudHpcError(e) && e.kind !== 'network' && e.kind !== 'cancelled') onCall?.();
      if (isCloudHpcError(e, 'unauthorized')) {
        if (req.endpoint === VIEW_CPU) this.keyOk = false;
        else throw await this.refusedEndpoint(e, req);
      }
      throw e;
    }
  }

  private async refusedEndpoint(e: CloudHpcError, req: ApiRequest): Promise<CloudHpcError> {
    if (!this.keyOk || !this.unavailable.has(req.endpoint)) {
      try {
        await (this.keyCheck ??= this.viewCpu({ priority: req.priority, signal: req.signal })
          .then(() => undefined)
          .finally(() => (this.keyCheck = null)));
      } catch (k) {
        // view-cpu refused too: the key itself is rejected (or the check failed for another reason)
        return isCloudHpcError(k) ? k : e;
      }
    }
    const feature = featureOf(req.endpoint);
    const f = new CloudHpcError({
      kind: 'feature-unavailable',
      endpoint: e.endpoint,
      httpStatus: e.httpStatus,
      serviceMessage: e.serviceMessage,
      feature,
      userMessage: `Your API key works, but cloudHPC does not let it use ${feature}: ask cloudHPC support to enable it for your key. Everything else keeps working.`,
    });
    this.markUnavailable(f, feature);
    return f;
  }

  private markUnavailable(e: CloudHpcError, feature: string): void {
    if (!this.unavailable.has(e.endpoint)) this.log('warn', `${e.endpoint}: the key may not use ${feature} ("${e.serviceText ?? ''}"); the rest goes on`);
    this.unavailable.set(e.endpoint, { feature, endpoint: e.endpoint, serviceText: e.serviceText ?? 'Unauthorized.', since: this.unavailable.get(e.endpoint)?.since ?? Date.now() });
    this.featuresChanged();
  }

  private markAvailable(endpoint: string): void {
    if (this.unavailable.delete(endpoint)) this.featuresChanged();
  }

  private featuresChanged(): void {
    const list = this.unavailableFeatures();
    for (const fn of this.featureListeners) {
      try {
        fn(list);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  /** An idempotent call, retried with backoff. */
  private call<S extends z.ZodType>(req: Omit<ApiRequest, 'priority' | 'signal'>, schema: S, o: CallOptions): Promise<z.output<S>> {
    const priority = o.priority ?? 'background';
    return withRetry(async () => {
      const r = await this.send({ ...req, priority, signal: o.signal }, o.onCall);
      return parseReply(schema, r.value, req.endpoint, r.status);
    }, this.retryContext({ ...o, priority }));
  }

  private get<S extends z.ZodType>(path: string, endpoint: string, schema: S, o: CallOptions): Promise<z.output<S>> {
    return this.call({ method: 'GET', path, endpoint }, schema, o);
  }

  /** A GET of a list, validated row by row; damaged rows are skipped and reported once each. */
  private getRows<S extends z.ZodType>(path: string, endpoint: string, row: S, o: CallOptions, seen?: (b: BadRow) => void): Promise<PageRows<z.output<S>>> {
    const priority = o.priority ?? 'background';
    return withRetry(async () => {
      const r = await this.send({ method: 'GET', path, endpoint, priority, signal: o.signal }, o.onCall);
      return parseRows(row, r.value, endpoint, r.status, (b) => {
        seen?.(b);
        this.reportRow(endpoint, b);
      });
    }, this.retryContext({ ...o, priority }));
  }

  private reportRow(endpoint: string, b: BadRow): void {
    const key = `${endpoint}#${b.id ?? `@${b.index}`}:${b.problem}`;
    if (this.reportedRows.has(key)) return;
    if (this.reportedRows.size > 1_000) this.reportedRows.clear();
    this.reportedRows.add(key);
    this.log('warn', `${endpoint}: skipped a damaged row (${b.id !== null ? `id ${b.id}` : `row ${b.index + 1}`}: ${b.problem}); the rest of the page is used`);
  }

  /** All pages of one listing, with the session's knowledge of the page size. */
  private async paged<T extends { id: number }>(kind: 'storage' | 'simulations', what: string, endpoint: string, fetchPage: (page: number) => Promise<PageRows<T>>, visit?: (fresh: T[]) => boolean): Promise<Paged<T>> {
    const r = await readPages(fetchPage, { what, endpoint, maxPages: this.opts.maxListingPages, knownPageSize: this.fullPage.get(kind) ?? 0, visit });
    if (r.pageSize > (this.fullPage.get(kind) ?? 0)) this.fullPage.set(kind, r.pageSize);
    return { items: r.items, calls: r.calls, end: r.end };
  }

  /** The highest simulation id that existed before now: from a fresh index-short listing, else 1 call. */
  private async freshMaxSimulationId(o: CallOptions): Promise<number> {
    const maxAge = this.opts.snapshotMaxAgeMs ?? 5 * 60_000;
    if (this.snapshot && Date.now() - this.snapshot.at <= maxAge) return this.snapshot.maxId;
    await this.indexShort(1, 'id', 'desc', o);
    return this.snapshot!.maxId;
  }

  /** A simulation we created exists now: a later add must not take it for its own. */
  private noteSimulationId(id: number): void {
    if (this.snapshot) this.snapshot = { maxId: Math.max(this.snapshot.maxId, id), at: this.snapshot.at };
  }

  private async findNewSimulation(sim: NewSimulation, maxIdBefore: number, o: CallOptions): Promise<number | null> {
    const list = await this.indexShort(1, 'id', 'desc', o);
    const match = list
      .filter((s) => s.id > maxIdBefore && s.folder === sim.folder && s.script === sim.script && s.cpu === sim.cpu && s.ram === sim.ram)
      .sort((a, b) => a.id - b.id)[0];
    return match ? match.id : null;
  }
}

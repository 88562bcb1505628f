// CloudHpcClient: one typed method per endpoint of the cloudHPC API v2 reference, plus the storage
// transfers. Every method costs API calls from the shared CallBudget; the cost is in its comment.
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { CallBudget } from './budget';
import { CloudHpcError, isCloudHpcError } from './errors';
import { ApiTransport, makeDispatcher, type ApiRequest } from './http';
import { registerSecret, safeLog, type LogSink } from './redact';
import { backoffDelay, defaultRetryPolicy, isRetryable, realSleep, withRetry, type RetryPolicy, type Sleep } from './retry';
import { parseReply, schemas } from './schemas';
import { downloadToFile, uploadFile, type DownloadOptions, type TransferResult, type UploadOptions, type UploadTarget } from './transfer';
import type { CallOptions, CloudHpcClientOptions, NewSimulation, Priority, Simulation, StopSignal, StorageItem } from './types';

export const DEFAULT_BASE_URL = 'https://cloud.cfdfeaservice.it/api/v2';

export interface ClientOptions extends CloudHpcClientOptions {
  /** Connect timeout of API calls and transfers. Default 15 s. */
  connectTimeoutMs?: number;
  /** API calls fail when no byte arrives for this long. Default 60 s. */
  idleTimeoutMs?: number;
  /** Transfers fail when no byte moves for this long (never on total duration). Default 60 s. */
  stallTimeoutMs?: number;
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

export interface DownloadByIdOptions extends DownloadOptions {
  /** Use view-url (mediaLink) instead of download/{id}. */
  viaViewUrl?: boolean;
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

  constructor(opts: ClientOptions) {
    if (typeof opts.apiKey !== 'string' || opts.apiKey.trim() === '') {
      throw new CloudHpcError({ kind: 'unauthorized', endpoint: 'client', userMessage: 'No API key is set: copy it from your cloudHPC profile page.' });
    }
    registerSecret(opts.apiKey);
    registerSecret(opts.apiKey.trim());
    this.opts = opts;
    this.baseUrl = (opts.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.budget = opts.budget ?? new CallBudget();
    this.log = safeLog(opts.log as LogSink | undefined);
    this.ownDispatcher = !opts.dispatcher;
    this.dispatcher = opts.dispatcher ?? makeDispatcher({ connectTimeoutMs: opts.connectTimeoutMs, idleTimeoutMs: opts.idleTimeoutMs });
    this.policy = { ...defaultRetryPolicy, ...opts.retry };
    this.sleep = opts.sleep ?? realSleep;
    this.transport = new ApiTransport({ baseUrl: this.baseUrl, apiKey: opts.apiKey.trim(), budget: this.budget, log: this.log, dispatcher: this.dispatcher });
  }

  /** Closes the connections this client opened. */
  async close(): Promise<void> {
    if (this.ownDispatcher) await this.dispatcher.close();
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
    let attempt = 0;
    for (;;) {
      attempt += 1;
      try {
        const reply = await this.transport.once({ method: 'POST', path: '/simulation/add', endpoint, body, priority, signal: o.signal });
        const id = parseReply(schemas.simulationId, reply.value, endpoint, reply.status);
        this.log('info', `simulation ${id} added for folder ${sim.folder}`);
        this.noteSimulationId(id);
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
        await this.sleep(delay, o.signal);
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

  /** GET /simulation/index-short/{field}/{order}/{page} — one page of every simulation. 1 call. */
  async indexShort(page = 1, field = 'id', order: SortOrder = 'desc', o: CallOptions = {}): Promise<Simulation[]> {
    const list = await this.get(
      `/simulation/index-short/${seg(checkField(field))}/${order === 'asc' ? 'asc' : 'desc'}/${seg(Math.max(1, Math.floor(page)))}`,
      'GET /simulation/index-short/{field}/{order}/{page}',
      schemas.simulationList,
      o,
    );
    if (page === 1 && field === 'id' && order === 'desc') {
      this.snapshot = { maxId: list.reduce((m, s) => Math.max(m, s.id), 0), at: Date.now() };
    }
    return list;
  }

  /** GET /simulation/view-short/{id}. 1 call. */
  viewShort(id: number, o: CallOptions = {}): Promise<Simulation> {
    const endpoint = 'GET /simulation/view-short/{id}';
    return this.get(`/simulation/view-short/${checkId(id, endpoint)}`, endpoint, schemas.simulation, o);
  }

  /** GET /simulation/view/{id} — full form with the output log. 1 call. */
  view(id: number, o: CallOptions = {}): Promise<Simulation> {
    const endpoint = 'GET /simulation/view/{id}';
    return this.get(`/simulation/view/${checkId(id, endpoint)}`, endpoint, schemas.simulation, o);
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

  /** GET /storage/download/{id} — a URL to fetch the file from. 1 call. */
  downloadUrl(id: number, o: CallOptions = {}): Promise<string> {
    const endpoint = 'GET /storage/download/{id}';
    return this.get(`/storage/download/${checkId(id, endpoint)}`, endpoint, schemas.downloadUrl, o);
  }

  /**
   * GET /storage/view-url/{id} — the file's mediaLink. An empty link is asked again with backoff
   * starting at `mediaLinkDelayMs` (2 s) and doubling, `mediaLinkTries` times in all. 1 call per try.
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
      await this.sleep(delay, o.signal);
      delay = Math.min(delay * 2, 30_000);
    }
  }

  /** GET /storage/index/... — one page of the storage root or of one folder (`parentId`). 1 call. */
  storageIndex(page = 1, so: StorageIndexOptions = {}): Promise<StorageItem[]> {
    const field = seg(checkField(so.field ?? 'name'));
    const order = so.order === 'desc' ? 'desc' : 'asc';
    const p = seg(Math.max(1, Math.floor(page)));
    const path = so.parentId === undefined ? `/storage/index/${field}/${order}/${p}` : `/storage/index/${field}/${order}/parent_id/${checkId(so.parentId, 'GET /storage/index')}/${p}`;
    const endpoint = so.parentId === undefined ? 'GET /storage/index/{field}/{order}/{page}' : 'GET /storage/index/{field}/{order}/parent_id/{id}/{page}';
    return this.get(path, endpoint, schemas.storageList, { priority: so.priority, signal: so.signal });
  }

  /**
   * Every child of one storage level (the root when `parentId` is undefined), all pages until the
   * listing ends (see pages()), each row once. Cost: the pages read, returned as `calls`.
   */
  async listChildren(parentId: number | undefined, o: ListingOptions<StorageItem> = {}): Promise<ChildListing> {
    const items: StorageItem[] = [];
    const seen = new Set<number>();
    let calls = 0;
    await this.pages(parentId, o, () => {
      calls += 1;
      o.onPage?.();
    }, (page) => {
      const fresh = page.filter((i) => !seen.has(i.id));
      // A page of rows already seen: the service went back to an earlier page, the listing is over.
      if (fresh.length === 0) return true;
      for (const i of fresh) seen.add(i.id);
      items.push(...fresh);
      return o.visit?.(fresh) ?? false;
    });
    return { items, calls };
  }

  /**
   * Lists a storage folder by path, walking from the root (there is no list-by-path call): for each
   * path segment, the pages of its parent are read until the folder is found; then every page of
   * the folder. Cost: the pages read, returned as `calls` (a folder of N items at depth D costs about
   * D + ceil(N / pageSize) + 1 calls). A page shorter than the first, an empty page or a page
   * repeating the previous one ends a listing.
   */
  async listFolder(path: string, o: CallOptions = {}): Promise<FolderListing> {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    let calls = 0;
    let parentId: number | undefined;
    let folder: StorageItem | null = null;
    for (const part of parts) {
      let found: StorageItem | null = null;
      await this.pages(parentId, o, () => (calls += 1), (items) => {
        found = items.find((i) => i.type === 'dir' && i.basename === part) ?? null;
        return found !== null;
      });
      if (found === null) {
        throw new CloudHpcError({ kind: 'not-found-or-forbidden', endpoint: 'GET /storage/index', userMessage: `The folder "${path}" is not in your cloudHPC storage.` });
      }
      folder = found;
      parentId = (found as StorageItem).id;
    }
    const items: StorageItem[] = [];
    await this.pages(parentId, o, () => (calls += 1), (page) => {
      items.push(...page);
      return false;
    });
    return { items, folder, calls };
  }

  /** DELETE /storage/delete/{id} — a file or a folder. 1 call; a retry after a lost reply that finds the item gone counts as done. */
  async deleteStorage(id: number, o: CallOptions = {}): Promise<boolean> {
    const endpoint = 'DELETE /storage/delete/{id}';
    let uncertain = false;
    try {
      return await withRetry(
        async () => {
          try {
            const r = await this.transport.once({ method: 'DELETE', path: `/storage/delete/${checkId(id, endpoint)}`, endpoint, priority: o.priority ?? 'background', signal: o.signal });
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

  /** Downloads a storage file by id: 1 call for the URL (download/{id}, or view-url tries), then the transfer. */
  async downloadFile(id: number, destPath: string, o: DownloadByIdOptions = {}): Promise<TransferResult> {
    const co: CallOptions = { priority: o.priority, signal: o.signal };
    const url = o.viaViewUrl ? await this.viewUrl(id, co) : await this.downloadUrl(id, co);
    return this.downloadToFile(url, destPath, o);
  }

  // ---- internals

  private transferDeps() {
    return { dispatcher: this.dispatcher, log: this.log, sleep: this.sleep, stallTimeoutMs: this.opts.stallTimeoutMs, maxAttempts: this.opts.transferAttempts, policy: this.policy };
  }

  private retryContext(o: CallOptions) {
    return {
      policy: this.policy,
      sleep: this.sleep,
      signal: o.signal,
      background: (o.priority ?? 'background') === 'background',
      onRetry: (e: CloudHpcError, attempt: number, delay: number) => this.log('info', `${e.endpoint}: ${e.kind}, try ${attempt + 1} in ${delay} ms`),
    };
  }

  /** An idempotent call, retried with backoff. */
  private call<S extends z.ZodType>(req: Omit<ApiRequest, 'priority' | 'signal'>, schema: S, o: CallOptions): Promise<z.output<S>> {
    const priority = o.priority ?? 'background';
    return withRetry(async () => {
      const r = await this.transport.once({ ...req, priority, signal: o.signal });
      return parseReply(schema, r.value, req.endpoint, r.status);
    }, this.retryContext({ ...o, priority }));
  }

  private get<S extends z.ZodType>(path: string, endpoint: string, schema: S, o: CallOptions): Promise<z.output<S>> {
    return this.call({ method: 'GET', path, endpoint }, schema, o);
  }

  /** Reads pages of a storage level until `visit` says stop or the listing ends. */
  private async pages(parentId: number | undefined, o: CallOptions, counted: () => void, visit: (items: StorageItem[]) => boolean): Promise<void> {
    let firstLen = -1;
    let prevKey = '';
    for (let page = 1; page < 100_000; page++) {
      counted();
      const items = await this.storageIndex(page, { parentId, priority: o.priority, signal: o.signal });
      const key = items.map((i) => i.id).join(',');
      if (items.length === 0 || key === prevKey) return;
      if (visit(items)) return;
      if (firstLen < 0) firstLen = items.length;
      if (items.length < firstLen) return;
      prevKey = key;
    }
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

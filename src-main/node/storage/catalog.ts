// The storage as far as it has been listed: one cached listing per folder, with when it was made and
// what it cost. There is no list-by-path call: a folder is found by listing its parent and matching
// the `basename` of a `dir` item, then its children are listed by id (`parent_id`), every page. A
// listing is kept until it is refreshed on demand (or the item is deleted from here), so opening a
// folder again costs nothing; the age is shown instead. Every call is counted (this session, the
// last hour): browsing shows what it costs.
import type { CallOptions, StorageItem } from '../api/types';
import { isNotFound } from '../sync/cloud-port';
import { StorageRefused } from './errors';
import { storageText } from './messages';
import { joinStorage, storageBase, storageParent } from './paths';
import type { StorageCloud } from './port';

export interface Listing {
  /** '' for the storage root. */
  path: string;
  /** The folder itself (null for the root). */
  folder: StorageItem | null;
  /** Its children whose names fit under it. */
  items: StorageItem[];
  /** Children whose names do not fit (not `<path>/<basename>`, or '.'/'..'): left out, counted. */
  refused: number;
  /** Their names as the service gave them (the first 100). */
  refusedNames: string[];
  /** Epoch ms of the listing. */
  listedAt: number;
  /** API calls the listing cost when it was made. */
  calls: number;
}

export interface ListResult {
  listing: Listing;
  /** API calls this request made (0 when every level needed was cached). */
  spent: number;
  /** The folder's own listing came from the cache. */
  cached: boolean;
}

export interface WalkResult {
  /** Every file below the folder (any depth). */
  files: StorageItem[];
  /** Every folder below it. */
  folders: StorageItem[];
  /** Names left out on the way (see Listing.refused), as the service gave them. */
  refused: string[];
  spent: number;
}

export interface CatalogOptions {
  cloud: StorageCloud;
  now?: () => number;
  /** A walk stops (and says so) past this many folders. Default 20,000. */
  maxFolders?: number;
}

const HOUR = 3_600_000;

/** A plain name component: the service has no '/', '.' or '..' inside a basename. */
function plainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\') && !name.includes('\u0000');
}

export class StorageCatalog {
  private readonly cloud: StorageCloud;
  private readonly now: () => number;
  private readonly maxFolders: number;
  private readonly listings = new Map<string, Listing>();
  private readonly inflight = new Map<string, Promise<{ listing: Listing; spent: number }>>();
  private readonly callTimes: number[] = [];
  private total = 0;

  constructor(o: CatalogOptions) {
    this.cloud = o.cloud;
    this.now = o.now ?? Date.now;
    this.maxFolders = o.maxFolders ?? 20_000;
  }

  /** API calls browsing made: this session, and in the last hour. */
  spent(): { session: number; lastHour: number } {
    const cutoff = this.now() - HOUR;
    while (this.callTimes.length > 0 && this.callTimes[0]! <= cutoff) this.callTimes.shift();
    return { session: this.total, lastHour: this.callTimes.length };
  }

  /** Options for one operation that makes several listings: its listing calls are capped together by the budget. */
  operation(o: CallOptions = {}): CallOptions {
    return { ...o, listing: o.listing ?? this.cloud.listingAllowance?.() };
  }

  /** The cached listing of a folder, if any (no call). */
  cached(path: string): Listing | undefined {
    return this.listings.get(path);
  }

  /**
   * The listing of a folder: cached, or listed now (with every ancestor not listed yet). `refresh`
   * asks the service to drop its own listing cache first (delete-cache, 1 call: it shows uploads and
   * results written since) and lists this folder again.
   */
  async list(path: string, o: CallOptions & { refresh?: boolean } = {}): Promise<ListResult> {
    let spent = 0;
    if (o.refresh) {
      await this.counted(() => this.cloud.deleteCache({ priority: o.priority ?? 'user', signal: o.signal }));
      spent += 1;
      this.listings.delete(path);
    }
    const known = this.listings.get(path);
    if (known) return { listing: known, spent, cached: true };
    // one operation's listing calls are capped by the budget (its ancestors included)
    const r = await this.fetch(path, this.operation(o));
    return { listing: r.listing, spent: spent + r.spent, cached: false };
  }

  /** The item at `path` (file or folder), from its parent's listing (listed when needed). */
  async item(path: string, o: CallOptions = {}): Promise<{ item: StorageItem; spent: number }> {
    const parent = storageParent(path);
    if (parent === null) throw new StorageRefused('not-a-folder', storageText.rootIsNotAnItem);
    const r = await this.list(parent, o);
    const item = r.listing.items.find((i) => i.basename === storageBase(path));
    if (!item) throw new StorageRefused('not-found', storageText.notFound(path));
    return { item, spent: r.spent };
  }

  /** Every file and folder below a folder (each level listed once; cached levels cost nothing). */
  async walk(path: string, o: CallOptions = {}): Promise<WalkResult> {
    const out: WalkResult = { files: [], folders: [], refused: [], spent: 0 };
    const seen = new Set<number>();
    // One allowance for the whole walk: a storage that invents a subfolder in every folder ends here.
    const level = this.operation(o);
    const queue = [path];
    for (let next = 0; next < queue.length; next++) {
      const p = queue[next]!;
      const r = await this.list(p, level);
      out.spent += r.spent;
      for (const name of r.listing.refusedNames) out.refused.push(name);
      if (r.listing.folder) seen.add(r.listing.folder.id);
      for (const it of r.listing.items) {
        if (it.type === 'file') {
          out.files.push(it);
        } else if (!seen.has(it.id)) {
          // A reply naming a folder inside itself cannot loop the walk.
          seen.add(it.id);
          out.folders.push(it);
          if (out.folders.length > this.maxFolders) throw new StorageRefused('not-found', storageText.tooManyFolders(path, this.maxFolders));
          queue.push(it.name);
        }
      }
    }
    return out;
  }

  /** Total size of the files below a folder when every level below it is cached; null otherwise. */
  treeSize(path: string): number | null {
    const l = this.listings.get(path);
    if (!l) return null;
    let n = 0;
    for (const it of l.items) {
      if (it.type === 'file') n += it.size ?? 0;
      else {
        const sub = this.treeSize(it.name);
        if (sub === null) return null;
        n += sub;
      }
    }
    return n;
  }

  /** The item at `path` is gone from storage: out of its parent's listing, its own listings forgotten. */
  forget(path: string): void {
    const parent = storageParent(path);
    const pl = parent === null ? undefined : this.listings.get(parent);
    if (pl) this.listings.set(parent!, { ...pl, items: pl.items.filter((i) => i.name !== path) });
    this.invalidate(path);
  }

  /** Forgets the listings of a folder and below (it changed: the next look lists it again). */
  invalidate(path: string): void {
    for (const k of [...this.listings.keys()]) if (k === path || k.startsWith(`${path}/`)) this.listings.delete(k);
  }

  /** Forgets every listing (the next look lists again). */
  clear(): void {
    this.listings.clear();
  }

  private fetch(path: string, o: CallOptions): Promise<{ listing: Listing; spent: number }> {
    const running = this.inflight.get(path);
    if (running) return running.then((r) => ({ listing: r.listing, spent: 0 }));
    const p = this.fetchNow(path, o).finally(() => this.inflight.delete(path));
    this.inflight.set(path, p);
    return p;
  }

  private async fetchNow(path: string, o: CallOptions): Promise<{ listing: Listing; spent: number }> {
    const call: CallOptions = { priority: o.priority ?? 'user', signal: o.signal, listing: o.listing };
    if (path === '') {
      const l = await this.listLevel('', null, call);
      return { listing: l, spent: l.calls };
    }
    const parentPath = storageParent(path)!;
    let spent = 0;
    for (let attempt = 0; ; attempt++) {
      const parentWasCached = this.listings.has(parentPath);
      const parent = await this.list(parentPath, call);
      spent += parent.spent;
      const folder = parent.listing.items.find((i) => i.basename === storageBase(path));
      if (!folder) throw new StorageRefused('not-found', storageText.notFound(path));
      if (folder.type !== 'dir') throw new StorageRefused('not-a-folder', storageText.notAFolder(path));
      try {
        const l = await this.listLevel(path, folder, call);
        return { listing: l, spent: spent + l.calls };
      } catch (e) {
        // A cached id may name a folder deleted (and maybe made again) since: list the parent again, once.
        if (!isNotFound(e) || !parentWasCached || attempt > 0) throw e;
        this.listings.delete(parentPath);
      }
    }
  }

  private async listLevel(path: string, folder: StorageItem | null, call: CallOptions): Promise<Listing> {
    let calls = 0;
    const r = await this.cloud.listChildren(folder?.id, { ...call, onPage: () => { calls++; this.count(); } });
    for (; calls < r.calls; calls++) this.count();
    const items: StorageItem[] = [];
    const refusedNames: string[] = [];
    let refused = 0;
    for (const it of r.items) {
      if (plainName(it.basename) && it.name === joinStorage(path, it.basename)) items.push(it);
      else if (++refused <= 100) refusedNames.push(it.name);
    }
    const listing: Listing = { path, folder, items, refused, refusedNames, listedAt: this.now(), calls };
    this.listings.set(path, listing);
    return listing;
  }

  private count(): void {
    this.total++;
    this.callTimes.push(this.now());
  }

  private async counted<T>(fn: () => Promise<T>): Promise<T> {
    this.count();
    return fn();
  }
}

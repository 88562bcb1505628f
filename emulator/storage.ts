// One API key's storage: a plain directory tree on disk (the truth for what exists) plus metadata
// (ids, creation times) and the listing cache the real service is known to have: listings reflect
// uploads and deletions only after DELETE /user/delete-cache or after the cache lifetime.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { FileDigest } from './types';
import { formatIsoSeconds, joinStorage, storageBasename, storageDirname } from './util';

export interface ItemMeta {
  id: number;
  /** ISO date (simulated clock) when the item was created. */
  created: string;
  /** When a file was last written, on the simulated clock and on the signed-URL clock (ms); absent for files found on disk. */
  writtenSimMs?: number;
  writtenUrlMs?: number;
}

export interface StorageItem {
  id: number;
  name: string;
  basename: string;
  dirname: string;
  type: 'dir' | 'file';
  size: number | '';
  timeCreated?: string;
}

interface Snapshot {
  takenAt: number;
  items: StorageItem[];
  byPath: Map<string, StorageItem>;
  children: Map<string, StorageItem[]>;
}

export class StorageConflictError extends Error {}

export interface StorageContext {
  nextId(): number;
  nowMs(): number;
  /** The signed-URL clock (wall time plus explicit advances). */
  urlNowMs(): number;
  cacheTtlMs: number;
  changed(): void;
}

export class KeyStorage {
  readonly items = new Map<string, ItemMeta>();
  private cache: Snapshot | undefined;
  /** Reverse index id → path, rebuilt lazily after the items change. */
  private byId: Map<number, string> | undefined;

  constructor(
    readonly root: string,
    private readonly ctx: StorageContext,
  ) {}

  abs(path: string): string {
    const p = path === '' ? this.root : join(this.root, ...path.split('/'));
    if (p !== this.root && !p.startsWith(this.root + sep)) throw new Error('path escapes the storage root');
    return p;
  }

  /** Live lookup (not cached): which path does this id name, if this key owns it and it still exists. */
  pathOfId(id: number): string | undefined {
    if (!this.byId) this.byId = new Map([...this.items].map(([p, m]) => [m.id, p]));
    return this.byId.get(id);
  }

  async kindOf(path: string): Promise<'dir' | 'file' | undefined> {
    try {
      const st = await fsp.lstat(this.abs(path));
      return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
    } catch {
      return undefined;
    }
  }

  private ensureMeta(path: string, atMs?: number): ItemMeta {
    let m = this.items.get(path);
    if (!m) {
      m = { id: this.ctx.nextId(), created: formatIsoSeconds(new Date(atMs ?? this.ctx.nowMs())) };
      this.items.set(path, m);
      this.byId = undefined;
      this.ctx.changed();
    }
    return m;
  }

  /** Walks the tree: assigns ids to new items, forgets vanished ones, returns every item. */
  async scan(): Promise<StorageItem[]> {
    const out: StorageItem[] = [];
    const seen = new Set<string>();
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await fsp.readdir(this.abs(dir), { withFileTypes: true });
      } catch {
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const p = joinStorage(dir, e.name);
        if (e.isDirectory()) {
          seen.add(p);
          const m = this.ensureMeta(p);
          out.push({ id: m.id, name: p, basename: e.name, dirname: dir, type: 'dir', size: '' });
          await walk(p);
        } else if (e.isFile()) {
          let size = 0;
          try {
            size = (await fsp.stat(this.abs(p))).size;
          } catch {
            continue;
          }
          seen.add(p);
          const m = this.ensureMeta(p);
          out.push({ id: m.id, name: p, basename: e.name, dirname: dir, type: 'file', size, timeCreated: m.created });
        }
      }
    };
    await walk('');
    for (const p of [...this.items.keys()]) {
      if (!seen.has(p)) {
        this.items.delete(p);
        this.byId = undefined;
        this.ctx.changed();
      }
    }
    return out;
  }

  /** The cached listing, refreshed when invalidated or older than the cache lifetime. */
  async listing(): Promise<Snapshot> {
    const now = this.ctx.nowMs();
    if (this.cache && now - this.cache.takenAt < this.ctx.cacheTtlMs) return this.cache;
    const items = await this.scan();
    const byPath = new Map<string, StorageItem>();
    const children = new Map<string, StorageItem[]>();
    for (const it of items) {
      byPath.set(it.name, it);
      const list = children.get(it.dirname) ?? [];
      list.push(it);
      children.set(it.dirname, list);
    }
    this.cache = { takenAt: now, items, byPath, children };
    return this.cache;
  }

  invalidate(): void {
    this.cache = undefined;
  }

  /** Creates the folders of `dir` (storage path), giving each an id. Throws StorageConflictError when a file is in the way. */
  async mkdirs(dir: string): Promise<void> {
    if (dir === '') return;
    const parts = dir.split('/');
    let cur = '';
    for (const part of parts) {
      cur = joinStorage(cur, part);
      const kind = await this.kindOf(cur);
      if (kind === 'file') throw new StorageConflictError(`"${cur}" is a file, it cannot hold "${storageBasename(dir)}".`);
      if (kind === undefined) {
        await fsp.mkdir(this.abs(cur)).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'EEXIST') throw e;
        });
      }
      this.ensureMeta(cur);
    }
  }

  /** Moves a finished temp file into place (atomic rename), creating intermediate folders. `atMs`: creation time (default now). */
  async commitFile(path: string, tmpFile: string, atMs?: number): Promise<ItemMeta> {
    await this.mkdirs(storageDirname(path));
    if ((await this.kindOf(path)) === 'dir') throw new StorageConflictError(`"${path}" is a folder.`);
    await fsp.rename(tmpFile, this.abs(path));
    const existing = this.items.get(path);
    const m = existing ?? this.ensureMeta(path, atMs);
    m.created = formatIsoSeconds(new Date(atMs ?? this.ctx.nowMs()));
    m.writtenSimMs = atMs ?? this.ctx.nowMs();
    m.writtenUrlMs = this.ctx.urlNowMs();
    this.ctx.changed();
    return m;
  }

  /**
   * A file written less than `ms` ago on both clocks (simulated, and wall time plus advances): the
   * service has not prepared its download link yet. Results written in the simulated past are not fresh.
   */
  isFresh(path: string, ms: number): boolean {
    if (ms <= 0) return false;
    const m = this.items.get(path);
    if (!m || m.writtenSimMs === undefined || m.writtenUrlMs === undefined) return false;
    return this.ctx.nowMs() - m.writtenSimMs < ms && this.ctx.urlNowMs() - m.writtenUrlMs < ms;
  }

  async remove(path: string): Promise<void> {
    await fsp.rm(this.abs(path), { recursive: true, force: true });
    for (const p of [...this.items.keys()]) {
      if (p === path || p.startsWith(`${path}/`)) this.items.delete(p);
    }
    this.byId = undefined;
    this.ctx.changed();
  }

  /** Relative paths of the files under `folder` (no hashing). */
  async filePaths(folder: string): Promise<string[]> {
    const base = this.abs(folder);
    const entries = await fsp.readdir(base, { recursive: true, withFileTypes: true }).catch(() => []);
    return entries
      .filter((e) => e.isFile())
      .map((e) => relative(base, join(e.parentPath, e.name)).split(sep).join('/'))
      .sort();
  }

  /** Files under `folder`, keyed by path relative to it, with size and sha256. */
  async digests(folder: string): Promise<Record<string, FileDigest>> {
    const base = this.abs(folder);
    const out: Record<string, FileDigest> = {};
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.isFile()) {
          const hash = createHash('sha256');
          let size = 0;
          for await (const chunk of createReadStream(full)) {
            hash.update(chunk as Buffer);
            size += (chunk as Buffer).length;
          }
          out[relative(base, full).split(sep).join('/')] = { size, sha256: hash.digest('hex') };
        }
      }
    };
    await walk(base);
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
}

export const SORT_FIELDS = ['name', 'size', 'id', 'basename', 'dirname', 'type', 'timeCreated'] as const;
export type StorageSortField = (typeof SORT_FIELDS)[number];

export function sortItems(items: StorageItem[], field: StorageSortField, dir: 'asc' | 'desc'): StorageItem[] {
  const val = (it: StorageItem): string | number => {
    const v = it[field];
    if (field === 'size') return typeof v === 'number' ? v : 0;
    return v ?? '';
  };
  const sorted = [...items].sort((a, b) => {
    const va = val(a);
    const vb = val(b);
    const c = va < vb ? -1 : va > vb ? 1 : a.id - b.id;
    return dir === 'asc' ? c : -c;
  });
  return sorted;
}

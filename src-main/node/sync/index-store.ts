// The per-project sync index: what we know about every path of the case, locally and in the cloud.
// SQLite (better-sqlite3) in WAL mode with synchronous=FULL: a committed transaction survives a
// kill -9 or a power cut, and an interrupted one leaves no trace. Every remote step (an upload, a
// delete, a pull) is recorded in its own transaction AFTER it succeeded remotely, so a crash at any
// instant repeats at worst the one step that was in flight, never a recorded one.
//
// Used by the push side (this folder) and the pull side (./pull/). Paths are relative to the project
// folder, '/'-separated, never starting with '/' or containing '..'.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { sqliteNativeBinding } from '../shell-policy/native-binding';

/** Who put the current local content there: we pushed it, we pulled it, or it is local only so far. */
export type Origin = 'pushed' | 'pulled' | 'local';

/**
 * How a path is in the cloud storage, derived from the record:
 * - 'file': materialised as a single file in the storage folder (pushed singly, pulled, or extracted by a run);
 * - 'archive': only inside our not-yet-extracted upload.tar.gz;
 * - 'none': not in the cloud as far as we know.
 */
export type CloudState = 'none' | 'archive' | 'file';

export interface PathRecord {
  /** Relative to the project folder, '/'-separated. */
  path: string;
  /** Last settled local state we hashed; null when the file is not present locally (any more). */
  size: number | null;
  mtimeMs: number | null;
  sha256: string | null;
  origin: Origin;
  /** Content hash of the single file materialised in storage at this path (null = none known). */
  storageSha256: string | null;
  /** Content hash of this path inside our current upload.tar.gz (null = not in it, or no archive). */
  archiveSha256: string | null;
  /** Remote metadata last seen by a pull (size and timeCreated of the storage item), to detect cloud-side changes. */
  remoteSize: number | null;
  remoteTime: string | null;
  /** Epoch ms of the last change to this record. */
  updatedAt: number;
}

export interface ArchiveState {
  /** Our upload.tar.gz is in the storage folder (as far as we know). */
  present: boolean;
  uploadedAt: number | null;
  sha256: string | null;
  size: number | null;
  fileCount: number;
  /** A run was seen past extraction (RUNNING) after the upload: its content is materialised in storage. */
  extracted: boolean;
  extractedAt: number | null;
  /** Runs submitted since the upload (each may extract it at any moment). */
  runsSinceUpload: number;
}

/**
 * storageSha256 value for "a file may be materialised here from one of our archives, content
 * unknown" (a run was submitted but not yet seen running). It differs from every real hash, so the
 * path is pushed when it exists locally and deleted from storage when it does not.
 */
export const MAYBE_IN_STORAGE = '?';

export type ActivityKind = 'pushed' | 'pulled' | 'deleted' | 'conflict' | 'snapshot' | 'error' | 'info' | 'refused';

export interface ActivityEntry {
  id: number;
  at: number;
  kind: ActivityKind;
  /** Relative path when the entry is about one path. */
  path: string | null;
  message: string;
}

export function cloudState(r: Pick<PathRecord, 'storageSha256' | 'archiveSha256'>, archive?: Pick<ArchiveState, 'present'>): CloudState {
  if (r.storageSha256) return 'file';
  if (r.archiveSha256 && (archive ? archive.present : true)) return 'archive';
  return 'none';
}

/** What the next simulation start would see at this path: the archive wins over a materialised file. */
export function effectiveCloudSha(r: Pick<PathRecord, 'storageSha256' | 'archiveSha256'>, archive: Pick<ArchiveState, 'present'>): string | null {
  if (archive.present && r.archiveSha256) return r.archiveSha256;
  return r.storageSha256;
}

export function emptyRecord(path: string): PathRecord {
  return { path, size: null, mtimeMs: null, sha256: null, origin: 'local', storageSha256: null, archiveSha256: null, remoteSize: null, remoteTime: null, updatedAt: Date.now() };
}

interface Row {
  path: string;
  size: number | null;
  mtime_ms: number | null;
  sha256: string | null;
  origin: string;
  storage_sha256: string | null;
  archive_sha256: string | null;
  remote_size: number | null;
  remote_time: string | null;
  updated_at: number;
}

function fromRow(r: Row): PathRecord {
  return {
    path: r.path,
    size: r.size,
    mtimeMs: r.mtime_ms,
    sha256: r.sha256,
    origin: r.origin === 'pushed' || r.origin === 'pulled' ? r.origin : 'local',
    storageSha256: r.storage_sha256,
    archiveSha256: r.archive_sha256,
    remoteSize: r.remote_size,
    remoteTime: r.remote_time,
    updatedAt: r.updated_at,
  };
}

const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS paths (
  path TEXT PRIMARY KEY,
  size INTEGER,
  mtime_ms REAL,
  sha256 TEXT,
  origin TEXT NOT NULL DEFAULT 'local',
  storage_sha256 TEXT,
  archive_sha256 TEXT,
  remote_size INTEGER,
  remote_time TEXT,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS archive (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  present INTEGER NOT NULL,
  uploaded_at INTEGER,
  sha256 TEXT,
  size INTEGER,
  file_count INTEGER NOT NULL DEFAULT 0,
  extracted INTEGER NOT NULL DEFAULT 0,
  extracted_at INTEGER,
  runs_since_upload INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS activity (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  path TEXT,
  message TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
`;

/** Activity rows kept per project (older ones are trimmed). */
const ACTIVITY_KEEP = 2000;

export class IndexStore {
  readonly dbPath: string;
  private readonly db: Database.Database;
  private readonly stmts;
  /** Writes through this object; with SQLite's data_version (other connections) it versions the path table. */
  private writes = 0;

  private constructor(dbPath: string, db: Database.Database) {
    this.dbPath = dbPath;
    this.db = db;
    this.stmts = {
      get: db.prepare<[string], Row>('SELECT * FROM paths WHERE path = ?'),
      put: db.prepare(`INSERT INTO paths (path, size, mtime_ms, sha256, origin, storage_sha256, archive_sha256, remote_size, remote_time, updated_at)
        VALUES (@path, @size, @mtimeMs, @sha256, @origin, @storageSha256, @archiveSha256, @remoteSize, @remoteTime, @updatedAt)
        ON CONFLICT(path) DO UPDATE SET size=excluded.size, mtime_ms=excluded.mtime_ms, sha256=excluded.sha256, origin=excluded.origin,
          storage_sha256=excluded.storage_sha256, archive_sha256=excluded.archive_sha256, remote_size=excluded.remote_size,
          remote_time=excluded.remote_time, updated_at=excluded.updated_at`),
      del: db.prepare('DELETE FROM paths WHERE path = ?'),
      all: db.prepare<[], Row>('SELECT * FROM paths ORDER BY path'),
      under: db.prepare<[string, string], Row>('SELECT * FROM paths WHERE path >= ? AND path < ? ORDER BY path'),
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM paths'),
      page: db.prepare<[string, number], Row>('SELECT * FROM paths WHERE path > ? ORDER BY path LIMIT ?'),
      setArchiveHash: db.prepare(`INSERT INTO paths (path, origin, archive_sha256, updated_at) VALUES (@path, 'pushed', @sha, @at)
        ON CONFLICT(path) DO UPDATE SET archive_sha256 = excluded.archive_sha256, updated_at = excluded.updated_at,
          origin = CASE WHEN paths.origin = 'pulled' AND paths.sha256 = excluded.archive_sha256 THEN 'pulled' ELSE 'pushed' END`),
      clearArchiveHashes: db.prepare('UPDATE paths SET archive_sha256 = NULL WHERE archive_sha256 IS NOT NULL'),
      pruneGone: db.prepare('DELETE FROM paths WHERE sha256 IS NULL AND storage_sha256 IS NULL AND archive_sha256 IS NULL'),
      materialise: db.prepare(`UPDATE paths SET storage_sha256 = archive_sha256, updated_at = ?,
          origin = CASE WHEN origin = 'pulled' THEN 'pulled' ELSE 'pushed' END WHERE archive_sha256 IS NOT NULL`),
      getArchive: db.prepare<[], { present: number; uploaded_at: number | null; sha256: string | null; size: number | null; file_count: number; extracted: number; extracted_at: number | null; runs_since_upload: number }>('SELECT * FROM archive WHERE id = 1'),
      putArchive: db.prepare(`INSERT INTO archive (id, present, uploaded_at, sha256, size, file_count, extracted, extracted_at, runs_since_upload)
        VALUES (1, @present, @uploadedAt, @sha256, @size, @fileCount, @extracted, @extractedAt, @runsSinceUpload)
        ON CONFLICT(id) DO UPDATE SET present=excluded.present, uploaded_at=excluded.uploaded_at, sha256=excluded.sha256, size=excluded.size,
          file_count=excluded.file_count, extracted=excluded.extracted, extracted_at=excluded.extracted_at, runs_since_upload=excluded.runs_since_upload`),
      maybeMaterialise: db.prepare(`UPDATE paths SET storage_sha256 = CASE WHEN storage_sha256 = archive_sha256 THEN storage_sha256 ELSE '${MAYBE_IN_STORAGE}' END,
          updated_at = ?, origin = CASE WHEN origin = 'pulled' THEN 'pulled' ELSE 'pushed' END WHERE archive_sha256 IS NOT NULL`),
      addActivity: db.prepare('INSERT INTO activity (at, kind, path, message) VALUES (?, ?, ?, ?)'),
      trimActivity: db.prepare('DELETE FROM activity WHERE id <= (SELECT MAX(id) FROM activity) - ?'),
      activity: db.prepare<[number], { id: number; at: number; kind: string; path: string | null; message: string }>('SELECT * FROM activity ORDER BY id DESC LIMIT ?'),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      delMeta: db.prepare('DELETE FROM meta WHERE key = ?'),
    };
  }

  /** Opens (creating when needed) the index at dbPath. Throws a clear error when the file is not a usable index. */
  static open(dbPath: string): IndexStore {
    if (dbPath !== ':memory:') mkdirSync(dirname(dbPath), { recursive: true });
    // The build for this runtime (Node, or Electron's ABI): see shell-policy/native-binding.ts.
    const db = new Database(dbPath, { nativeBinding: sqliteNativeBinding() });
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new Error(`The sync index ${dbPath} was written by a newer version of cloudHPC Sync (schema ${version}); update the app.`);
      }
      db.exec(SCHEMA);
      const cols = (db.pragma('table_info(archive)') as Array<{ name: string }>).map((c) => c.name);
      if (!cols.includes('runs_since_upload')) db.exec('ALTER TABLE archive ADD COLUMN runs_since_upload INTEGER NOT NULL DEFAULT 0');
      if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
    } catch (err) {
      db.close();
      throw err;
    }
    return new IndexStore(dbPath, db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Changes whenever the path records may have changed: a write through this object or a commit by
   * another connection (SQLite's data_version). Lets the engine keep the records in memory between
   * rescans of an unchanged folder.
   */
  get version(): string {
    return `${this.writes}:${this.db.pragma('data_version', { simple: true }) as number}`;
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /** Runs fn in one transaction (nested calls join the outer one). Everything in it commits together or not at all. */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    return this.db.transaction(fn)();
  }

  get(path: string): PathRecord | undefined {
    const r = this.stmts.get.get(path);
    return r ? fromRow(r) : undefined;
  }

  /** Inserts or replaces the whole record. */
  put(rec: PathRecord): void {
    this.writes++;
    this.stmts.put.run({ ...rec, updatedAt: rec.updatedAt || Date.now() });
  }

  /** Updates some fields of a record, creating it (from emptyRecord) when missing. Returns the new record. */
  patch(path: string, fields: Partial<Omit<PathRecord, 'path'>>): PathRecord {
    const next: PathRecord = { ...(this.get(path) ?? emptyRecord(path)), ...fields, path, updatedAt: Date.now() };
    this.put(next);
    return next;
  }

  delete(path: string): void {
    this.writes++;
    this.stmts.del.run(path);
  }

  /** Every record, ordered by path. */
  all(): PathRecord[] {
    return this.stmts.all.all().map(fromRow);
  }

  /** Every record as a Map keyed by path. */
  map(): Map<string, PathRecord> {
    const m = new Map<string, PathRecord>();
    for (const r of this.stmts.all.iterate()) m.set(r.path, fromRow(r));
    return m;
  }

  /** Records under a folder ('a/b' → 'a/b/...'). */
  under(folder: string): PathRecord[] {
    const prefix = folder.endsWith('/') ? folder : `${folder}/`;
    // '/' + 1 = '0': every path starting with prefix sorts in [prefix, prefix-with-last-char+1).
    const hi = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    return this.stmts.under.all(prefix, hi).map(fromRow);
  }

  /**
   * Every record as a Map, read in pages with a yield to the event loop between them (a 100,000-path
   * index would otherwise block the loop for a noticeable time).
   */
  async mapAsync(pageSize = 5000): Promise<Map<string, PathRecord>> {
    const m = new Map<string, PathRecord>();
    let after = '';
    for (;;) {
      const rows = this.stmts.page.all(after, pageSize);
      for (const r of rows) m.set(r.path, fromRow(r));
      if (rows.length < pageSize) return m;
      after = (rows[rows.length - 1] as Row).path;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Records the content of paths inside our archive (origin becomes 'pushed' unless it is an unchanged pulled file). */
  setArchiveHashes(entries: ReadonlyArray<readonly [string, string]>, at = Date.now()): void {
    this.writes++;
    this.transaction(() => {
      for (const [path, sha] of entries) this.stmts.setArchiveHash.run({ path, sha, at });
    });
  }

  /** Forgets every archive hash (our archive is gone or being replaced). */
  clearArchiveHashes(): void {
    this.writes++;
    this.stmts.clearArchiveHashes.run();
  }

  /** Drops records that are neither local nor in the cloud any more. */
  pruneGone(): void {
    this.writes++;
    this.stmts.pruneGone.run();
  }

  /** A run may extract our archive at any moment: its paths may be materialised (content unknown unless equal). */
  maybeMaterialiseArchive(at = Date.now()): void {
    this.writes++;
    this.stmts.maybeMaterialise.run(at);
  }

  /** A run extracted our archive: every path it holds is now also a file in storage. */
  materialiseArchive(at = Date.now()): void {
    this.writes++;
    this.stmts.materialise.run(at);
  }

  count(): number {
    return this.stmts.count.get()?.n ?? 0;
  }

  // --- our upload.tar.gz in the storage folder ---

  archive(): ArchiveState {
    const r = this.stmts.getArchive.get();
    if (!r) return { present: false, uploadedAt: null, sha256: null, size: null, fileCount: 0, extracted: false, extractedAt: null, runsSinceUpload: 0 };
    return { present: r.present === 1, uploadedAt: r.uploaded_at, sha256: r.sha256, size: r.size, fileCount: r.file_count, extracted: r.extracted === 1, extractedAt: r.extracted_at, runsSinceUpload: r.runs_since_upload };
  }

  setArchive(a: ArchiveState): void {
    this.stmts.putArchive.run({ ...a, present: a.present ? 1 : 0, extracted: a.extracted ? 1 : 0 });
  }

  // --- activity history ---

  addActivity(kind: ActivityKind, message: string, path: string | null = null, at = Date.now()): void {
    this.stmts.addActivity.run(at, kind, path, message);
    this.stmts.trimActivity.run(ACTIVITY_KEEP);
  }

  /** Newest first. */
  activity(limit = 100): ActivityEntry[] {
    return this.stmts.activity.all(limit).map((r) => ({ ...r, kind: r.kind as ActivityKind }));
  }

  // --- small key/value state (e.g. the pull side's last seen simulation, scan timestamps) ---

  getMeta(key: string): string | undefined {
    return this.stmts.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) this.stmts.delMeta.run(key);
    else this.stmts.setMeta.run(key, value);
  }
}

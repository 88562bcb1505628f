// Index writes of a pull, batched: the path records, the conflict rows (with their activity line) of a batch of placed files
// go in one SQLite transaction (one fsync with synchronous=FULL) instead of one per file, and the
// caller may join that transaction with its own writes (the remote file's `seen` state, activity).
// Reads see the pending writes. Safe against a crash: a file placed but not yet recorded is found
// equal to the cloud's at the next pull and recorded then (never overwritten, never re-pushed).
import { emptyRecord, type IndexStore, type PathRecord } from '../index-store';
import { pullText } from './messages';
import type { PullConflict } from './result';

export interface RecordStore {
  get(path: string): PathRecord | undefined;
  patch(path: string, fields: Partial<Omit<PathRecord, 'path'>>): PathRecord;
  addConflict(c: PullConflict): void;
}

export class PendingRecords implements RecordStore {
  private readonly pending = new Map<string, Partial<Omit<PathRecord, 'path'>>>();
  private readonly conflicts: PullConflict[] = [];

  constructor(private readonly index: IndexStore) {}

  get(path: string): PathRecord | undefined {
    const p = this.pending.get(path);
    const base = this.index.get(path);
    return p ? { ...(base ?? emptyRecord(path)), ...p, path } : base;
  }

  patch(path: string, fields: Partial<Omit<PathRecord, 'path'>>): PathRecord {
    this.pending.set(path, { ...this.pending.get(path), ...fields });
    return this.get(path)!;
  }

  addConflict(c: PullConflict): void {
    this.conflicts.push(c);
  }

  /** Writes every pending record and conflict row in one transaction (joining the caller's, if any). */
  flush(): void {
    if (this.pending.size === 0 && this.conflicts.length === 0) return;
    const entries = [...this.pending];
    const conflicts = this.conflicts.splice(0);
    this.index.transaction(() => {
      for (const [path, fields] of entries) this.index.patch(path, fields);
      for (const c of conflicts) {
        this.index.addConflict({ id: c.id, path: c.path, copy: c.copy, code: c.code, at: c.at });
        this.index.addActivity('conflict', pullText.activity.conflict(c), c.path);
      }
    });
    this.pending.clear();
  }
}

// Index writes of a pull, batched: one SQLite transaction (one fsync with synchronous=FULL) per
// batch of placed files instead of one per file. Reads see the pending writes. Safe against a
// crash: a file placed but not yet recorded is found equal to the cloud's at the next pull and
// recorded then (never overwritten, never re-pushed as a change).
import { emptyRecord, type IndexStore, type PathRecord } from '../index-store';

export type RecordStore = Pick<IndexStore, 'get' | 'patch'>;

export class PendingRecords implements RecordStore {
  private readonly pending = new Map<string, Partial<Omit<PathRecord, 'path'>>>();

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

  get size(): number {
    return this.pending.size;
  }

  /** Writes every pending record in one transaction. */
  flush(): void {
    if (this.pending.size === 0) return;
    const entries = [...this.pending];
    this.index.transaction(() => {
      for (const [path, fields] of entries) this.index.patch(path, fields);
    });
    this.pending.clear();
  }
}

// Run insights kept in the app data folder (`<app data>/insight/<id>.json`), so the plots survive
// an app restart. Each write is atomic (temp + fsync + rename); a file that does not parse is moved
// aside as `<id>.json.bad` and treated as absent, never trusted. Only the newest `keep` runs stay.

import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../../project/atomic-write';
import { RunInsight, type RunInsightOptions } from './run-insight';

/** A saved insight larger than this is not read (a series store is bounded far below it). */
const MAX_FILE_BYTES = 8 * 1024 * 1024;

export class InsightFiles {
  readonly dir: string;

  constructor(appDataDir: string, private readonly keep = 200) {
    this.dir = join(appDataDir, 'insight');
  }

  private file(id: number): string {
    if (!Number.isSafeInteger(id) || id < 0) throw new Error(`Not a simulation id: ${id}`);
    return join(this.dir, `${id}.json`);
  }

  save(insight: RunInsight): void {
    writeFileAtomicSync(this.file(insight.id), JSON.stringify(insight.toJSON()));
    this.prune();
  }

  /** The saved insight of a run, or null (never saved, unreadable, or from an unknown version). */
  load(id: number, o: Pick<RunInsightOptions, 'thresholds' | 'seriesCap'> = {}): RunInsight | null {
    const f = this.file(id);
    if (!existsSync(f)) return null;
    try {
      if (statSync(f).size > MAX_FILE_BYTES) throw new Error('too large');
      return RunInsight.fromJSON(JSON.parse(readFileSync(f, 'utf8')), o);
    } catch {
      try { renameSync(f, `${f}.bad`); } catch { /* leave it */ }
      return null;
    }
  }

  remove(id: number): void {
    rmSync(this.file(id), { force: true });
  }

  /** Ids with a saved insight, newest first. */
  ids(): number[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .map((n) => /^(\d+)\.json$/.exec(n)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => b - a);
  }

  private prune(): void {
    for (const id of this.ids().slice(this.keep)) this.remove(id);
  }
}

// What a download from the storage hands back (typed, as a pull does), and its progress: files and
// bytes of the whole transfer, a rate and an ETA, from the pull's per-file progress.
import type { PullProgress, PullResult } from '../sync/pull';
import { ProgressMeter, type TransferProgress } from '../sync/progress';

export interface TransferResult {
  /** The local folder the files went to. */
  dest: string;
  /** Remote files downloaded (paths relative to `dest`). */
  downloaded: string[];
  /** Files written in `dest` (single files and archive members), relative to it. */
  written: string[];
  /** A local file that differs was kept; the cloud version went beside it (`copy`). Paths relative to `dest`. */
  conflicts: PullResult['conflicts'];
  /** Names that would leave the destination, or that this file system cannot hold: not written. */
  refused: PullResult['refused'];
  failed: PullResult['failed'];
  warnings: PullResult['warnings'];
  /** Files already there with the same content. */
  upToDate: number;
  /** Bytes downloaded. */
  bytes: number;
  /** API calls the transfer made (one per file downloaded). */
  apiCalls: number;
}

export interface StorageProgress extends TransferProgress {
  phase: 'downloading' | 'extracting' | 'pushing' | 'deleting';
  /** The file being handled (relative to the destination). */
  current: string | null;
}

export function emptyTransfer(dest: string): TransferResult {
  return { dest, downloaded: [], written: [], conflicts: [], refused: [], failed: [], warnings: [], upToDate: 0, bytes: 0, apiCalls: 0 };
}

/** Adds one pull (of files that went under `prefix` in the destination) to a transfer's result. */
export function addPull(into: TransferResult, r: PullResult, prefix: string, sizeOf: (rel: string) => number): void {
  const p = (rel: string): string => prefix + rel;
  // one by one: a download of 100,000 files must not spread its lists into push (call stack)
  for (const x of r.downloaded) into.downloaded.push(p(x));
  for (const x of r.written) into.written.push(p(x));
  for (const c of r.conflicts) into.conflicts.push({ ...c, path: p(c.path), copy: p(c.copy) });
  for (const x of r.refused) into.refused.push(x.source === 'storage' ? { ...x, name: p(x.name) } : { ...x, archive: x.archive === null ? null : p(x.archive) });
  for (const f of r.failed) into.failed.push({ ...f, name: p(f.name) });
  for (const w of r.warnings) into.warnings.push({ ...w, archive: p(w.archive) });
  into.upToDate += r.upToDate;
  into.apiCalls += r.apiCalls;
  for (const rel of r.downloaded) into.bytes += sizeOf(rel);
}

/** Turns the per-file progress of several pulls into one progress of the whole transfer. */
export class TransferMeter {
  private readonly meter: ProgressMeter;
  private current: { key: string; size: number } | null = null;
  private phase: StorageProgress['phase'] = 'downloading';
  private shown: string | null = null;

  constructor(files: number, bytes: number, private readonly emit: (p: StorageProgress) => void) {
    this.meter = new ProgressMeter(files, bytes);
  }

  /** A pull's progress (its files named under `prefix`). */
  pull(prefix: string, p: PullProgress): void {
    if (p.phase === 'looking') return;
    if (p.phase === 'done') {
      this.finishCurrent();
      return;
    }
    const key = `${prefix}${p.file ?? ''}`;
    if (this.current?.key !== key) {
      this.finishCurrent();
      this.current = { key, size: p.total ?? 0 };
    }
    if (p.bytes !== undefined) this.meter.partial(key, p.bytes);
    this.step(p.phase === 'extracting' ? 'extracting' : 'downloading', key);
  }

  /** One file of our own (an input archive) moved `bytes` of `size`. */
  file(key: string, bytes: number, size: number, phase: StorageProgress['phase'] = 'downloading'): void {
    if (this.current?.key !== key) {
      this.finishCurrent();
      this.current = { key, size };
    }
    this.meter.partial(key, bytes);
    this.step(phase, key);
  }

  /** A step without bytes (pushing the replacement archive, deleting). */
  step(phase: StorageProgress['phase'], current: string | null): void {
    this.phase = phase;
    this.shown = current;
    this.emit({ ...this.meter.snapshot(), phase: this.phase, current: this.shown });
  }

  finishCurrent(): void {
    if (!this.current) return;
    this.meter.fileDone(this.current.key, this.current.size);
    this.current = null;
    this.emit({ ...this.meter.snapshot(), phase: this.phase, current: this.shown });
  }
}

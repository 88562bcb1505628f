// Transfer progress: files and bytes done of total, a smoothed rate and the ETA it implies.

export interface TransferProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Bytes per second over the last few seconds. */
  rate: number;
  /** Seconds left at the current rate; null while unknown. */
  etaSeconds: number | null;
}

const WINDOW_MS = 5000;

export class ProgressMeter {
  private filesDone = 0;
  private bytesDone = 0;
  /** Bytes of transfers still in flight (not yet counted in bytesDone). */
  private readonly inflight = new Map<string, number>();
  private readonly samples: Array<[number, number]> = [];

  constructor(
    private readonly filesTotal: number,
    private readonly bytesTotal: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A transfer of `key` has moved `bytes` so far. */
  partial(key: string, bytes: number): void {
    this.inflight.set(key, bytes);
    this.sample();
  }

  /** A file is done (its bytes are final; a retry that restarted is not double counted). */
  fileDone(key: string, bytes: number): void {
    this.inflight.delete(key);
    this.filesDone++;
    this.bytesDone += bytes;
    this.sample();
  }

  /** A transfer failed: its partial bytes no longer count. */
  fileFailed(key: string): void {
    this.inflight.delete(key);
    this.sample();
  }

  private total(): number {
    let n = this.bytesDone;
    for (const b of this.inflight.values()) n += b;
    return n;
  }

  private sample(): void {
    const t = this.now();
    this.samples.push([t, this.total()]);
    while (this.samples.length > 2 && (this.samples[0] as [number, number])[0] < t - WINDOW_MS) this.samples.shift();
  }

  snapshot(): TransferProgress {
    const done = Math.min(this.total(), this.bytesTotal);
    let rate = 0;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (first && last && last[0] > first[0]) rate = Math.max(0, ((last[1] - first[1]) * 1000) / (last[0] - first[0]));
    const left = this.bytesTotal - done;
    const etaSeconds = left <= 0 ? 0 : rate > 0 ? Math.ceil(left / rate) : null;
    return { filesDone: this.filesDone, filesTotal: this.filesTotal, bytesDone: done, bytesTotal: this.bytesTotal, rate: Math.round(rate), etaSeconds };
  }
}

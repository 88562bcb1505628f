// Time for the tracker and the controls: the real clock in the app, a manual one in tests and
// benchmarks (driven in step with the emulator's simulated clock, so nothing sleeps).

export interface Scheduler {
  now(): number;
  /** Runs fn after ms; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

export function realScheduler(opts: { unref?: boolean } = {}): Scheduler {
  return {
    now: () => Date.now(),
    after(ms, fn) {
      const t = setTimeout(fn, Math.max(0, ms));
      if (opts.unref) t.unref?.();
      return () => clearTimeout(t);
    },
  };
}

interface ManualTimer { at: number; seq: number; fn: () => void }

/** A clock that moves only when told to; timers run in time order. */
export class ManualScheduler implements Scheduler {
  private t: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  constructor(start = Date.UTC(2026, 0, 5, 8, 0, 0)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const timer: ManualTimer = { at: this.t + Math.max(0, ms), seq: ++this.seq, fn };
    this.timers.push(timer);
    return () => { this.timers = this.timers.filter((x) => x !== timer); };
  }

  /** When the next timer is due, or null when none is set. */
  nextDue(): number | null {
    if (this.timers.length === 0) return null;
    return Math.min(...this.timers.map((x) => x.at));
  }

  pending(): number {
    return this.timers.length;
  }

  /** Moves the clock to the next timer and runs it (and any due at the same time). Returns false when none. */
  runNext(): boolean {
    const due = this.nextDue();
    if (due === null) return false;
    this.advanceTo(due);
    return true;
  }

  /** Moves the clock to `at`, running every timer due by then in order. */
  advanceTo(at: number): void {
    for (;;) {
      const ready = this.timers.filter((x) => x.at <= at).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!ready) break;
      this.timers = this.timers.filter((x) => x !== ready);
      this.t = Math.max(this.t, ready.at);
      ready.fn();
    }
    this.t = Math.max(this.t, at);
  }
}

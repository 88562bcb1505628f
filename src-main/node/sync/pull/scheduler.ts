// When to pull a project:
// - on a terminal simulation status: pull once, now;
// - after a SYNC request: partial results reach the storage minutes later, so pull at each step of
//   a schedule (default 2, 5 and 10 minutes after the request) until a pull brings something new;
// - on demand.
// Pulls of one project never overlap: a request during a pull runs once after it (requests coalesce).
// Time comes from an injected clock (the app: real timers; tests: the emulator's simulated clock).
import type { PullResult } from './pull';

export interface TimerHandle {
  cancel(): void;
}

export interface SchedulerClock {
  now(): number;
  setTimer(fn: () => void, ms: number): TimerHandle;
}

export const realClock: SchedulerClock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

export type PullReason = 'terminal' | 'sync-retry' | 'demand';

export interface PullSchedulerOptions {
  pull: (reason: PullReason, signal: AbortSignal) => Promise<PullResult>;
  clock?: SchedulerClock;
  /** Minutes after a SYNC request at which to pull (default [2, 5, 10]). */
  afterSyncMinutes?: number[];
  onResult?: (r: PullResult, reason: PullReason) => void;
  onError?: (e: unknown, reason: PullReason) => void;
}

/** Something new arrived from the cloud (a remote file we had not pulled yet). */
export function broughtNew(r: PullResult): boolean {
  return r.downloaded.length > 0;
}

export class PullScheduler {
  private readonly clock: SchedulerClock;
  private readonly schedule: number[];
  private timers: TimerHandle[] = [];
  private syncDue: number[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private queued: { reason: PullReason; promise: Promise<PullResult> } | null = null;
  private abort = new AbortController();
  private stopped = false;

  constructor(private readonly opts: PullSchedulerOptions) {
    this.clock = opts.clock ?? realClock;
    this.schedule = opts.afterSyncMinutes ?? [2, 5, 10];
  }

  /** A SYNC was requested: pull at each step of the schedule until new results appear. */
  afterSync(): void {
    if (this.stopped) return;
    this.cancelRetries();
    const start = this.clock.now();
    this.syncDue = this.schedule.map((m) => start + m * 60_000);
    for (const m of this.schedule) {
      this.timers.push(
        this.clock.setTimer(() => {
          void this.request('sync-retry').then(
            (r) => {
              if (broughtNew(r)) this.cancelRetries();
            },
            () => undefined,
          );
        }, m * 60_000),
      );
    }
  }

  /** A simulation of the project reached a terminal status: pull once now (pending SYNC retries are dropped). */
  onTerminal(): Promise<PullResult> {
    this.cancelRetries();
    return this.request('terminal');
  }

  /** The person asked for a pull. */
  pullNow(): Promise<PullResult> {
    return this.request('demand');
  }

  /** Epoch ms of the next scheduled SYNC retry, or null. */
  nextRetryAt(): number | null {
    const now = this.clock.now();
    return this.syncDue.find((t) => t > now) ?? null;
  }

  /** Cancels the schedule and aborts a pull in progress. */
  stop(): void {
    this.stopped = true;
    this.cancelRetries();
    this.abort.abort(new Error('pull scheduler stopped'));
  }

  private cancelRetries(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
    this.syncDue = [];
  }

  private request(reason: PullReason): Promise<PullResult> {
    if (this.stopped) return Promise.reject(new Error('pull scheduler stopped'));
    // A pull already waiting to start covers this request too.
    if (this.queued) return this.queued.promise;
    const promise = this.tail.then(async () => {
      this.queued = null;
      try {
        const r = await this.opts.pull(reason, this.abort.signal);
        this.opts.onResult?.(r, reason);
        return r;
      } catch (e) {
        this.opts.onError?.(e, reason);
        throw e;
      }
    });
    this.queued = { reason, promise };
    this.tail = promise.catch(() => undefined);
    return promise;
  }
}

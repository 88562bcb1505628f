// When a project's results are pulled: the one pull scheduler.
// - A run ended: pull once, now (pending SYNC pulls of the project are dropped: this pull covers them).
// - A SYNC was requested: the partial results reach the storage minutes later, so pull at each delay
//   (default 3, 6 and 10 minutes) and stop at the first pull that brought new results.
// - The person asked: pull now. Clicks are coalesced: a request while a like pull runs or waits joins
//   it, and a pull asked again within a minute of the last one the person asked goes at background
//   priority (it waits for the budget above the reserve instead of spending the reserve).
// Pulls of one project never overlap, and a request while one is waiting to start joins it. Any pull
// that brings new results also ends the project's SYNC schedule. Time comes from the injected
// Scheduler (real timers in the app and the CLI; a manual clock in tests).
import type { Scheduler } from '../simulation/scheduler';
import type { PullRequest } from '../sync/engine';
import { broughtNew, type PullResult } from '../sync/pull';

export type PullReason = 'run-ended' | 'after-sync' | 'user';

export const DEFAULT_SYNC_PULL_DELAYS_MS = [3 * 60_000, 6 * 60_000, 10 * 60_000];
/** A pull the person asks again within this time of the last one is not urgent: no reserve for it. */
const USER_REPEAT_MS = 60_000;

export interface ResultsScheduleOptions {
  scheduler: Scheduler;
  /** One pull of the project (the workspace's: typed result, events). */
  pull: (projectId: string, reason: PullReason, request: PullRequest) => Promise<PullResult>;
  /** After a SYNC, pull at these delays (ms) until one brings new results. */
  afterSyncMs?: number[];
  /** A scheduled pull failed (the next one still runs). */
  onError?: (projectId: string, error: unknown) => void;
}

interface ProjectQueue {
  tail: Promise<unknown>;
  /** The pull waiting to start, and whether it pulls everything (a request joins only a like one). */
  waiting: { promise: Promise<PullResult>; everything: boolean } | null;
  running: number;
  /** The pull in flight (a person's request joins it when it is alike). */
  current: { promise: Promise<PullResult>; everything: boolean } | null;
  /** When the person's last pull ended (scheduler ms), null before any. */
  lastUserEnd: number | null;
  /** Cancels of the SYNC pulls still to come, and when they are due. */
  timers: { at: number; cancel: () => void }[];
  idle: (() => void)[];
}

export class ResultsSchedule {
  private readonly delays: number[];
  private readonly queues = new Map<string, ProjectQueue>();
  private closed = false;

  constructor(private readonly o: ResultsScheduleOptions) {
    this.delays = o.afterSyncMs ?? DEFAULT_SYNC_PULL_DELAYS_MS;
  }

  private queue(projectId: string): ProjectQueue {
    let q = this.queues.get(projectId);
    if (!q) {
      q = { tail: Promise.resolve(), waiting: null, running: 0, current: null, lastUserEnd: null, timers: [], idle: [] };
      this.queues.set(projectId, q);
    }
    return q;
  }

  /** A SYNC of a run of this project went through: returns when its pulls are due (scheduler ms). */
  afterSync(projectId: string): number[] {
    if (this.closed) return [];
    const q = this.queue(projectId);
    this.cancelSync(q);
    const now = this.o.scheduler.now();
    for (const ms of this.delays) {
      const t = {
        at: now + ms,
        cancel: this.o.scheduler.after(ms, () => {
          q.timers = q.timers.filter((x) => x !== t);
          this.request(projectId, 'after-sync').catch((e: unknown) => this.o.onError?.(projectId, e));
        }),
      };
      q.timers.push(t);
    }
    return q.timers.map((t) => t.at);
  }

  /** A run of this project ended: one pull now. */
  runEnded(projectId: string): Promise<PullResult> {
    this.cancelSync(this.queue(projectId));
    return this.request(projectId, 'run-ended');
  }

  /** The person asked for a pull (`everything`: this pull only, not the saved setting). */
  pullNow(projectId: string, request: PullRequest = {}): Promise<PullResult> {
    return this.request(projectId, 'user', request);
  }

  /** When the project's next scheduled pull is due, or null. */
  nextPullAt(projectId: string): number | null {
    const at = (this.queues.get(projectId)?.timers ?? []).map((t) => t.at);
    return at.length ? Math.min(...at) : null;
  }

  /** Resolves once the project has no pull running, waiting or scheduled (e.g. `sync --pull` exits then). */
  idle(projectId: string): Promise<void> {
    const q = this.queue(projectId);
    if (this.isIdle(q)) return Promise.resolve();
    return new Promise((resolve) => q.idle.push(resolve));
  }

  /** Drops every scheduled pull (pulls in flight finish; the engine's close cancels them). */
  close(): void {
    this.closed = true;
    for (const q of this.queues.values()) {
      this.cancelSync(q);
      this.wake(q);
    }
  }

  private isIdle(q: ProjectQueue): boolean {
    return q.running === 0 && q.waiting === null && q.timers.length === 0;
  }

  private wake(q: ProjectQueue): void {
    if (!this.isIdle(q) && !this.closed) return;
    for (const r of q.idle.splice(0)) r();
  }

  private cancelSync(q: ProjectQueue): void {
    for (const t of q.timers.splice(0)) t.cancel();
  }

  private request(projectId: string, reason: PullReason, request: PullRequest = {}): Promise<PullResult> {
    if (this.closed) return Promise.reject(new Error('The results schedule is closed.'));
    const q = this.queue(projectId);
    const everything = request.everything ?? false;
    // A like pull already waiting to start covers this request too; so does one running, for the person.
    if (q.waiting && q.waiting.everything === everything) return q.waiting.promise;
    if (reason === 'user' && q.current && q.current.everything === everything) return q.current.promise;
    const now = this.o.scheduler.now();
    const repeated = reason === 'user' && q.lastUserEnd !== null && now - q.lastUserEnd < USER_REPEAT_MS;
    const priority = request.priority ?? (reason === 'user' && !repeated ? 'user' : 'background');
    const p: Promise<PullResult> = q.tail.then(async () => {
      if (q.waiting?.promise === p) q.waiting = null;
      q.running++;
      q.current = { promise: p, everything };
      try {
        const r = await this.o.pull(projectId, reason, { ...request, priority });
        // New results arrived: the SYNC they answer needs no further pull.
        if (broughtNew(r)) this.cancelSync(q);
        return r;
      } finally {
        if (q.current?.promise === p) q.current = null;
        if (reason === 'user') q.lastUserEnd = this.o.scheduler.now();
        q.running--;
        this.wake(q);
      }
    });
    q.waiting = { promise: p, everything };
    q.tail = p.catch(() => undefined);
    return p;
  }
}

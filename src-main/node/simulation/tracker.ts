// Tracks the user's simulations within the API call budget.
//
// - One index-short call (page 1, newest first) per poll covers every simulation; view-short is
//   spent only on the one simulation the user is watching.
// - Polls only while a simulation is active (pending, running, stopping); refresh() looks once.
// - The interval comes from the call budget: tracking never spends more than `share` (default a
//   third) of the hourly limit in any sliding hour; unwatched polling uses half of that share,
//   watching uses all of it; hidden window or a low budget stretch the interval four times.
// - Every call has background priority: when only the user's reserve is left, polls wait.
// - Status changes become events; a terminal status is diagnosed from the log (view/{id}, one
//   call), reported as 'finished' ("completed with errors" when the log shows a failure), and
//   triggers the pull callback.
// - Simulations started elsewhere on a known project folder are picked up ('discovered').

import { ACTIVE_STATUSES, SimStatus, TERMINAL_STATUSES, type BudgetState, type CallOptions, type Simulation } from '../api/types';
import { errorText } from '../sync/cloud-port';
import { diagnose, outcome, type Diagnosis, type Outcome } from './diagnosis';
import { realScheduler, type Scheduler } from './scheduler';

export interface TrackerClient {
  indexShort(page?: number, field?: string, order?: 'asc' | 'desc', o?: CallOptions): Promise<Simulation[]>;
  viewShort(id: number, o?: CallOptions): Promise<Simulation>;
  view(id: number, o?: CallOptions): Promise<Simulation>;
  readonly budget: { state(): BudgetState };
}

export interface StatusChange {
  simulation: Simulation;
  /** null when the simulation was first seen (launched here or discovered). */
  from: number | null;
  to: number;
}

export interface Finished {
  simulation: Simulation;
  outcome: Outcome;
  diagnoses: Diagnosis[];
  /**
   * False when the log could not be read yet (no room left in the tracking share this hour): the
   * pull goes ahead at once, and a 'diagnosed' event brings the diagnosis once the log is read.
   */
  diagnosed: boolean;
}

export interface TrackerEvents {
  status: StatusChange;
  discovered: Simulation;
  /** Once per run that ends. */
  finished: Finished;
  /** The diagnosis of a run whose 'finished' came without one (the log read had to wait). */
  diagnosed: Finished;
  /** A poll, diagnosis or pull failed; tracking goes on. */
  error: { message: string; error: unknown };
  /** After every poll: the simulations known now. */
  update: Simulation[];
}

export interface TrackerOptions {
  client: TrackerClient;
  scheduler?: Scheduler;
  /** Share of the hourly limit tracking may use; default 1/3. */
  share?: number;
  /** Assumed hourly limit while the service has not said (the free plan's); default 100. */
  assumedHourlyLimit?: number;
  /** Folders of the user's projects: simulations started elsewhere on them are picked up. Default: every folder. */
  isKnownFolder?: (folder: string) => boolean;
  /** Called on every terminal status (pull the results). */
  onTerminal?: (f: Finished) => Promise<void> | void;
  /** Read the log of a finished simulation to diagnose it (1 call each). Default true. */
  diagnoseFinished?: boolean;
  minIntervalMs?: number;
  maxIntervalMs?: number;
  /** Pages of index-short read at most per poll when a tracked simulation is not on page 1. Default 3. */
  maxPages?: number;
}

export interface IntervalInput {
  /** null = not known yet; 0 = no limit. */
  hourlyLimit: number | null;
  hourlyLeft: number;
  share: number;
  assumedHourlyLimit: number;
  watched: boolean;
  hidden: boolean;
  minMs: number;
  maxMs: number;
}

const HOUR = 3_600_000;
/** While watching, index-short runs on one poll in this many (view-short on every poll). */
const INDEX_EVERY_WATCHED = 3;

/** Milliseconds between polls. Pure; see the header for the rules. */
export function pollInterval(i: IntervalInput): number {
  const limit = i.hourlyLimit === null ? i.assumedHourlyLimit : i.hourlyLimit;
  let ms: number;
  if (limit === 0) {
    ms = i.watched ? i.minMs : i.minMs * 2;
  } else {
    const trackingPerHour = i.share * limit;
    // unwatched: 1 call per poll at half the share; watched: (N + 1) calls per N polls at the full share
    const pollsPerHour = i.watched ? (trackingPerHour * INDEX_EVERY_WATCHED) / (INDEX_EVERY_WATCHED + 1) : trackingPerHour / 2;
    ms = HOUR / Math.max(pollsPerHour, 1e-6);
  }
  if (i.hidden) ms *= 4;
  if (limit > 0 && i.hourlyLeft !== Infinity && i.hourlyLeft < limit * 0.2) ms *= 4;
  return Math.round(Math.min(Math.max(ms, i.minMs), i.maxMs));
}

type Listener<T> = (v: T) => void;

export class SimulationTracker {
  private readonly client: TrackerClient;
  private readonly sched: Scheduler;
  private share: number;
  private readonly assumedLimit: number;
  private readonly isKnownFolder: (folder: string) => boolean;
  private readonly onTerminal?: (f: Finished) => Promise<void> | void;
  private readonly diagnoseFinished: boolean;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly maxPages: number;

  private readonly sims = new Map<number, Simulation>();
  /** Launched here, not seen in a listing yet. */
  private readonly expected = new Set<number>();
  private readonly finishedIds = new Set<number>();
  private readonly callTimes: number[] = [];
  private watchedId: number | null = null;
  private hidden = false;
  private cancelTimer: (() => void) | null = null;
  private nextAt: number | null = null;
  private polling: Promise<void> | null = null;
  private pollCount = 0;
  private failures = 0;
  private stopped = false;
  private abort = new AbortController();
  private readonly side = new Set<Promise<void>>();
  private readonly listeners: { [K in keyof TrackerEvents]: Set<Listener<TrackerEvents[K]>> } = {
    status: new Set(), discovered: new Set(), finished: new Set(), diagnosed: new Set(), error: new Set(), update: new Set(),
  };

  constructor(o: TrackerOptions) {
    this.client = o.client;
    this.sched = o.scheduler ?? realScheduler();
    this.share = o.share ?? 1 / 3;
    this.assumedLimit = o.assumedHourlyLimit ?? 100;
    this.isKnownFolder = o.isKnownFolder ?? (() => true);
    this.onTerminal = o.onTerminal;
    this.diagnoseFinished = o.diagnoseFinished ?? true;
    this.minMs = o.minIntervalMs ?? 30_000;
    this.maxMs = o.maxIntervalMs ?? 15 * 60_000;
    this.maxPages = o.maxPages ?? 3;
  }

  on<K extends keyof TrackerEvents>(event: K, fn: Listener<TrackerEvents[K]>): () => void {
    this.listeners[event].add(fn);
    return () => this.listeners[event].delete(fn);
  }

  /** Simulations known now, newest first. */
  list(): Simulation[] {
    return [...this.sims.values()].sort((a, b) => b.id - a.id);
  }

  get(id: number): Simulation | undefined {
    return this.sims.get(id);
  }

  /** A simulation launched here: tracked from now on, even before a listing shows it. */
  track(sim: Simulation | number): void {
    const s = typeof sim === 'number' ? null : sim;
    const id = typeof sim === 'number' ? sim : sim.id;
    if (s) this.sims.set(id, s);
    else if (!this.sims.has(id)) this.expected.add(id);
    this.finishedIds.delete(id);
    this.reschedule();
  }

  /**
   * Runs seen by a call made elsewhere (a launch's user-priority check of the folder): taken as if
   * this tracker had listed them, so a run that ended unseen ends here too, with its events.
   */
  observe(list: Simulation[]): void {
    this.apply(list);
    this.reschedule();
  }

  /** The user looks at one simulation (null: at none): it is polled faster with view-short. */
  watch(id: number | null): void {
    this.watchedId = id;
    this.reschedule();
  }

  /** The share of the hourly limit tracking may use changed (a setting): applies from the next poll on. */
  setShare(share: number): void {
    this.share = share;
    this.reschedule();
  }

  /** The window is hidden (or minimised): polls back off. */
  setHidden(hidden: boolean): void {
    this.hidden = hidden;
    this.reschedule();
  }

  /** One poll now (e.g. at start, or when the user asks); the regular schedule follows if something is active. */
  refresh(): Promise<void> {
    return this.pollNow(true);
  }

  /**
   * Resolves when no poll, log read or pull of this tracker is running (work parked until the
   * clock moves, like a log read waiting for room in the hour, does not count).
   */
  async settled(): Promise<void> {
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      const pending = [this.polling, ...this.side].filter((p): p is Promise<void> => p !== null);
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  }

  /** True while a poll is scheduled. */
  isPolling(): boolean {
    return this.cancelTimer !== null;
  }

  /** When the next poll is due (scheduler ms), or null. */
  nextPollAt(): number | null {
    return this.nextAt;
  }

  /** Calls this tracker made in the last hour. */
  callsLastHour(): number {
    this.pruneCalls();
    return this.callTimes.length;
  }

  close(): void {
    this.stopped = true;
    this.abort.abort();
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.nextAt = null;
    for (const w of [...this.roomWaiters]) w();
  }

  // ---- internals

  private emit<K extends keyof TrackerEvents>(event: K, v: TrackerEvents[K]): void {
    for (const fn of this.listeners[event]) {
      try { fn(v); } catch { /* a listener's failure is its own */ }
    }
  }

  private active(): boolean {
    if (this.expected.size > 0) return true;
    for (const s of this.sims.values()) if (ACTIVE_STATUSES.includes(s.status) && this.isTracked(s)) return true;
    return false;
  }

  private isTracked(s: Simulation): boolean {
    return this.isKnownFolder(s.folder) || this.expected.has(s.id) || s.id === this.watchedId;
  }

  private hourlyCap(): number {
    const st = this.client.budget.state();
    const limit = st.known ? st.hourlyLimit : this.assumedLimit;
    return limit === 0 ? Infinity : Math.max(1, Math.floor(limit * this.share));
  }

  private pruneCalls(): void {
    const cutoff = this.sched.now() - HOUR;
    while (this.callTimes.length > 0 && this.callTimes[0]! <= cutoff) this.callTimes.shift();
  }

  /** Room for `n` more calls in the sliding hour; else when there will be. */
  private roomAt(n: number): number {
    this.pruneCalls();
    const cap = this.hourlyCap();
    if (this.callTimes.length + n <= cap) return this.sched.now();
    const idx = this.callTimes.length + n - cap - 1;
    return (this.callTimes[idx] ?? this.sched.now()) + HOUR + 1;
  }

  private interval(): number {
    const st = this.client.budget.state();
    const watched = this.watchedId !== null && ACTIVE_STATUSES.includes(this.sims.get(this.watchedId)?.status ?? SimStatus.PENDING);
    let ms = pollInterval({
      hourlyLimit: st.known ? st.hourlyLimit : null,
      hourlyLeft: st.hourlyLeft,
      share: this.share,
      assumedHourlyLimit: this.assumedLimit,
      watched,
      hidden: this.hidden,
      minMs: this.minMs,
      maxMs: this.maxMs,
    });
    if (this.failures > 0) ms = Math.min(ms * 2 ** Math.min(this.failures, 4), this.maxMs * 2);
    return ms;
  }

  private reschedule(): void {
    if (this.stopped) return;
    if (this.polling) return; // the running poll schedules the next one when it ends
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.nextAt = null;
    if (!this.active()) return;
    const at = Math.max(this.sched.now() + this.interval(), this.roomAt(1));
    this.nextAt = at;
    this.cancelTimer = this.sched.after(at - this.sched.now(), () => {
      this.cancelTimer = null;
      this.nextAt = null;
      void this.pollNow(false);
    });
  }

  private pollNow(forced: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.polling) return this.polling;
    if (!forced && !this.active()) return Promise.resolve();
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.nextAt = null;
    const p = this.poll().finally(() => {
      this.polling = null;
      this.reschedule();
    });
    this.polling = p;
    return p;
  }

  private opts(): CallOptions {
    return { priority: 'background', signal: this.abort.signal };
  }

  private async poll(): Promise<void> {
    this.pollCount++;
    const watched = this.watchedId !== null ? this.sims.get(this.watchedId) : undefined;
    const watchActive = this.watchedId !== null && (!watched || ACTIVE_STATUSES.includes(watched.status));
    // while watching, index-short runs on one poll in INDEX_EVERY_WATCHED (the others see changes later)
    const needIndex = !watchActive || this.pollCount % INDEX_EVERY_WATCHED === 1 || this.expected.size > 0;
    try {
      // the share is a hard cap, also for a forced refresh
      if (needIndex && this.roomAt(1) <= this.sched.now()) await this.pollIndex();
      if (watchActive && this.watchedId !== null && this.roomAt(1) <= this.sched.now()) {
        const cur = this.sims.get(this.watchedId);
        if (!cur || ACTIVE_STATUSES.includes(cur.status)) {
          this.callTimes.push(this.sched.now());
          const s = await this.client.viewShort(this.watchedId, this.opts());
          this.apply([s]);
        }
      }
      this.failures = 0;
    } catch (e) {
      if (this.stopped) return;
      this.failures++;
      this.emit('error', { message: `Could not read the simulations: ${errorText(e)}`, error: e });
    }
    this.emit('update', this.list());
  }

  private async pollIndex(): Promise<void> {
    let all: Simulation[] = [];
    for (let page = 1; page <= this.maxPages; page++) {
      this.callTimes.push(this.sched.now());
      const list = await this.client.indexShort(page, 'id', 'desc', this.opts());
      // past the last page the service may send page 1 again: a page of ids already seen ends it
      if (list.length === 0 || list.every((s) => all.some((a) => a.id === s.id))) break;
      all = all.concat(list);
      const minId = Math.min(...list.map((s) => s.id));
      // a tracked active simulation older than this page: read the next page (rare)
      const missing = [...this.sims.values()].some((s) => ACTIVE_STATUSES.includes(s.status) && s.id < minId) || [...this.expected].some((id) => id < minId);
      if (!missing || this.roomAt(1) > this.sched.now()) break;
    }
    this.apply(all);
  }

  private apply(list: Simulation[]): void {
    for (const s of list) {
      const prev = this.sims.get(s.id);
      const wasExpected = this.expected.delete(s.id);
      this.sims.set(s.id, { ...prev, ...s, output: s.output ?? prev?.output ?? null });
      if (!prev) {
        if (wasExpected) {
          this.emit('status', { simulation: s, from: null, to: s.status });
          if (TERMINAL_STATUSES.includes(s.status)) this.finish(s);
        } else if (ACTIVE_STATUSES.includes(s.status) && this.isKnownFolder(s.folder)) {
          // started elsewhere (web app, the provider's CLI) on one of our folders, or found at start
          this.emit('discovered', s);
          this.emit('status', { simulation: s, from: null, to: s.status });
        }
        continue;
      }
      if (prev.status !== s.status) {
        this.emit('status', { simulation: s, from: prev.status, to: s.status });
        if (TERMINAL_STATUSES.includes(s.status) && this.isTracked(s)) this.finish(s);
      }
    }
  }

  private finish(s: Simulation): void {
    if (this.finishedIds.has(s.id)) return;
    this.finishedIds.add(s.id);
    void (async () => {
      let terminalDone = false;
      const terminal = async (f: Finished): Promise<void> => {
        if (terminalDone || !this.onTerminal) return;
        terminalDone = true;
        try {
          await this.onTerminal(f);
        } catch (e) {
          this.emit('error', { message: `Could not pull the results of simulation ${s.id}: ${errorText(e)}`, error: e });
        }
      };
      const undiagnosed: Finished = { simulation: s, outcome: outcome(s.status, []), diagnoses: [], diagnosed: false };
      if (!this.diagnoseFinished) {
        this.emit('finished', undiagnosed);
        await this.busy(terminal(undiagnosed));
        return;
      }
      if (this.roomAt(1) > this.sched.now()) {
        // no room for the log now: results first, the diagnosis when the hour allows
        this.emit('finished', undiagnosed);
        await this.busy(terminal(undiagnosed));
        await this.waitRoom();
        if (this.stopped) return;
      }
      try {
        this.callTimes.push(this.sched.now());
        const sim = await this.busy(this.client.view(s.id, this.opts()));
        this.sims.set(s.id, sim);
        const diagnoses = diagnose(sim.output ?? '');
        const f: Finished = { simulation: sim, outcome: outcome(sim.status, diagnoses), diagnoses, diagnosed: true };
        this.emit(terminalDone ? 'diagnosed' : 'finished', f);
        await this.busy(terminal(f));
      } catch (e) {
        if (this.stopped) return;
        this.emit('error', { message: `Could not read the log of simulation ${s.id}: ${errorText(e)}`, error: e });
        if (!terminalDone) this.emit('finished', undiagnosed);
        await this.busy(terminal(undiagnosed));
      }
    })();
  }

  /** Counts a piece of I/O as running for settled(). */
  private busy<T>(p: Promise<T>): Promise<T> {
    const q = p.then(() => undefined, () => undefined);
    this.side.add(q);
    void q.then(() => this.side.delete(q));
    return p;
  }

  /** Waits (on the scheduler) until the sliding hour has room for one more call; close() ends the wait. */
  private waitRoom(): Promise<void> {
    const at = this.roomAt(1);
    if (at <= this.sched.now() || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => { this.roomWaiters.delete(done); cancel(); resolve(); };
      const cancel = this.sched.after(at - this.sched.now(), done);
      this.roomWaiters.add(done);
    });
  }

  private readonly roomWaiters = new Set<() => void>();
}

// The call budget: one object shared by the whole app that knows how many cloudHPC API calls are
// left this hour and day, keeps a reserve for what the user asks for right now, and makes
// background work wait (never fail) when only the reserve is left or after a refusal.
//
// Counting: the service's x-ratelimit-* headers are the truth. Between replies the budget counts
// the calls it let through itself: a call in flight, or one that ended without a reply (connection
// lost: the service may have counted it), counts as used until a reply to a call sent later carries
// fresh headers. The service's counter only grows within a window, so replies that overtake each
// other never roll the count back: a lower value is taken only when it is lower by more than the
// calls that overlapped that one (then the service has reset its window).
import type { BudgetState, Priority } from './types';
import { CloudHpcError } from './errors';

export interface CallBudgetOptions {
  /** Fraction of the hourly (and daily) limit kept back for user calls. Default 0.1. */
  reserveFraction?: number;
  /** At least this many calls are kept back (never more than half the limit). Default 5. */
  reserveMin?: number;
  /** Clock (epoch ms), injectable for tests. */
  now?: () => number;
  /** How long background waits after a refusal that carries no Retry-After and no known window. Default 60 s. */
  refusalPauseMs?: number;
}

export interface CallTicket {
  readonly seq: number;
  readonly priority: Priority;
  /** Calls in flight when this one was let through. */
  readonly overlapAtIssue: number;
}

export type HeaderBag = Record<string, string | string[] | undefined>;

interface Waiter {
  resolve: (t: CallTicket) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

function headerNumber(h: HeaderBag, name: string): number | null {
  const v = h[name];
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || s.trim() === '') return null;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : null;
}

function nextHour(t: number): number {
  return (Math.floor(t / 3_600_000) + 1) * 3_600_000;
}
function nextDay(t: number): number {
  return (Math.floor(t / 86_400_000) + 1) * 86_400_000;
}

export class CallBudget {
  private readonly reserveFraction: number;
  private readonly reserveMin: number;
  private readonly now: () => number;
  private readonly refusalPauseMs: number;

  private known = false;
  private hourlyLimit = 0;
  private hourlyUsedHeader = 0;
  private dailyLimit = 0;
  private dailyUsedHeader = 0;
  private hourEnd: number | null = null;
  private dayEnd: number | null = null;

  private issued = 0;
  private readonly inflight = new Set<number>();
  /** Calls that ended without a reply (seq → last seq issued then): counted until a later call replies. */
  private readonly unconfirmed = new Map<number, number>();
  /** After an assumed reset (window passed, pause over) background goes one call at a time until a reply confirms. */
  private probing = false;
  private pausedUntilMs: number | null = null;
  private usedAtRefusal: number | null = null;

  private readonly waiters: Waiter[] = [];
  private readonly listeners = new Set<(s: BudgetState) => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = 0;

  constructor(opts: CallBudgetOptions = {}) {
    this.reserveFraction = opts.reserveFraction ?? 0.1;
    this.reserveMin = opts.reserveMin ?? 5;
    this.now = opts.now ?? Date.now;
    this.refusalPauseMs = opts.refusalPauseMs ?? 60_000;
  }

  /**
   * Asks for one API call. `user` calls go through at once (they may use the reserve; the service
   * has the last word). `background` calls wait while only the reserve is left, while paused after a
   * refusal, or while a probe is out; they fail only when `signal` aborts.
   */
  acquire(priority: Priority = 'background', signal?: AbortSignal): Promise<CallTicket> {
    if (signal?.aborted) return Promise.reject(new CloudHpcError({ kind: 'cancelled', endpoint: 'budget' }));
    this.roll();
    if (priority === 'user' || (this.waiters.length === 0 && this.backgroundMayGo())) {
      return Promise.resolve(this.issue(priority));
    }
    return new Promise<CallTicket>((resolve, reject) => {
      const w: Waiter = { resolve, reject, signal };
      if (signal) {
        w.onAbort = () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new CloudHpcError({ kind: 'cancelled', endpoint: 'budget' }));
          this.changed();
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiters.push(w);
      this.changed();
    });
  }

  /**
   * Records how a call ended: `headers` of the reply (any status), or null when no reply came
   * (connection lost or refused, timeout, cancelled after sending).
   */
  settle(ticket: CallTicket, headers: HeaderBag | null): void {
    // calls that overlapped this one (in flight when it was sent, or sent while it was out): the
    // service may have counted them before or after it
    const overlapping = ticket.overlapAtIssue + (this.issued - ticket.seq);
    this.inflight.delete(ticket.seq);
    const hl = headers ? headerNumber(headers, 'x-ratelimit-hourly-limit') : null;
    const hu = headers ? headerNumber(headers, 'x-ratelimit-hourly-used') : null;
    const dl = headers ? headerNumber(headers, 'x-ratelimit-daily-limit') : null;
    const du = headers ? headerNumber(headers, 'x-ratelimit-daily-used') : null;
    const hasHeaders = hl !== null || hu !== null || dl !== null || du !== null;
    if (!hasHeaders) {
      // no reply: the service may have counted it; counted until a call sent after this moment replies
      this.unconfirmed.set(ticket.seq, this.issued);
    } else {
      const t = this.now();
      this.known = true;
      if (hl !== null) this.hourlyLimit = hl;
      if (dl !== null) this.dailyLimit = dl;
      const hourlyBefore = this.hourlyUsedHeader;
      if (hu !== null) this.hourlyUsedHeader = CallBudget.merge(this.hourlyUsedHeader, hu, overlapping);
      if (du !== null) this.dailyUsedHeader = CallBudget.merge(this.dailyUsedHeader, du, overlapping);
      for (const [seq, issuedThen] of this.unconfirmed) if (ticket.seq > issuedThen) this.unconfirmed.delete(seq);
      if (this.hourEnd === null || t >= this.hourEnd) this.hourEnd = nextHour(t);
      if (this.dayEnd === null || t >= this.dayEnd) this.dayEnd = nextDay(t);
      this.probing = false;
      const reset = hu !== null && this.hourlyUsedHeader < hourlyBefore;
      if (this.pausedUntilMs !== null && reset && this.usedAtRefusal !== null && this.leftAboveReserve()) {
        // fresh numbers show the service reset its counter since the refusal: resume
        this.pausedUntilMs = null;
        this.usedAtRefusal = null;
      }
    }
    this.changed();
  }

  /** A call that provably never reached the service (connection refused, no route, DNS): not counted. */
  release(ticket: CallTicket): void {
    this.inflight.delete(ticket.seq);
    this.changed();
  }

  /**
   * The service's counter only grows within a window, and replies may arrive in any order: a value
   * lower than the known one by no more than the overlapping calls is an older reply (kept the
   * higher); lower by more means the service reset its window.
   */
  private static merge(known: number, seen: number, overlapping: number): number {
    if (seen >= known) return seen;
    if (known - seen <= overlapping) return known;
    return seen;
  }

  /**
   * The service refused a call for its rate limit. Background work pauses until `retryAfterMs`
   * passes, or else until the hour window ends (when the limit is known), or else for a minute.
   */
  refused(retryAfterMs: number | null): void {
    const t = this.now();
    let wait = retryAfterMs;
    if (wait === null || wait < 0) {
      wait = this.known && this.hourEnd !== null && this.hourEnd > t ? this.hourEnd - t : this.refusalPauseMs;
    }
    const until = t + Math.max(wait, 1_000);
    this.pausedUntilMs = Math.max(this.pausedUntilMs ?? 0, until);
    this.usedAtRefusal = this.known ? this.hourlyUsedHeader : null;
    if (this.known && this.hourlyLimit > 0) this.hourlyUsedHeader = Math.max(this.hourlyUsedHeader, this.hourlyLimit);
    this.changed();
  }

  /** When a background call may go again if it had to wait now (epoch ms), or null. */
  resumeAt(): number | null {
    return this.pausedUntilMs;
  }

  state(): BudgetState {
    this.roll();
    const hourlyUsed = this.known ? this.hourlyUsedHeader + this.extra() : this.extra();
    const dailyUsed = this.known ? this.dailyUsedHeader + this.extra() : this.extra();
    const hourlyLeft = this.known && this.hourlyLimit > 0 ? Math.max(0, this.hourlyLimit - hourlyUsed) : Infinity;
    const reserve = this.known ? this.reserveFor(this.hourlyLimit) : 0;
    const pausedUntil = this.pausedUntilMs ?? (this.waiters.length > 0 && this.known && !this.leftAboveReserve() ? this.windowEnd() : null);
    let summary: string;
    if (!this.known) summary = 'API call limit not known yet';
    else if (this.hourlyLimit === 0) summary = 'No hourly API call limit';
    else summary = `${hourlyLeft} of ${this.hourlyLimit} API calls left this hour`;
    if (this.known && this.dailyLimit > 0) summary += ` (${Math.max(0, this.dailyLimit - dailyUsed)} of ${this.dailyLimit} today)`;
    if (pausedUntil !== null) summary += `; background work paused until ${new Date(pausedUntil).toISOString().slice(11, 16)} UTC`;
    return {
      known: this.known,
      hourlyLimit: this.hourlyLimit,
      hourlyUsed,
      dailyLimit: this.dailyLimit,
      dailyUsed,
      reserve,
      hourlyLeft,
      waiting: this.waiters.length,
      pausedUntil,
      summary,
    };
  }

  /** Subscribes to state changes; returns the unsubscribe function. */
  onChange(fn: (s: BudgetState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Re-evaluates waiting callers now (e.g. after the app learned the clock moved). */
  recheck(): void {
    this.changed();
  }

  // ---- internals

  private issue(priority: Priority): CallTicket {
    const t: CallTicket = { seq: ++this.issued, priority, overlapAtIssue: this.inflight.size };
    this.inflight.add(t.seq);
    return t;
  }

  private extra(): number {
    return this.inflight.size + this.unconfirmed.size;
  }

  private reserveFor(limit: number): number {
    if (limit <= 0) return 0;
    return Math.min(Math.max(this.reserveMin, Math.ceil(limit * this.reserveFraction)), Math.floor(limit / 2));
  }

  private leftAboveReserve(): boolean {
    if (!this.known) return true;
    const extra = this.extra();
    if (this.hourlyLimit > 0 && this.hourlyLimit - (this.hourlyUsedHeader + extra) <= this.reserveFor(this.hourlyLimit)) return false;
    if (this.dailyLimit > 0 && this.dailyLimit - (this.dailyUsedHeader + extra) <= this.reserveFor(this.dailyLimit)) return false;
    return true;
  }

  private windowEnd(): number | null {
    // the daily window matters only when the day's budget is the one that is short
    const extra = this.extra();
    if (this.dailyLimit > 0 && this.dailyLimit - (this.dailyUsedHeader + extra) <= this.reserveFor(this.dailyLimit)) return this.dayEnd;
    return this.hourEnd;
  }

  private backgroundMayGo(): boolean {
    const t = this.now();
    if (this.pausedUntilMs !== null) {
      if (t < this.pausedUntilMs) return false;
      this.pausedUntilMs = null;
      this.probing = true;
    }
    if (this.probing) return this.inflight.size === 0;
    return this.leftAboveReserve();
  }

  /** When a window has passed, assume the service reset its counter; a probe call confirms. */
  private roll(): void {
    const t = this.now();
    if (this.hourEnd !== null && t >= this.hourEnd) {
      this.hourlyUsedHeader = 0;
      this.hourEnd = nextHour(t);
      this.forgetUnconfirmed();
    }
    if (this.dayEnd !== null && t >= this.dayEnd) {
      this.dailyUsedHeader = 0;
      this.dayEnd = nextDay(t);
      this.forgetUnconfirmed();
    }
  }

  private forgetUnconfirmed(): void {
    this.unconfirmed.clear();
    this.probing = true;
  }

  private changed(): void {
    this.roll();
    while (this.waiters.length > 0 && this.backgroundMayGo()) {
      const w = this.waiters.shift()!;
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      w.resolve(this.issue('background'));
    }
    this.schedule();
    if (this.listeners.size > 0) {
      const s = this.state();
      for (const fn of this.listeners) {
        try {
          fn(s);
        } catch {
          // a listener's failure is its own
        }
      }
    }
  }

  /** Wakes waiters when a pause or a window ends. */
  private schedule(): void {
    if (this.waiters.length === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      return;
    }
    const t = this.now();
    const candidates = [this.pausedUntilMs, this.leftAboveReserve() ? null : this.windowEnd()].filter((x): x is number => x !== null && x > t);
    if (candidates.length === 0) return;
    const at = Math.min(...candidates);
    if (this.timer && this.timerAt === at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    // long waits are re-checked every minute so a moved clock (sleep, tests) is noticed
    this.timer = setTimeout(() => {
      this.timer = null;
      this.changed();
    }, Math.min(at - t + 5, 60_000));
    this.timer.unref?.();
  }
}

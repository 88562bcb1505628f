// The call budget: one object shared by the whole app that knows how many cloudHPC API calls are
// left this hour and day, keeps a reserve for what the user asks for right now, and makes
// background work wait (never fail) when only the reserve is left or after a refusal.
//
// Counting: the service's x-ratelimit-* headers are the truth. Between replies the budget counts
// the calls it let through itself: a call in flight, or one that ended without a reply (connection
// lost: the service may have counted it), counts as used until a reply to a call sent later carries
// fresh headers. Replies that overtake each other never roll the count back: a lower value is
// taken only when it is lower by more than the calls that overlapped that one.
//
// Windows slide: the service counts the calls of the last 60 minutes (and 24 hours), so a call
// frees its slot 60 minutes after it was made, not at the full hour. The budget keeps the time of
// each of its own calls and ages the last reported count by the own calls that have left the
// window since; calls made by others (the web app, another machine) are only learnt from replies.
import type { BudgetState, Priority } from './types';
import { CloudHpcError } from './errors';

export interface CallBudgetOptions {
  /** Fraction of the hourly (and daily) limit kept back for user calls. Default 0.1. */
  reserveFraction?: number;
  /** At least this many calls are kept back (never more than half the limit). Default 5. */
  reserveMin?: number;
  /** Clock (epoch ms), injectable for tests. */
  now?: () => number;
  /** How long background first waits after a refusal that neither Retry-After nor its own calls explain. Default 60 s. */
  refusalPauseMs?: number;
  /** A call's slot is taken as free this long after its 60 minutes (the service logs it a little later than we send it). Default 5 s. */
  slideMarginMs?: number;
}

export interface CallTicket {
  readonly seq: number;
  readonly priority: Priority;
  /** Calls in flight when this one was let through. */
  readonly overlapAtIssue: number;
  /** When it was let through (budget clock). */
  readonly at: number;
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

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Index of the first element of sorted `a` greater than `x`. */
function upperBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One window (hourly or daily) as the service reported it, aged by the budget's own calls since. */
interface Window {
  span: number;
  limit: number;
  /** `used` from the last reply taken as true. */
  used: number;
  /** When that reply came (budget clock), or null before any. */
  at: number | null;
}

export class CallBudget {
  private readonly reserveFraction: number;
  private readonly reserveMin: number;
  private readonly now: () => number;
  private readonly refusalPauseMs: number;
  private readonly slideMarginMs: number;

  private known = false;
  private readonly hourly: Window = { span: HOUR, limit: 0, used: 0, at: null };
  private readonly daily: Window = { span: DAY, limit: 0, used: 0, at: null };
  /** Times (budget clock) of the calls this budget let through in the last day, oldest first. */
  private readonly own: number[] = [];

  private issued = 0;
  private readonly inflight = new Set<number>();
  /** Calls that ended without a reply (seq → last seq issued then): counted until a later call replies. */
  private readonly unconfirmed = new Map<number, number>();
  /** After a pause whose end no own call explains, background goes one call at a time until a reply confirms. */
  private probing = false;
  private pausedUntilMs: number | null = null;
  /** Consecutive refusals without a reply in between (the blind pause doubles). */
  private refusals = 0;

  private readonly waiters: Waiter[] = [];
  private readonly listeners = new Set<(s: BudgetState) => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = 0;

  constructor(opts: CallBudgetOptions = {}) {
    this.reserveFraction = opts.reserveFraction ?? 0.1;
    this.reserveMin = opts.reserveMin ?? 5;
    this.now = opts.now ?? Date.now;
    this.refusalPauseMs = opts.refusalPauseMs ?? 60_000;
    this.slideMarginMs = opts.slideMarginMs ?? 5_000;
  }

  /**
   * Asks for one API call. `user` calls go through at once (they may use the reserve; the service
   * has the last word). `background` calls wait while only the reserve is left, while paused after a
   * refusal, or while a probe is out; they fail only when `signal` aborts.
   */
  acquire(priority: Priority = 'background', signal?: AbortSignal): Promise<CallTicket> {
    if (signal?.aborted) return Promise.reject(new CloudHpcError({ kind: 'cancelled', endpoint: 'budget' }));
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
      if (hl !== null) this.hourly.limit = hl;
      if (dl !== null) this.daily.limit = dl;
      if (hu !== null) this.take(this.hourly, hu, overlapping, t);
      if (du !== null) this.take(this.daily, du, overlapping, t);
      for (const [seq, issuedThen] of this.unconfirmed) if (ticket.seq > issuedThen) this.unconfirmed.delete(seq);
      this.probing = false;
      // a reply that shows room ends a run of refusals (a refusal's own reply shows a full window)
      if (![this.hourly, this.daily].some((w) => w.limit > 0 && this.aged(w, t) >= w.limit)) this.refusals = 0;
      if (this.pausedUntilMs !== null && this.leftAboveReserve()) {
        // fresh numbers show room again (slots freed, or another window): resume
        this.pausedUntilMs = null;
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
   * A reported count becomes the window's truth unless it is lower than the aged count by no more
   * than the calls that overlapped this one (then it is an older reply that overtook a newer one).
   */
  private take(w: Window, seen: number, overlapping: number, t: number): void {
    const current = this.aged(w, t);
    if (seen < current && current - seen <= overlapping) return;
    w.used = seen;
    w.at = t;
  }

  /** The window's count at `t`: the last reported one minus the own calls that have left the window since. */
  private aged(w: Window, t: number): number {
    if (w.at === null) return w.used;
    const from = w.at - w.span;
    const to = t - w.span - this.slideMarginMs;
    if (to <= from) return w.used;
    const left = upperBound(this.own, to) - upperBound(this.own, from);
    return Math.max(0, w.used - left);
  }

  /**
   * The service refused a call for its rate limit. Background work pauses until `retryAfterMs`
   * passes (then one call goes as a probe), or else until enough of the budget's own calls leave the
   * window, or else (no own call explains the count) for a minute, doubling on each refusal in a row
   * up to 15 minutes, then a probe. A refused call is not counted by the service, so a probe that is
   * refused again costs nothing.
   */
  refused(retryAfterMs: number | null, ticket?: CallTicket): void {
    const t = this.now();
    if (ticket) {
      // the refused call itself was not counted by the service: it frees no slot later
      const i = upperBound(this.own, ticket.at) - 1;
      if (i >= 0 && this.own[i] === ticket.at) this.own.splice(i, 1);
    }
    // the refusal's own headers were read already; when they do not show a full window, the hourly one is
    const full = [this.hourly, this.daily].some((w) => w.limit > 0 && this.aged(w, t) >= w.limit);
    if (this.known && !full && this.hourly.limit > 0) {
      this.hourly.used = this.hourly.limit;
      this.hourly.at = t;
    }
    let until: number;
    if (retryAfterMs !== null && retryAfterMs >= 0) {
      // the service names the moment; what it will count then is unknown: one probe first
      until = t + retryAfterMs;
      this.probing = true;
    } else {
      const freed = this.freeAt(t);
      if (freed !== null) until = freed;
      else {
        until = t + Math.min(this.refusalPauseMs * 2 ** this.refusals, 15 * 60_000);
        this.probing = true;
      }
    }
    this.refusals += 1;
    this.pausedUntilMs = Math.max(this.pausedUntilMs ?? 0, t + 1_000, until);
    this.changed();
  }

  /** When a background call may go again if it had to wait now (epoch ms), or null. */
  resumeAt(): number | null {
    return this.pausedUntilMs ?? (this.leftAboveReserve() ? null : this.freeAt(this.now()));
  }

  state(): BudgetState {
    const t = this.now();
    const extra = this.extra();
    const hourlyUsed = this.aged(this.hourly, t) + extra;
    const dailyUsed = this.aged(this.daily, t) + extra;
    const hourlyLimit = this.hourly.limit;
    const dailyLimit = this.daily.limit;
    const hourlyLeft = this.known && hourlyLimit > 0 ? Math.max(0, hourlyLimit - hourlyUsed) : Infinity;
    const reserve = this.known ? this.reserveFor(hourlyLimit) : 0;
    const pausedUntil = this.pausedUntilMs ?? (this.waiters.length > 0 && this.known && !this.leftAboveReserve() ? this.freeAt(t) : null);
    let summary: string;
    if (!this.known) summary = 'API call limit not known yet';
    else if (hourlyLimit === 0) summary = 'No hourly API call limit';
    else summary = `${hourlyLeft} of ${hourlyLimit} API calls left this hour`;
    if (this.known && dailyLimit > 0) summary += ` (${Math.max(0, dailyLimit - dailyUsed)} of ${dailyLimit} today)`;
    if (pausedUntil !== null) summary += `; background work paused until ${new Date(pausedUntil).toISOString().slice(11, 16)} UTC`;
    else if (this.waiters.length > 0 && this.known && !this.leftAboveReserve()) summary += '; background work waits for calls to free up';
    return {
      known: this.known,
      hourlyLimit,
      hourlyUsed,
      dailyLimit,
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
    const now = this.now();
    const t: CallTicket = { seq: ++this.issued, priority, overlapAtIssue: this.inflight.size, at: now };
    this.inflight.add(t.seq);
    // keep the list sorted even if the clock stepped back
    if (this.own.length > 0 && this.own[this.own.length - 1]! > now) this.own.splice(upperBound(this.own, now), 0, now);
    else this.own.push(now);
    const cut = upperBound(this.own, now - DAY - this.slideMarginMs - HOUR);
    if (cut > 0) this.own.splice(0, cut);
    return t;
  }

  private extra(): number {
    return this.inflight.size + this.unconfirmed.size;
  }

  private reserveFor(limit: number): number {
    if (limit <= 0) return 0;
    return Math.min(Math.max(this.reserveMin, Math.ceil(limit * this.reserveFraction)), Math.floor(limit / 2));
  }

  /** Calls the window may still take before only the reserve is left (Infinity without a limit). */
  private roomIn(w: Window, t: number): number {
    if (!this.known || w.limit <= 0) return Infinity;
    return w.limit - (this.aged(w, t) + this.extra()) - this.reserveFor(w.limit);
  }

  private leftAboveReserve(): boolean {
    const t = this.now();
    return this.roomIn(this.hourly, t) > 0 && this.roomIn(this.daily, t) > 0;
  }

  /**
   * When enough of the budget's own calls will have left the windows for background work to go
   * again, or null when its own calls cannot explain the count (others used the calls).
   */
  private freeAt(t: number): number | null {
    let at = t;
    for (const w of [this.hourly, this.daily]) {
      const room = this.roomIn(w, t);
      if (room > 0) continue;
      if (w.at === null) return null;
      // own calls counted in the last report that are still in the window at t, oldest first
      const start = upperBound(this.own, Math.max(w.at - w.span, t - w.span - this.slideMarginMs));
      const end = upperBound(this.own, w.at);
      const need = 1 - room;
      if (end - start < need) return null;
      at = Math.max(at, this.own[start + need - 1]! + w.span + this.slideMarginMs + 1);
    }
    return at;
  }

  private backgroundMayGo(): boolean {
    const t = this.now();
    if (this.pausedUntilMs !== null) {
      if (t < this.pausedUntilMs) return false;
      this.pausedUntilMs = null;
    }
    if (this.probing) return this.inflight.size === 0;
    return this.leftAboveReserve();
  }

  private changed(): void {
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

  /** Wakes waiters when a pause ends or own calls leave the window. */
  private schedule(): void {
    if (this.waiters.length === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      return;
    }
    const t = this.now();
    const candidates = [this.pausedUntilMs, this.leftAboveReserve() ? null : this.freeAt(t)].filter((x): x is number => x !== null && x > t);
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

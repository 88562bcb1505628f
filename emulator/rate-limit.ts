// Per-key API call counting on the simulated clock. Two ways to count a window:
// - 'sliding' (profile 'evidence'): a call counts for exactly 60 minutes (and 24 hours) after it was
//   made, as the PHP framework matching the service counts its log rows since now - 1 hour / 1 day;
// - 'fixed' (profile 'classic'): clock hours and days; the counter resets at each full hour/day.
import type { CallCounts } from './types';

export interface Limits {
  hourly: number;
  daily: number;
}

export type WindowKind = 'sliding' | 'fixed';

export interface CounterState {
  hourWindow: number;
  hourly: number;
  dayWindow: number;
  daily: number;
  total: number;
  byEndpoint: Record<string, number>;
  /** Sliding windows: simulated times (ms) of the counted calls of the last 24 hours, oldest first. */
  times?: number[];
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

export type Take = { ok: true } | { ok: false; which: 'hourly' | 'daily'; retryAfterSimSeconds: number };

export class CallCounter {
  state: CounterState = { hourWindow: 0, hourly: 0, dayWindow: 0, daily: 0, total: 0, byEndpoint: {}, times: [] };

  constructor(
    readonly limits: Limits,
    readonly windows: WindowKind = 'fixed',
  ) {}

  private roll(nowMs: number): void {
    const s = this.state;
    if (this.windows === 'sliding') {
      const times = (s.times ??= []);
      let drop = 0;
      while (drop < times.length && times[drop]! <= nowMs - DAY) drop++;
      if (drop > 0) times.splice(0, drop);
      s.daily = times.length;
      let i = times.length;
      while (i > 0 && times[i - 1]! > nowMs - HOUR) i--;
      s.hourly = times.length - i;
      return;
    }
    const h = Math.floor(nowMs / HOUR);
    const d = Math.floor(nowMs / DAY);
    if (h !== s.hourWindow) {
      s.hourWindow = h;
      s.hourly = 0;
    }
    if (d !== s.dayWindow) {
      s.dayWindow = d;
      s.daily = 0;
    }
  }

  /** Simulated seconds until the window frees a call again. */
  private reopensIn(nowMs: number, which: 'hourly' | 'daily'): number {
    const s = this.state;
    const span = which === 'hourly' ? HOUR : DAY;
    if (this.windows === 'sliding') {
      const times = s.times ?? [];
      const inWindow = times.filter((t) => t > nowMs - span);
      const limit = which === 'hourly' ? this.limits.hourly : this.limits.daily;
      // the call that must age out for one slot to free
      const t = inWindow[inWindow.length - limit] ?? inWindow[0] ?? nowMs;
      return Math.max(1, Math.ceil((t + span - nowMs) / 1000));
    }
    const windowNo = which === 'hourly' ? s.hourWindow : s.dayWindow;
    return Math.ceil(((windowNo + 1) * span - nowMs) / 1000);
  }

  /** Counts one call, or refuses it (refused calls are not counted). */
  take(nowMs: number, endpoint: string): Take {
    this.roll(nowMs);
    const s = this.state;
    if (this.limits.daily > 0 && s.daily >= this.limits.daily) return { ok: false, which: 'daily', retryAfterSimSeconds: this.reopensIn(nowMs, 'daily') };
    if (this.limits.hourly > 0 && s.hourly >= this.limits.hourly) return { ok: false, which: 'hourly', retryAfterSimSeconds: this.reopensIn(nowMs, 'hourly') };
    s.hourly++;
    s.daily++;
    s.total++;
    if (this.windows === 'sliding') (s.times ??= []).push(nowMs);
    s.byEndpoint[endpoint] = (s.byEndpoint[endpoint] ?? 0) + 1;
    return { ok: true };
  }

  headers(nowMs: number): Record<string, string> {
    this.roll(nowMs);
    return {
      'x-ratelimit-hourly-limit': String(this.limits.hourly),
      'x-ratelimit-hourly-used': String(this.state.hourly),
      'x-ratelimit-daily-limit': String(this.limits.daily),
      'x-ratelimit-daily-used': String(this.state.daily),
    };
  }

  counts(nowMs: number): CallCounts {
    this.roll(nowMs);
    return { hourly: this.state.hourly, daily: this.state.daily, total: this.state.total, byEndpoint: { ...this.state.byEndpoint } };
  }
}

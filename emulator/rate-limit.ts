// Per-key API call counting with fixed hour and day windows on the simulated clock.
import type { CallCounts } from './index';

export interface Limits {
  hourly: number;
  daily: number;
}

export interface CounterState {
  hourWindow: number;
  hourly: number;
  dayWindow: number;
  daily: number;
  total: number;
  byEndpoint: Record<string, number>;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

export class CallCounter {
  state: CounterState = { hourWindow: 0, hourly: 0, dayWindow: 0, daily: 0, total: 0, byEndpoint: {} };

  constructor(readonly limits: Limits) {}

  private roll(nowMs: number): void {
    const h = Math.floor(nowMs / HOUR);
    const d = Math.floor(nowMs / DAY);
    if (h !== this.state.hourWindow) {
      this.state.hourWindow = h;
      this.state.hourly = 0;
    }
    if (d !== this.state.dayWindow) {
      this.state.dayWindow = d;
      this.state.daily = 0;
    }
  }

  /** Counts one call, or refuses it: returns the simulated seconds until a window reopens. */
  take(nowMs: number, endpoint: string): { ok: true } | { ok: false; retryAfterSimSeconds: number } {
    this.roll(nowMs);
    const s = this.state;
    if (this.limits.daily > 0 && s.daily >= this.limits.daily) {
      return { ok: false, retryAfterSimSeconds: Math.ceil(((s.dayWindow + 1) * DAY - nowMs) / 1000) };
    }
    if (this.limits.hourly > 0 && s.hourly >= this.limits.hourly) {
      return { ok: false, retryAfterSimSeconds: Math.ceil(((s.hourWindow + 1) * HOUR - nowMs) / 1000) };
    }
    s.hourly++;
    s.daily++;
    s.total++;
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

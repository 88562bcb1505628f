// The parsed series of one run, bounded in size. Each series keeps x (solver time) ascending; past
// `cap` points it is thinned with Largest-Triangle-Three-Buckets (on log10 y for the series plotted
// on a log scale), which keeps the first and last points, peaks and dips: the shape a reader of a
// residual plot looks for. A restart from an earlier solver time drops the points it will redo.

import type { Combine } from './records';

export interface SeriesData {
  x: number[];
  y: number[];
}

/** Series drawn on a log scale (their shape is judged in decades). */
function isLogSeries(key: string): boolean {
  return key.startsWith('residual:') || key.startsWith('continuity:') || key === 'velocity-error' || key === 'pressure-error';
}

export const DEFAULT_CAP = 1200;
const MAX_SERIES = 64;

export class SeriesStore {
  private readonly series = new Map<string, SeriesData>();

  constructor(readonly cap = DEFAULT_CAP) {
    if (!(cap >= 8)) throw new Error('SeriesStore: cap must be at least 8');
  }

  add(key: string, x: number, y: number, combine: Combine = 'last'): void {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= MAX_SERIES) return; // a hostile log cannot grow the store without end
      s = { x: [], y: [] };
      this.series.set(key, s);
    }
    const n = s.x.length;
    const lastX = n > 0 ? s.x[n - 1]! : Number.NEGATIVE_INFINITY;
    if (x < lastX) return; // out of order (a restart truncates first)
    if (x === lastX) {
      const prev = s.y[n - 1]!;
      s.y[n - 1] = combine === 'first' ? prev : combine === 'max' ? Math.max(prev, y) : y;
      return;
    }
    s.x.push(x);
    s.y.push(y);
    if (s.x.length > this.cap) this.series.set(key, lttb(s, Math.floor(this.cap * 0.75), isLogSeries(key)));
  }

  /** A restart from solver time `from`: points at or after it will be computed again. */
  truncateFrom(from: number): void {
    for (const [k, s] of this.series) {
      let i = s.x.length;
      while (i > 0 && s.x[i - 1]! >= from) i--;
      if (i < s.x.length) this.series.set(k, { x: s.x.slice(0, i), y: s.y.slice(0, i) });
    }
  }

  keys(): string[] {
    return [...this.series.keys()].sort();
  }

  get(key: string): SeriesData | undefined {
    return this.series.get(key);
  }

  /** Points held in all series (what the bound is about). */
  size(): number {
    let n = 0;
    for (const s of this.series.values()) n += s.x.length;
    return n;
  }

  toJSON(): Record<string, SeriesData> {
    const out: Record<string, SeriesData> = {};
    for (const k of this.keys()) {
      const s = this.series.get(k)!;
      out[k] = { x: [...s.x], y: [...s.y] };
    }
    return out;
  }

  /** Rebuilds from toJSON() output; anything malformed is dropped, never trusted. */
  static fromJSON(data: unknown, cap = DEFAULT_CAP): SeriesStore {
    const store = new SeriesStore(cap);
    if (!data || typeof data !== 'object') return store;
    for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
      if (!v || typeof v !== 'object') continue;
      const { x, y } = v as { x?: unknown; y?: unknown };
      if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) continue;
      for (let i = 0; i < x.length; i++) {
        if (typeof x[i] === 'number' && typeof y[i] === 'number') store.add(k, x[i] as number, y[i] as number);
      }
    }
    return store;
  }

  /**
   * CSV with a header: `time,<series>,...`, one row per solver time any series has (ascending),
   * empty cells where a series has no value at that time.
   */
  csv(timeLabel = 'time'): string {
    const keys = this.keys();
    const xs = new Set<number>();
    const maps = keys.map((k) => {
      const s = this.series.get(k)!;
      const m = new Map<number, number>();
      s.x.forEach((x, i) => { m.set(x, s.y[i]!); xs.add(x); });
      return m;
    });
    const rows = [[timeLabel, ...keys].map(csvCell).join(',')];
    for (const x of [...xs].sort((a, b) => a - b)) {
      rows.push([String(x), ...maps.map((m) => (m.has(x) ? String(m.get(x)) : ''))].join(','));
    }
    return rows.join('\n') + '\n';
  }
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Largest-Triangle-Three-Buckets down to `target` points (first and last kept). */
export function lttb(s: SeriesData, target: number, logY = false): SeriesData {
  const n = s.x.length;
  if (target >= n || target < 3) return { x: [...s.x], y: [...s.y] };
  const yv = (i: number): number => {
    const v = s.y[i]!;
    return logY ? Math.log10(Math.max(v, 1e-300)) : v;
  };
  const outX: number[] = [s.x[0]!];
  const outY: number[] = [s.y[0]!];
  const every = (n - 2) / (target - 2);
  let a = 0;
  for (let i = 0; i < target - 2; i++) {
    const start = Math.floor(i * every) + 1;
    const end = Math.min(Math.floor((i + 1) * every) + 1, n - 1);
    // average of the next bucket
    const nStart = end;
    const nEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    const cnt = Math.max(1, nEnd - nStart);
    for (let j = nStart; j < nEnd; j++) { avgX += s.x[j]!; avgY += yv(j); }
    avgX /= cnt;
    avgY /= cnt;
    let best = start;
    let bestArea = -1;
    const ax = s.x[a]!;
    const ay = yv(a);
    for (let j = start; j < end; j++) {
      const area = Math.abs((ax - avgX) * (yv(j) - ay) - (ax - s.x[j]!) * (avgY - ay));
      if (area > bestArea) { bestArea = area; best = j; }
    }
    outX.push(s.x[best]!);
    outY.push(s.y[best]!);
    a = best;
  }
  outX.push(s.x[n - 1]!);
  outY.push(s.y[n - 1]!);
  return { x: outX, y: outY };
}

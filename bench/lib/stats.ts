// Small numeric helpers for the benchmarks: median/min/max of repeated runs and the formats the table uses.

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: [] };
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median, min: s[0] as number, max: s[s.length - 1] as number, runs: [...values] };
}

export function fmtSeconds(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** "1.23 s (1.10–1.40, n=3)" */
export function fmtTime(s: Summary): string {
  if (s.runs.length === 0) return 'n/a';
  if (s.runs.length === 1) return `${fmtSeconds(s.median)} (n=1)`;
  return `${fmtSeconds(s.median)} (${fmtSeconds(s.min)}–${fmtSeconds(s.max)}, n=${s.runs.length})`;
}

export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 && u > 0 ? 2 : 0)} ${units[u]}`;
}

export function fmtRate(bytes: number, ms: number): string {
  if (!(ms > 0)) return 'n/a';
  return `${((bytes / (1024 * 1024)) / (ms / 1000)).toFixed(0)} MiB/s`;
}

export function fmtRatio(r: number): string {
  return Number.isFinite(r) ? r.toFixed(2) : 'n/a';
}

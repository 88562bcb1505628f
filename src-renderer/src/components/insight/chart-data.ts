// From a ChartView (plain arrays per series, each with its own x) to what uPlot draws: one shared,
// ascending x and one y array per series with null where a series has no value (or, on a log
// scale, a value that cannot be drawn). Pure, so it is tested without a browser.

import type { ChartView } from '../../../../src-main/common/insight';

export type Aligned = [number[], ...(number | null)[][]];

export function alignChart(chart: ChartView): Aligned {
  const xs = new Set<number>();
  for (const s of chart.series) for (const x of s.x) if (Number.isFinite(x)) xs.add(x);
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map(x.map((v, i) => [v, i] as const));
  const ys = chart.series.map((s) => {
    const y: (number | null)[] = new Array<number | null>(x.length).fill(null);
    s.x.forEach((sx, i) => {
      const at = index.get(sx);
      const v = s.y[i];
      if (at === undefined || v === null || v === undefined || !Number.isFinite(v)) return;
      y[at] = chart.logY && v <= 0 ? null : v;
    });
    return y;
  });
  return [x, ...ys];
}

/** Distinct, colour-blind-friendlier lines (Okabe–Ito based), one set per theme for contrast. */
export const PALETTE = {
  light: ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#8a6d00', '#56b4e9', '#5b4b8a', '#000000'],
  dark: ['#56b4e9', '#ff9e4a', '#3ddc97', '#f0a3d0', '#f0e442', '#9ecbff', '#c3b1ff', '#e7eaee'],
};

export function colourFor(i: number, dark: boolean): string {
  const p = dark ? PALETTE.dark : PALETTE.light;
  return p[i % p.length]!;
}

function isDecade(v: number | null): boolean {
  if (v === null || !(v > 0)) return false;
  const e = Math.log10(v);
  return Math.abs(e - Math.round(e)) < 1e-9;
}

/** A value as the legend shows it: 4 significant digits, exponent form for small or large numbers ("1e-4" for a power of ten). */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return isDecade(a) ? `${v < 0 ? '-' : ''}1e${Math.round(Math.log10(a))}` : v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/**
 * Log axes: uPlot puts a split at every 1..9 × 10^n; keep only powers of ten (thinned to fit
 * `maxLabels`) so labels and grid lines do not crowd. Short ranges without two decades keep all.
 */
export function decadeSplits(splits: number[], maxLabels: number): (number | null)[] {
  const decades = splits.filter(isDecade);
  if (decades.length < 2) return splits;
  const every = Math.max(1, Math.ceil(decades.length / Math.max(2, maxLabels)));
  return splits.map((v) => {
    if (!isDecade(v)) return null;
    return Math.round(Math.log10(v)) % every === 0 ? v : null;
  });
}

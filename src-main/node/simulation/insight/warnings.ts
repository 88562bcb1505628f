// Early warnings from what the log shows, each with what was seen and what the user can do. Pure
// detectors over the series and the readings; RunInsight keeps when each was first raised.

import type { InsightOptionView, InsightWarningCode, InsightWarningView } from '../../../common/insight';
import type { Reading } from './eta';
import type { SeriesData } from './series-store';

export interface WarningThresholds {
  /** Residual rise (decades, median of the recent half of the window over the older half). Default 1. */
  residualRiseDecades: number;
  /** Points looked at for a residual trend (at least 12 needed). Default 40. */
  residualWindow: number;
  /**
   * Longest stretch looked at: the window doubles up to this many points, so a divergence that takes
   * hundreds of steps (a slow rise per step) is seen as well as a fast one. Default 160.
   */
  residualWindowMax: number;
  /** A rising residual must also be above this to matter (converged runs wobble far below). Default 1e-3. */
  residualFloor: number;
  /** Courant max above this for `courantSustain` readings in a row. Default 5. */
  courant: number;
  courantSustain: number;
  /** No solver-clock advance for this long, over at least 2 reads of the log. Default 15 min. */
  stallMs: number;
}

export const DEFAULT_THRESHOLDS: WarningThresholds = {
  residualRiseDecades: 1,
  residualWindow: 40,
  residualWindowMax: 160,
  residualFloor: 1e-3,
  courant: 5,
  courantSustain: 3,
  stallMs: 15 * 60_000,
};

const OPTIONS: Record<'soft-stop' | 'sync' | 'open-log', InsightOptionView> = {
  'soft-stop': { action: 'soft-stop', label: 'Soft stop', explain: 'Stops the run at the current step and saves its results to the storage (the time used so far is billed).' },
  sync: { action: 'sync', label: 'SYNC', explain: 'Copies the partial results to the storage now, without stopping, so you can look at them before deciding.' },
  'open-log': { action: 'open-log', label: 'Open the log', explain: 'Shows the solver output around the problem.' },
};

export type Detected = Omit<InsightWarningView, 'since'>;

const fmt = (v: number): string => (Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? String(Number(v.toPrecision(3))) : v.toExponential(1));

function median(a: number[]): number {
  const s = [...a].sort((p, q) => p - q);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Residuals of one or more fields rising for a sustained stretch. */
export function residualsRising(series: Map<string, SeriesData>, th: WarningThresholds = DEFAULT_THRESHOLDS): Detected | null {
  const rising: { field: string; from: number; to: number; steps: number; at: number }[] = [];
  for (const [key, s] of series) {
    if (!key.startsWith('residual:')) continue;
    for (let w = th.residualWindow; ; w *= 2) {
      const n = Math.min(w, s.y.length);
      if (n < 12) break;
      const ys = s.y.slice(-n).map((v) => Math.log10(Math.max(v, 1e-300)));
      const half = Math.floor(n / 2);
      const older = median(ys.slice(0, half));
      const recent = median(ys.slice(half));
      const tail = ys.slice(-Math.max(3, Math.floor(n / 4)));
      const stillHigh = Math.min(...tail) > older; // not a spike that has come back down
      if (recent - older >= th.residualRiseDecades && 10 ** recent >= th.residualFloor && stillHigh) {
        rising.push({ field: key.slice('residual:'.length), from: 10 ** older, to: s.y[s.y.length - 1]!, steps: n, at: s.x[s.x.length - 1]! });
        break;
      }
      if (n === s.y.length || w * 2 > th.residualWindowMax) break;
    }
  }
  if (rising.length === 0) return null;
  rising.sort((a, b) => b.to / b.from - a.to / a.from);
  const top = rising.slice(0, 3).map((r) => `${r.field} from ${fmt(r.from)} to ${fmt(r.to)}`).join(', ');
  return {
    code: 'residuals-rising',
    severity: 'warning',
    headline: 'may be diverging',
    seen: `Initial residuals rose over the last ${rising[0]!.steps} steps: ${top}.`,
    atSolverTime: rising[0]!.at,
    options: [OPTIONS['soft-stop'], OPTIONS.sync, OPTIONS['open-log']],
  };
}

/** Courant number above the threshold for several steps in a row. */
export function courantHigh(max: SeriesData | undefined, th: WarningThresholds = DEFAULT_THRESHOLDS): Detected | null {
  if (!max || max.y.length < th.courantSustain) return null;
  const tail = max.y.slice(-th.courantSustain);
  if (!tail.every((v) => v > th.courant)) return null;
  return {
    code: 'courant-high',
    severity: 'warning',
    headline: 'has a Courant number above ' + fmt(th.courant),
    seen: `Courant number max ${tail.map(fmt).join(', ')} over the last ${th.courantSustain} steps (threshold ${fmt(th.courant)}): the time step is too large for the mesh and the flow.`,
    atSolverTime: max.x[max.x.length - 1]!,
    options: [OPTIONS['soft-stop'], OPTIONS.sync, OPTIONS['open-log']],
  };
}

export function failureWarning(code: 'fds-instability' | 'floating-point-exception', text: string, at: number | null): Detected {
  const fds = code === 'fds-instability';
  return {
    code: fds ? 'fds-instability' : 'solver-crashed',
    severity: 'error',
    headline: fds ? 'stopped on a numerical instability' : 'crashed on a floating point exception',
    seen: `The solver printed "${text.slice(0, 160)}"${at !== null ? ` at solver time ${fmt(at)}` : ''}.`,
    atSolverTime: at,
    options: [OPTIONS.sync, OPTIONS['open-log']],
  };
}

/**
 * The solver clock stopped advancing: the last advance is older than the threshold and the log was
 * read at least twice since (so the silence was seen, not assumed).
 */
export function stalled(readings: Reading[], reads: number[], nowMs: number, th: WarningThresholds = DEFAULT_THRESHOLDS): Detected | null {
  if (readings.length === 0) return null;
  const last = readings[readings.length - 1]!;
  const readsSince = reads.filter((r) => r > last.at).length;
  if (readsSince < 2 || nowMs - last.at < th.stallMs) return null;
  const minutes = Math.round((nowMs - last.at) / 60_000);
  return {
    code: 'stalled',
    severity: 'warning',
    headline: 'has stopped advancing',
    seen: `The solver time has stayed at ${fmt(last.t)} for ${minutes} min over ${readsSince} reads of the log, while the run is still billed.`,
    atSolverTime: last.t,
    options: [OPTIONS.sync, OPTIONS['soft-stop'], OPTIONS['open-log']],
  };
}

/** "Simulation 10001 may be diverging" and the body of a notification for it. */
export function notificationText(id: number, w: Pick<InsightWarningView, 'headline' | 'seen' | 'options'>): { title: string; body: string } {
  return { title: `Simulation ${id} ${w.headline}`, body: `${w.seen} Options: ${w.options.map((o) => `${o.label}: ${o.explain}`).join(' ')}` };
}

export type { InsightWarningCode };

// Run insight as the UI, `serve` and the command line see it: progress against the solver's own
// clock, ETA with its uncertainty, cost so far and at the end, early warnings, and the parsed
// convergence series as plain arrays for the charts. Pure types and small pure formatters (no Node,
// no DOM), so the renderer may import them. Built by src-main/node/simulation/insight/.

export type InsightFamily = 'fds' | 'openfoam' | 'code_saturne' | 'code_aster' | 'calculix' | 'other';

/** Where the end of the run comes from (shown beside the percent so the user can check it). */
export interface RunWindowView {
  /** Solver clock at the start of this run (T_BEGIN, startTime, the restart time...). */
  start: number;
  /** Solver clock at the end (T_END, endTime, the last time step...). */
  end: number;
  /** 's' for solver time in seconds, 'step' for a step or increment count, '' for a unitless clock (steady iterations). */
  unit: 's' | 'step' | '';
  /** "T_END in room_fire.fds", "endTime in system/controlDict"... */
  source: string;
}

export interface RunProgressView {
  /** false: the log gives no step or time against a known end; nothing below is a guess. */
  known: boolean;
  /** Why progress is unknown (when known is false), e.g. "code_aster logs no time against a known end here". */
  reason: string | null;
  /** 0..100, null when unknown. */
  percent: number | null;
  /** The latest solver time (or step) read from the log. */
  solverTime: number | null;
  window: RunWindowView | null;
  /** Seconds of wall-clock time the run has been observed running (from its start when known). */
  elapsedSeconds: number | null;
  /** Remaining wall-clock seconds, null until two readings of the log show the solver clock advancing. */
  etaSeconds: number | null;
  /** Uncertainty of the ETA (half-width, seconds): "≈ 25 min (± 3 min)". */
  etaUncertaintySeconds: number | null;
  /** Solver seconds (or steps) per wall-clock second, smoothed. */
  rate: number | null;
  /** Wall-clock ms (epoch) of the last reading that moved the solver clock. */
  lastAdvanceAt: number | null;
  /** The run restarted from an earlier solver time at least once (counted from the log). */
  restarts: number;
}

export interface RunCostView {
  /** EUR so far: the service's `cost` when it gives one, else estimated from vCPU hours and the price. */
  costSoFar: number | null;
  /** true when costSoFar is the service's own figure. */
  costFromService: boolean;
  /** vCPU hours so far (service's `cpu_hrs`, else elapsed × vCPU). */
  cpuHoursSoFar: number | null;
  /** EUR at the end at the current pace (cost so far × (elapsed + ETA) / elapsed); null without an ETA or a cost. */
  projectedCost: number | null;
  /** EUR per vCPU hour used for the estimate, when one was used. */
  pricePerCpuHour: number | null;
}

export type InsightWarningCode = 'residuals-rising' | 'courant-high' | 'fds-instability' | 'solver-crashed' | 'stalled';

export interface InsightOptionView {
  action: 'soft-stop' | 'sync' | 'open-log';
  label: string;
  /** What choosing it does, in one sentence. */
  explain: string;
}

export interface InsightWarningView {
  code: InsightWarningCode;
  severity: 'warning' | 'error';
  /** "may be diverging", "has stopped advancing"... (the caller puts the run id in front). */
  headline: string;
  /** What was seen, with numbers: "p initial residual rose from 1.2e-4 to 3.4e-2 over the last 40 steps". */
  seen: string;
  /** Solver time where it was seen, when it applies. */
  atSolverTime: number | null;
  /** Wall-clock ms when it was first raised. */
  since: number;
  options: InsightOptionView[];
}

/** One plotted line: x and y of the same length; y null is a gap. */
export interface ChartSeriesView {
  /** Stable key, e.g. "residual:p", "courant:max". */
  key: string;
  label: string;
  x: number[];
  y: (number | null)[];
}

export interface ChartView {
  /** Stable id, e.g. "residuals", "courant". */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Plot y on a log10 scale (values ≤ 0 are gaps). */
  logY: boolean;
  /** x is wall-clock seconds since epoch (hardware monitor) rather than solver time. */
  xIsWallClock: boolean;
  series: ChartSeriesView[];
}

export interface RunInsightView {
  id: number;
  family: InsightFamily;
  progress: RunProgressView;
  cost: RunCostView;
  warnings: InsightWarningView[];
  charts: ChartView[];
  /** Wall-clock ms of the last log text read. */
  updatedAt: number | null;
}

// ---------------------------------------------------------------------------------------------
// Formatting shared by the UI and the command line.

/** 1530 → "26 min"; 40 → "40 s"; 7300 → "2 h 02 min". Rounded to what an estimate deserves. */
function formatApproxDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m % 60).padStart(2, '0')} min`;
}

/** "≈ 25 min (± 3 min)"; "–" without an ETA. */
export function formatEta(p: Pick<RunProgressView, 'etaSeconds' | 'etaUncertaintySeconds'>): string {
  if (p.etaSeconds === null || !Number.isFinite(p.etaSeconds)) return '–';
  const u = p.etaUncertaintySeconds;
  const main = `≈ ${formatApproxDuration(p.etaSeconds)}`;
  return u !== null && Number.isFinite(u) && u >= 1 ? `${main} (± ${formatApproxDuration(u)})` : main;
}

/** A solver clock value with its unit: "12.5 s", "step 400", "1200". */
export function formatSolverTime(v: number | null, unit: RunWindowView['unit'] | undefined): string {
  if (v === null || !Number.isFinite(v)) return '–';
  const num = Math.abs(v) >= 1000 || Number.isInteger(v) ? String(Math.round(v * 1000) / 1000) : v.toPrecision(4).replace(/\.?0+$/, '');
  if (unit === 's') return `${num} s`;
  if (unit === 'step') return `step ${num}`;
  return num;
}

/**
 * One line for a terminal or a tray tooltip: "42 % · 12.6 s of 30 s · ETA ≈ 25 min (± 3 min) · ≈ € 0.42 so far"
 * (vCPU hours so far while no price is known).
 */
export function progressLine(v: Pick<RunInsightView, 'progress' | 'cost'>): string {
  const p = v.progress;
  const parts: string[] = [];
  if (!p.known) parts.push(p.reason ?? 'no progress information');
  else {
    parts.push(`${p.percent ?? 0} %`);
    if (p.window) parts.push(`${formatSolverTime(p.solverTime, p.window.unit)} of ${formatSolverTime(p.window.end, p.window.unit)}`);
    parts.push(`ETA ${formatEta(p)}`);
  }
  if (v.cost.costSoFar !== null) parts.push(`${v.cost.costFromService ? '' : '≈ '}€ ${v.cost.costSoFar.toFixed(v.cost.costSoFar > 0 && v.cost.costSoFar < 0.01 ? 4 : 2)} so far`);
  else if (v.cost.cpuHoursSoFar !== null) parts.push(`${v.cost.cpuHoursSoFar.toFixed(v.cost.cpuHoursSoFar < 1 ? 3 : 2)} vCPU h so far`);
  return parts.join(' · ');
}

// Progress and ETA on the solver's own clock. Pure: readings (wall-clock ms when the log text was
// observed, solver time it showed) in, an estimate out; the caller passes "now", so tests and
// benchmarks use a fake or simulated clock.
//
// Rate = solver time per wall-clock second: a weighted least-squares slope over the readings of the
// current segment (since the start or the last restart), recent readings weighing more (half-life:
// half the observed span, at least 5 minutes), so a run whose time step changes is followed without
// jumping at every reading. Uncertainty: the slope's standard error, plus the resolution of the
// readings (the solver prints its clock in steps: a reading can lag by one print interval), plus a
// floor while only two readings exist.

export interface Reading {
  /** Wall-clock ms when the text was observed. */
  at: number;
  /** Solver time (or step) the text showed last. */
  t: number;
}

export interface EtaEstimate {
  /** Solver units per wall-clock second; null until two readings show the clock advancing. */
  rate: number | null;
  etaSeconds: number | null;
  etaUncertaintySeconds: number | null;
}

const NONE: EtaEstimate = { rate: null, etaSeconds: null, etaUncertaintySeconds: null };
const MIN_HALF_LIFE_MS = 5 * 60_000;

/**
 * @param readings ascending by `at`, one per observation (the caller keeps the last solver time of each read)
 * @param end solver time at which the run ends
 * @param nowMs wall-clock now
 * @param printStep typical solver-time increment between two printed progress lines (reading resolution); 0 if unknown
 */
export function estimateEta(readings: Reading[], end: number, nowMs: number, printStep = 0): EtaEstimate {
  // keep one reading per wall time, the latest solver time of it
  const pts: Reading[] = [];
  for (const r of readings) {
    if (!Number.isFinite(r.at) || !Number.isFinite(r.t)) continue;
    const last = pts[pts.length - 1];
    if (last && r.at <= last.at) { if (r.at === last.at) last.t = r.t; continue; }
    pts.push({ ...r });
  }
  if (pts.length < 2) return NONE;
  const first = pts[0]!;
  const last = pts[pts.length - 1]!;
  if (!(last.t > first.t) || !(last.at > first.at)) return NONE;

  const span = last.at - first.at;
  const halfLife = Math.max(span / 2, MIN_HALF_LIFE_MS);
  let sw = 0, sx = 0, sy = 0;
  const w = pts.map((p) => 0.5 ** ((last.at - p.at) / halfLife));
  pts.forEach((p, i) => { sw += w[i]!; sx += w[i]! * (p.at / 1000); sy += w[i]! * p.t; });
  const mx = sx / sw;
  const my = sy / sw;
  let sxx = 0, sxy = 0;
  pts.forEach((p, i) => { const dx = p.at / 1000 - mx; sxx += w[i]! * dx * dx; sxy += w[i]! * dx * (p.t - my); });
  if (!(sxx > 0)) return NONE;
  const rate = sxy / sxx;
  if (!(rate > 0) || !Number.isFinite(rate)) return { ...NONE, rate: rate > 0 ? rate : null };

  // where the solver is now: the last reading moved on at the current rate
  const tNow = Math.min(end, last.t + rate * Math.max(0, nowMs - last.at) / 1000);
  const eta = Math.max(0, (end - tNow) / rate);

  // relative uncertainty of the rate
  let rel2 = 0;
  const n = pts.length;
  if (n >= 3) {
    let sse = 0;
    pts.forEach((p, i) => { const r = p.t - (my + rate * (p.at / 1000 - mx)); sse += w[i]! * r * r; });
    const dof = Math.max(1, n - 2);
    const se = Math.sqrt(sse / dof / sxx);
    rel2 += (se / rate) ** 2;
  }
  if (printStep > 0) rel2 += (printStep / (rate * span / 1000)) ** 2;
  let rel = Math.sqrt(rel2);
  if (n < 3) rel = Math.max(rel, 0.3);
  return { rate, etaSeconds: eta, etaUncertaintySeconds: eta * rel };
}

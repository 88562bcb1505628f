// Case-consistent solver output for the emulator's runs, driven by the simulated clock: the run's
// steps are spread evenly over its running time, so the solver clock reaches the end the case
// states (FDS &TIME T_BEGIN/T_END; OpenFOAM controlDict startTime/endTime/deltaT; code_saturne
// <time_parameters>; code_aster JUSQU_A/INST_FIN; CalculiX step periods) exactly when the run ends.
// Formats follow the solvers' real output (see src-main/node/simulation/insight/parsers/ for the
// sources of each line). Everything is deterministic: noise comes from a hash of (seed, step), so a
// run replayed from persisted state prints the same lines.
//
// Behaviour (for fault tests), from an optional `emulator-behaviour.json` at the top of the case
// folder: {"mode": "steady" | "diverging" | "stalled", "at": 0.6}
// - diverging (OpenFOAM, FDS): residuals (FDS: velocity error) rise for a stretch, the Courant
//   number (FDS: CFL) climbs (FDS also shrinks its time step); at fraction `at` of the steps (default 0.6)
//   OpenFOAM dies on a floating point exception, FDS on a numerical instability; the run ends ERROR.
// - stalled: no solver line after fraction `at` (default 0.4); the run stays RUNNING to its end.

import type { SolverFamily } from './options';
import type { CaseView } from './solvers';

export type RunMode = 'steady' | 'diverging' | 'stalled';

/** Persisted with the simulation (plain JSON). */
export interface LogPlan {
  family: SolverFamily;
  mode: RunMode;
  /** Steps printed over the whole running time. */
  steps: number;
  begin: number;
  end: number;
  /** OpenFOAM deltaT (time values are rounded to it); FDS: steps between two progress lines. */
  deltaT: number;
  /** true when the clock counts iterations/steps (steady OpenFOAM, code_saturne iterations). */
  integerClock: boolean;
  /** Step at which a diverging run fails, or a stalled run stops printing; null for steady. */
  breakStep: number | null;
  seed: number;
  jobName: string;
  fields: string[];
}

const BEHAVIOUR_FILE = 'emulator-behaviour.json';

const numRe = String.raw`([-+]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][-+]?\d+)?)`;

function numberAfter(text: string, key: string): number | null {
  const m = new RegExp(String.raw`\b${key}\s*=\s*${numRe}`, 'i').exec(text);
  const v = m ? Number(m[1]!.replace(/[dD]/, 'e')) : Number.NaN;
  return Number.isFinite(v) ? v : null;
}

function foamEntry(text: string, key: string): string | null {
  const clean = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  return new RegExp(String.raw`^\s*${key}\s+([^;]+);`, 'm').exec(clean)?.[1]?.trim() ?? null;
}

async function readOr(view: CaseView, rel: string): Promise<string> {
  if (!view.files.includes(rel)) return '';
  try {
    return await view.read(rel);
  } catch {
    return '';
  }
}

const top = (files: string[], ext: string): string | undefined => files.filter((f) => !f.includes('/') && f.toLowerCase().endsWith(ext)).sort()[0];

/** Reads the case for its clock and the behaviour file; `steps` = steps printed over the run. */
export async function planLog(family: SolverFamily, view: CaseView, steps: number, jobName: string, seed: number): Promise<LogPlan> {
  let begin = 0;
  let end = steps;
  let deltaT = 1;
  let integerClock = true;
  let fields = ['Ux', 'Uy', 'p'];
  switch (family) {
    case 'fds': {
      const input = top(view.files, '.fds');
      const text = input ? await readOr(view, input) : '';
      const timeRec = /^\s*&TIME\b[^/]*/im.exec(text)?.[0] ?? '';
      begin = numberAfter(timeRec, 'T_BEGIN') ?? 0;
      end = numberAfter(timeRec, 'T_END') ?? 1;
      deltaT = 100; // FDS prints its progress line every 100 steps
      integerClock = false;
      break;
    }
    case 'openFoam': {
      const cd = await readOr(view, 'system/controlDict');
      const n = (k: string): number | null => { const v = foamEntry(cd, k); const x = v === null ? Number.NaN : Number(v); return Number.isFinite(x) ? x : null; };
      begin = n('startTime') ?? 0;
      end = n('endTime') ?? begin + steps;
      deltaT = n('deltaT') ?? 1;
      const app = foamEntry(cd, 'application') ?? 'simpleFoam';
      integerClock = /simple/i.test(app) && Number.isInteger(deltaT);
      fields = integerClock ? ['Ux', 'Uy', 'Uz', 'p', 'k', 'omega'] : ['Ux', 'Uy', 'p'];
      break;
    }
    case 'codeSaturne': {
      const xml = top(view.files, '.xml') ?? view.files.find((f) => /^DATA\/.*\.xml$/i.test(f));
      const text = xml ? await readOr(view, xml) : '';
      const it = /<iterations>\s*(\d+)\s*<\/iterations>/.exec(text)?.[1];
      const tmax = /<maximum_time>\s*([^<\s]+)\s*<\/maximum_time>/.exec(text)?.[1];
      const dtRef = Number(/<time_step_ref>\s*([^<\s]+)\s*<\/time_step_ref>/.exec(text)?.[1] ?? '0.01');
      deltaT = Number.isFinite(dtRef) && dtRef > 0 ? dtRef : 0.01;
      if (it) { begin = 0; end = Number(it); integerClock = true; }
      else if (tmax && Number.isFinite(Number(tmax))) { begin = 0; end = Number(tmax); integerClock = false; }
      else { begin = 0; end = steps; integerClock = true; }
      break;
    }
    case 'codeAster': {
      const comm = top(view.files, '.comm');
      const text = comm ? await readOr(view, comm) : '';
      const jusqu = [...text.matchAll(new RegExp(String.raw`JUSQU_A\s*=\s*${numRe}`, 'g'))].map((m) => Number(m[1])).filter(Number.isFinite);
      begin = numberAfter(text, 'DEBUT') ?? 0;
      end = numberAfter(text, 'INST_FIN') ?? (jusqu.length ? Math.max(...jusqu) : 1);
      integerClock = false;
      break;
    }
    case 'calculiX': {
      const inp = top(view.files, '.inp');
      const text = inp ? await readOr(view, inp) : '';
      const periods = [...text.matchAll(/^\*(?:STATIC|DYNAMIC|HEAT TRANSFER|COUPLED TEMPERATURE-DISPLACEMENT|VISCO)[^\n]*\n(?:\*\*[^\n]*\n)*([^*\n][^\n]*)/gim)].map((m) => Number(m[1]!.split(',')[1]));
      begin = 0;
      end = periods.length ? periods.reduce((s, p) => s + (Number.isFinite(p) && p > 0 ? p : 1), 0) : 1;
      integerClock = false;
      break;
    }
    default:
      break;
  }
  if (!(end > begin)) end = begin + 1;
  let mode: RunMode = 'steady';
  let at: number | null = null;
  const behaviour = await readOr(view, BEHAVIOUR_FILE);
  if (behaviour) {
    try {
      const b = JSON.parse(behaviour) as { mode?: unknown; at?: unknown };
      if (b.mode === 'diverging' || b.mode === 'stalled') mode = b.mode;
      if (typeof b.at === 'number' && b.at > 0 && b.at < 1) at = b.at;
    } catch { /* not JSON: steady */ }
  }
  if (mode === 'diverging' && family !== 'openFoam' && family !== 'fds') mode = 'steady';
  const breakStep = mode === 'steady' ? null : Math.max(2, Math.round(steps * (at ?? (mode === 'diverging' ? 0.6 : 0.4))));
  return { family, mode, steps: Math.max(1, steps), begin, end, deltaT, integerClock, breakStep, seed, jobName, fields };
}

/** Deterministic noise in [-1, 1) from (seed, step, k). */
function noise(seed: number, i: number, k: number): number {
  let h = (seed ^ Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(k + 7, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h / 0x80000000 - 1;
}

const e = (x: number, d = 6): string => x.toExponential(d).replace(/e([+-])(\d)$/, 'e$10$2');
/** Fortran-style `0.659E-01` as FDS prints. */
function fortranE(x: number, d = 3): string {
  if (x === 0) return `0.${'0'.repeat(d)}E+00`;
  const exp = Math.floor(Math.log10(Math.abs(x))) + 1;
  const mant = x / 10 ** exp;
  return `${mant.toFixed(d).replace(/^(-?)0\./, '$1' + '0.')}E${exp >= 0 ? '+' : '-'}${String(Math.abs(exp)).padStart(2, '0')}`;
}
const g6 = (x: number): string => String(Number(x.toPrecision(6)));

/** Solver clock after step i (1-based) of the plan. */
function clockAt(p: LogPlan, i: number): number {
  const t = p.begin + ((p.end - p.begin) * i) / p.steps;
  if (p.integerClock) return Math.round(t);
  if (p.family === 'openFoam' && p.deltaT > 0) return Number((Math.round(t / p.deltaT) * p.deltaT).toPrecision(10));
  return t;
}

/** Steps that may be printed so far (a stalled run stops at its break step, a diverging one dies there). */
export function printableSteps(p: LogPlan, due: number): number {
  return p.breakStep === null ? due : Math.min(due, p.breakStep);
}

/** How far into its divergence step i is: 0 before it starts, 1 at the failure. */
function divergence(p: LogPlan, i: number): number {
  if (p.mode !== 'diverging' || p.breakStep === null) return 0;
  const len = Math.max(12, Math.round(p.breakStep * 0.5));
  const startAt = p.breakStep - len;
  return i <= startAt ? 0 : Math.min(1, (i - startAt) / len);
}

export function planStepLines(p: LogPlan, i: number, date: Date): string[] {
  const t = clockAt(p, i);
  const div = divergence(p, i);
  switch (p.family) {
    case 'fds': {
      const step = i * p.deltaT;
      const baseDt = (p.end - p.begin) / (p.steps * p.deltaT);
      const dt = baseDt * (1 + 0.05 * noise(p.seed, i, 1)) * 10 ** (-2 * div);
      const velErr = 0.02 * Math.exp(-i / (p.steps / 4)) * (1 + 0.3 * Math.abs(noise(p.seed, i, 2))) * 10 ** (3 * div) + 1e-3;
      const cfl = Math.min(0.95, 0.6 + 0.2 * Math.abs(noise(p.seed, i, 3))) + 4 * div * div;
      const when = `${date.toLocaleString('en-US', { month: 'long', timeZone: 'UTC' })} ${date.getUTCDate()}, ${date.getUTCFullYear()}  ${date.toISOString().slice(11, 19)}`;
      return [
        ` Time Step: ${String(step).padStart(6)}, Simulation Time: ${t.toFixed(2).padStart(9)} s`,
        `       Time Step ${String(step).padStart(7)}   ${when}`,
        `       Step Size:    ${fortranE(dt)} s, Total Time: ${t.toFixed(2).padStart(10)} s`,
        `       Pressure Iterations: ${1 + Math.round(Math.abs(noise(p.seed, i, 4)) * 2 + 8 * div)}`,
        `       Maximum Velocity Error:  ${fortranE(velErr, 2)} on Mesh 1 at (${10 + (i % 7)},${12 + (i % 5)},4)`,
        '       ---------------------------------------------------------------',
        `       Max CFL number:  ${fortranE(cfl, 2)} at (${15 + (i % 3)},8,13)`,
      ];
    }
    case 'openFoam': {
      const lines: string[] = [];
      const transient = !p.integerClock;
      if (transient) {
        const coMax = (0.7 + 0.15 * noise(p.seed, i, 1)) * 10 ** (2 * div);
        lines.push(`Courant Number mean: ${g6(coMax * 0.22)} max: ${g6(coMax)}`);
        lines.push(`deltaT = ${g6(p.deltaT)}`);
      }
      lines.push(`Time = ${g6(t)}`, '');
      const decay = Math.exp(-(i / p.steps) * 7);
      const r0: Record<string, number> = { Ux: 0.08, Uy: 0.12, Uz: 0.1, p: 0.4, k: 0.05, omega: 0.03 };
      p.fields.forEach((f, k) => {
        const base = (r0[f] ?? 0.1) * decay * (1 + 0.35 * noise(p.seed, i, 10 + k)) + 2e-7;
        const r = div > 0 ? Math.max(base, base * 10 ** (6 * div)) : base;
        const solver = f === 'p' ? 'GAMG' : 'smoothSolver';
        lines.push(`${solver}:  Solving for ${f}, Initial residual = ${g6(r)}, Final residual = ${g6(r * (f === 'p' ? 0.008 : 0.02))}, No Iterations ${f === 'p' ? 6 + Math.round(20 * div) : 2 + Math.round(3 * div)}`);
        if (f === 'p') {
          const local = 1e-5 * decay * 10 ** (5 * div) * (1 + 0.3 * Math.abs(noise(p.seed, i, 30)));
          lines.push(`time step continuity errors : sum local = ${g6(local)}, global = ${g6(local * 0.01 * noise(p.seed, i, 31))}, cumulative = ${g6(local * 0.05)}`);
        }
      });
      lines.push(`ExecutionTime = ${(i * 1.7).toFixed(2)} s  ClockTime = ${Math.round(i * 1.8)} s`, '');
      return lines;
    }
    case 'codeSaturne':
      return ['', ` INSTANT ${(p.integerClock ? i * p.deltaT : t).toFixed(9).padStart(18)}    TIME STEP NUMBER ${String(p.integerClock ? t : i).padStart(15)}`, ' =============================================================', '', ` ** INFORMATION ON CONVERGENCE`, `   Pressure: residual ${e(0.05 * Math.exp(-i / 8), 4)}`];
    case 'codeAster':
      return ['', `  Instant de calcul: ${e(t, 12).padStart(19)} - Niveau de découpe: 1`, `  Itération de Newton 1   RESI_GLOB_RELA ${e(1e-3 * Math.exp(-i / 8), 5)}`];
    case 'calculiX': {
      const size = (p.end - p.begin) / p.steps;
      return [` increment ${i} attempt 1 `, ` increment size= ${e(size)}`, ` sum of previous increments=${e(t - size)}`, ` actual step time=${e(t)}`, ` actual total time=${e(t)}`, '', ' iteration 1', '', ` average force= ${e(12.3 * (1 + Math.exp(-i / 8)))}`, '', ' convergence', ''];
    }
    case 'snappyHexMesh':
      return [`Surface refinement iteration ${i}`, '------------------------------', `Marked for refinement ${Math.round(12000 * Math.exp(-i / 8))} cells.`];
    case 'openRadioss':
      return [`  CYCLE ${i * 1000}   TIME ${e(i * 1e-4, 4)}   DT ${e(1e-7, 4)}   ${p.jobName}   ENERGY ERROR ${(0.1 * Math.exp(-i / 8)).toFixed(2)}%`];
    case 'custom':
      return [`[${p.jobName}] step ${i} done`];
  }
}

/** What a diverging run prints when it dies (after its break step). */
export function planFailureLines(p: LogPlan): string[] {
  if (p.family === 'fds') return [`ERROR: Numerical Instability - FDS stopped (CHID: ${p.jobName})`];
  return [
    '',
    '#0  Foam::error::printStack(Foam::Ostream&) at ??:?',
    '#1  Foam::sigFpe::sigHandler(int) at ??:?',
    '#2  ? in /lib/x86_64-linux-gnu/libc.so.6',
    '#3  Foam::GAMGSolver::scale(Foam::Field<double>&, Foam::Field<double>&, Foam::lduMatrix const&, Foam::FieldField<Foam::Field, double> const&, Foam::UPtrList<Foam::lduInterfaceField const> const&, Foam::Field<double> const&, unsigned char) const at ??:?',
    '--------------------------------------------------------------------------',
    'mpirun noticed that process rank 0 with PID 0 on node cloudhpc exited on signal 8 (Floating point exception).',
    '--------------------------------------------------------------------------',
  ];
}

/** The solver clock at the last printed step, as result folders name it (OpenFOAM time folder, FDS end time). */
export function lastClock(p: LogPlan, printed: number): string {
  return g6(clockAt(p, Math.max(0, printed)));
}

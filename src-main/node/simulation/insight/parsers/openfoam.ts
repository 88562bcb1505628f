// OpenFOAM solvers' standard output, as in real logs:
//   `Time = 231` / `Time = 0.3` / `Time = 0.1s` (OpenFOAM-11 and later print the unit)
//   `Courant Number mean: 0.222158 max: 0.852134`       (before `Time =` in pimpleFoam-style
//                                                          solvers, after it in icoFoam: attached
//                                                          to the step it belongs to)
//   `Interface Courant Number mean: 0 max: 0`            (interFoam)
//   `deltaT = 0.00119048`
//   `smoothSolver:  Solving for Ux, Initial residual = 0.000678332, Final residual = 4.52615e-05, No Iterations 6`
//   `time step continuity errors : sum local = 0.0149028, global = 0.00139143, cumulative = 1.23859`
//   `#1  Foam::sigFpe::sigHandler(int) in ...` / `Floating point exception (core dumped)`
//   `End`
// Sources: gerlero/openfoam-app#160 (simpleFoam), precice/tutorials#476 and #575 (diverging
// pimpleFoam/pimpleFoam FSI), ladybug-tools/butterfly#243 (banner), CFD Support's OpenFOAM
// training notes ("Iteration output"). The first initial residual of a field in a time step is
// the one plotted (as foamMonitor and PyFoam do); continuity errors keep the last corrector's.

import { type LogParser, type LogRecord, NUM, num } from '../records';

const TIME = new RegExp(String.raw`^Time = (${NUM})s?\s*$`);
const COURANT = new RegExp(String.raw`^(Interface )?Courant Number mean: (${NUM}) max: (${NUM})`);
const DELTA_T = new RegExp(String.raw`^deltaT = (${NUM})\s*$`);
const RESIDUAL = new RegExp(String.raw`^[\w:]+:\s+Solving for ([\w.:]+), Initial residual = (${NUM}), Final residual = (${NUM}), No Iterations (\d+)`);
const CONTINUITY = new RegExp(String.raw`^time step continuity errors : sum local = (${NUM}), global = (${NUM}), cumulative = (${NUM})`);
const FPE = /sigFpe::sigHandler|Floating point exception/;
const BANNER = /^(Exec\s*:|Starting time loop\s*$)/;
const END = /^End\s*$/;

export class OpenFoamParser implements LogParser {
  private time: number | null = null;
  /** A solve was seen since the last `Time =`: a Courant line now belongs to the next step. */
  private solvedSinceTime = true;
  private pendingCourant: LogRecord[] = [];

  line(raw: string): LogRecord[] {
    const text = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = TIME.exec(text))) {
      const t = num(m[1]);
      if (!Number.isFinite(t)) return [];
      this.time = t;
      this.solvedSinceTime = false;
      const out: LogRecord[] = [{ kind: 'time', time: t }];
      for (const r of this.pendingCourant) if (r.kind === 'value') out.push({ ...r, x: t });
      this.pendingCourant = [];
      return out;
    }
    if ((m = RESIDUAL.exec(text))) {
      this.solvedSinceTime = true;
      if (this.time === null) return [];
      const y = num(m[2]);
      return Number.isFinite(y) ? [{ kind: 'value', series: `residual:${m[1]}`, x: this.time, y, combine: 'first' }] : [];
    }
    if ((m = COURANT.exec(text))) {
      const prefix = m[1] ? 'interface-courant' : 'courant';
      const recs: LogRecord[] = [
        { kind: 'value', series: `${prefix}:mean`, x: this.time ?? 0, y: num(m[2]), combine: 'last' },
        { kind: 'value', series: `${prefix}:max`, x: this.time ?? 0, y: num(m[3]), combine: 'max' },
      ].filter((r) => Number.isFinite(r.y)) as LogRecord[];
      if (this.time === null || this.solvedSinceTime) {
        this.pendingCourant = recs;
        return [];
      }
      return recs;
    }
    if ((m = DELTA_T.exec(text))) {
      // printed just before `Time =` of the step it sets
      const y = num(m[1]);
      if (Number.isFinite(y)) this.pendingCourant.push({ kind: 'value', series: 'delta-t', x: 0, y, combine: 'last' });
      return [];
    }
    if ((m = CONTINUITY.exec(text))) {
      if (this.time === null) return [];
      const x = this.time;
      return [
        { kind: 'value', series: 'continuity:local', x, y: Math.abs(num(m[1])), combine: 'last' },
        { kind: 'value', series: 'continuity:global', x, y: Math.abs(num(m[2])), combine: 'last' },
        { kind: 'value', series: 'continuity:cumulative', x, y: Math.abs(num(m[3])), combine: 'last' },
      ].filter((r) => Number.isFinite(r.y)) as LogRecord[];
    }
    if (FPE.test(text)) return [{ kind: 'failure', code: 'floating-point-exception', text }];
    if (END.test(text)) return [{ kind: 'end', text }];
    if (BANNER.test(text)) return [{ kind: 'banner', text }];
    return [];
  }

  gap(): void {
    this.pendingCourant = [];
    this.solvedSinceTime = true;
  }
}

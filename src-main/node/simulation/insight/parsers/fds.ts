// FDS: the progress line it prints on its standard output and the per-step diagnostics of its
// `.out` file, both seen in real logs:
//   ` Time Step:  23500, Simulation Time:    178.38 s`             (FDS 6, firemodels/fds#8208)
//   ` Time Step: 606000,    Simulation Time:   1759.46 s`          (FDS 5.3, firemodels/fds#724)
//   `       Time Step      50   December 28, 2021  12:00:43`       (.out, firemodels/fds#10178)
//   `       Step Size:    0.659E-01 s, Total Time:       4.15 s`
//   `       Pressure Iterations: 1`
//   `       Maximum Velocity Error:  0.12E-01 on Mesh 1 at (16,8,11)`
//   `       Maximum Pressure Error:  0.82E+00 on Mesh 1 at (15,8,15)`
//   `       Max CFL number:  0.80E+00 at (15,8,13)`                  (one per mesh)
//   `       Time step:  0.28868 s, Total time:       0.29 s`        (older .out, per mesh)
//   `ERROR: Numerical Instability - FDS stopped (CHID: ...)`       (firemodels/fds#11492; older: `STOP: Numerical Instability`)
//   `STOP: FDS completed successfully (CHID: Steckler_010)`
// A `.out` block's values may come before its time line (older format): they wait for it.

import { type LogParser, type LogRecord, NUM, num } from '../records';

const STDOUT_STEP = new RegExp(String.raw`^\s*Time Step:?\s+(\d+)\s*,\s*Simulation Time:\s*(${NUM})\s*s`, 'i');
const OUT_STEP = /^\s*Time Step\s+(\d+)\s+[A-Za-z]+\s+\d{1,2},\s+\d{4}/;
const STEP_SIZE = new RegExp(String.raw`^\s*(?:Step Size|Time step):\s*(${NUM})\s*s\s*,\s*Total Time:\s*(${NUM})\s*s`, 'i');
const PRESSURE_IT = /^\s*Pressure Iterations:\s*(\d+)/i;
const VEL_ERR = new RegExp(String.raw`^\s*Maximum Velocity Error:\s*(${NUM})`, 'i');
const PRES_ERR = new RegExp(String.raw`^\s*Maximum Pressure Error:\s*(${NUM})`, 'i');
const CFL = new RegExp(String.raw`^\s*(?:Mesh\s+\d+,\s*)?Max CFL number:\s*(${NUM})`, 'i');
const INSTABILITY = /Numerical Instability/i;
const COMPLETED = /^\s*STOP:\s*FDS completed successfully/i;
const BANNER = /^\s*Fire Dynamics Simulator\s*$/;

interface Pending { series: string; y: number; combine: 'first' | 'last' | 'max' }

export class FdsParser implements LogParser {
  /** Solver time of the `.out` block being read (null until its time line). */
  private blockTime: number | null = null;
  private pending: Pending[] = [];
  /** Solver time of the latest stdout progress line (values outside a block attach to it). */
  private lastTime: number | null = null;

  line(text: string): LogRecord[] {
    let m: RegExpExecArray | null;
    if ((m = STDOUT_STEP.exec(text))) {
      const t = num(m[2]);
      if (!Number.isFinite(t)) return [];
      this.lastTime = t;
      return [{ kind: 'time', time: t, step: Number(m[1]) }];
    }
    if (OUT_STEP.test(text)) {
      this.blockTime = null;
      this.pending = [];
      return [];
    }
    if ((m = STEP_SIZE.exec(text))) {
      const dt = num(m[1]);
      const t = num(m[2]);
      if (!Number.isFinite(t)) return [];
      const first = this.blockTime === null;
      this.blockTime = t;
      this.lastTime = t;
      const out: LogRecord[] = [];
      if (first) out.push({ kind: 'time', time: t });
      if (Number.isFinite(dt)) out.push({ kind: 'value', series: 'step-size', x: t, y: dt, combine: 'first' });
      for (const p of this.pending) out.push({ kind: 'value', series: p.series, x: t, y: p.y, combine: p.combine });
      this.pending = [];
      return out;
    }
    if ((m = PRESSURE_IT.exec(text))) return this.value('pressure-iterations', Number(m[1]), 'last');
    if ((m = VEL_ERR.exec(text))) return this.value('velocity-error', num(m[1]), 'last');
    if ((m = PRES_ERR.exec(text))) return this.value('pressure-error', num(m[1]), 'last');
    if ((m = CFL.exec(text))) return this.value('cfl', num(m[1]), 'max');
    if (INSTABILITY.test(text)) return [{ kind: 'failure', code: 'fds-instability', text: text.trim() }];
    if (COMPLETED.test(text)) return [{ kind: 'end', text: text.trim() }];
    if (BANNER.test(text)) return [{ kind: 'banner', text: text.trim() }];
    return [];
  }

  gap(): void {
    this.blockTime = null;
    this.pending = [];
  }

  private value(series: string, y: number, combine: Pending['combine']): LogRecord[] {
    if (!Number.isFinite(y)) return [];
    const x = this.blockTime;
    if (x === null) {
      if (this.pending.length < 64) this.pending.push({ series, y, combine });
      return [];
    }
    return [{ kind: 'value', series, x, y, combine }];
  }
}

// The solvers whose logs give a clock against an end the case states, read from their sources:
// - code_saturne (run_solver.log): ` INSTANT    0.200000000    TIME STEP NUMBER              20`
//   (cs_time_loop: `" INSTANT %18.9f    TIME STEP NUMBER %15d"`, older versions `%18.9e`);
//   the clock is the step number when the case stops on a number of iterations, else the time.
// - code_aster (.mess / output): ` Instant de calcul:  1.000000000000e-01 - Niveau de découpe: 1`
//   (messages MECANONLINE6_1 and _6, code_aster's bibpyt/Messages/mecanonline6.py).
// - CalculiX (ccx standard output, nonlingeo.c): ` increment 3 attempt 1 `, ` increment size= 1.000000e-01`,
//   ` actual total time=3.000000e-01`, then ` convergence` once the increment converged (a cut-back
//   reattempts the increment with a smaller size: only converged increments count), ` Job finished`.

import { type LogParser, type LogRecord, NUM, num } from '../records';

const SATURNE_STEP = new RegExp(String.raw`^\s*INSTANT\s+(${NUM})\s+TIME STEP NUMBER\s+(\d+)`);
const SATURNE_END = /^\s*END OF CALCULATION|^\s*code_saturne: calculation (ended|finished)/i;

export class SaturneParser implements LogParser {
  constructor(private readonly clock: 'time' | 'step') {}

  line(text: string): LogRecord[] {
    const m = SATURNE_STEP.exec(text);
    if (m) {
      const t = num(m[1]);
      const step = Number(m[2]);
      const time = this.clock === 'step' ? step : t;
      return Number.isFinite(time) ? [{ kind: 'time', time, step }] : [];
    }
    if (SATURNE_END.test(text)) return [{ kind: 'end', text: text.trim() }];
    return [];
  }

  gap(): void { /* no multi-line state */ }
}

const ASTER_INSTANT = new RegExp(String.raw`Instant de calcul:\s*(${NUM})`);
const ASTER_END = /ARRET NORMAL DANS "FIN"|<FIN> ARRET NORMAL/;

export class AsterParser implements LogParser {
  line(text: string): LogRecord[] {
    const m = ASTER_INSTANT.exec(text);
    if (m) {
      const t = num(m[1]);
      return Number.isFinite(t) ? [{ kind: 'time', time: t }] : [];
    }
    if (ASTER_END.test(text)) return [{ kind: 'end', text: text.trim() }];
    return [];
  }

  gap(): void { /* no multi-line state */ }
}

const CCX_INCREMENT = /^\s*increment (\d+) attempt (\d+)\s*$/;
const CCX_SIZE = new RegExp(String.raw`^\s*increment size=\s*(${NUM})`);
const CCX_TOTAL = new RegExp(String.raw`^\s*actual total time=\s*(${NUM})`);
const CCX_CONVERGED = /^\s*convergence\s*$/;
const CCX_END = /^\s*Job finished/;

export class CalculixParser implements LogParser {
  private increment: number | null = null;
  private size: number | null = null;
  private total: number | null = null;

  line(text: string): LogRecord[] {
    let m: RegExpExecArray | null;
    if ((m = CCX_INCREMENT.exec(text))) {
      this.increment = Number(m[1]);
      this.size = null;
      this.total = null;
      return [];
    }
    if ((m = CCX_SIZE.exec(text))) { this.size = num(m[1]); return []; }
    if ((m = CCX_TOTAL.exec(text))) { this.total = num(m[1]); return []; }
    if (CCX_CONVERGED.test(text)) {
      const t = this.total;
      if (t === null || !Number.isFinite(t)) return [];
      const out: LogRecord[] = [{ kind: 'time', time: t, ...(this.increment !== null ? { step: this.increment } : {}) }];
      if (this.size !== null && Number.isFinite(this.size)) out.push({ kind: 'value', series: 'increment-size', x: t, y: this.size, combine: 'last' });
      this.total = null;
      return out;
    }
    if (CCX_END.test(text)) return [{ kind: 'end', text: text.trim() }];
    return [];
  }

  gap(): void {
    this.total = null;
    this.size = null;
  }
}

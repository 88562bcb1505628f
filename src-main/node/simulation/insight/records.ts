// What a solver log parser reads out of one line: typed records, never text to parse again.

/** How several values of one series at the same solver time combine (PISO correctors, meshes...). */
export type Combine = 'first' | 'last' | 'max';

export type LogRecord =
  /** The solver clock reached `time` (seconds, or a step/iteration count for step-clocked solvers). */
  | { kind: 'time'; time: number; step?: number }
  /** One value of a series at solver time x. */
  | { kind: 'value'; series: string; x: number; y: number; combine: Combine }
  /** The solver printed its banner: a start, or a restart when steps were seen before. */
  | { kind: 'banner'; text: string }
  /** The solver failed in a way that ends the run (numerical instability, floating point exception). */
  | { kind: 'failure'; code: 'fds-instability' | 'floating-point-exception'; text: string }
  /** The solver's own normal end line. */
  | { kind: 'end'; text: string };

/** One solver family's log reader: fed one clean line at a time, in order; keeps its own state. */
export interface LogParser {
  line(text: string): LogRecord[];
  /** Lines were missed (a window of the log that did not overlap): forget any half-read block. */
  gap(): void;
}

/** A number as solvers print it (Fortran may use D exponents). */
export const NUM = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][-+]?\d+)?`;

export function num(s: string | undefined): number {
  if (s === undefined) return Number.NaN;
  return Number(s.replace(/[dD]/, 'e'));
}

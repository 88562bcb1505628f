// The output log of a simulation (view/{id}, one API call per read), on demand or followed while
// the simulation is active at a budget-derived interval. Only the new tail is handed on, and it is
// diagnosed as it arrives.

import { TERMINAL_STATUSES, type BudgetState, type CallOptions, type Simulation } from '../api/types';
import { LogDiagnoser, type Diagnosis } from './diagnosis';
import { realScheduler, type Scheduler } from './scheduler';
import { pollInterval } from './tracker';

export interface LogClient {
  view(id: number, o?: CallOptions): Promise<Simulation>;
  readonly budget: { state(): BudgetState };
}

export interface LogReaderOptions {
  client: LogClient;
  id: number;
  scheduler?: Scheduler;
  /** Share of the hourly limit following may use; default 1/3. */
  share?: number;
  minIntervalMs?: number;
  maxIntervalMs?: number;
  onText?: (text: string) => void;
  onDiagnosis?: (d: Diagnosis) => void;
  /** Told once, when close() is called. */
  onClose?: () => void;
}

/** The part of `next` that `prev` did not show. Handles a log that only keeps its last lines. */
export function newTail(prev: string, next: string): string {
  if (next.startsWith(prev)) return next.slice(prev.length);
  // the service may send a window of the log: find where the old end sits in the new text
  for (const size of [2000, 500, 120]) {
    if (prev.length < size) continue;
    const anchor = prev.slice(-size);
    const at = next.lastIndexOf(anchor);
    if (at >= 0) return next.slice(at + anchor.length);
  }
  return next === prev ? '' : `\n[... log restarted ...]\n${next}`;
}

export class LogReader {
  private readonly client: LogClient;
  private readonly sched: Scheduler;
  private share: number;
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly diag = new LogDiagnoser();
  private text = '';
  private last: Simulation | null = null;
  private cancel: (() => void) | null = null;
  private closed = false;
  private rejectFollow: ((e: Error) => void) | null = null;

  constructor(private readonly o: LogReaderOptions) {
    this.client = o.client;
    this.sched = o.scheduler ?? realScheduler();
    this.share = o.share ?? 1 / 3;
    this.minMs = o.minIntervalMs ?? 30_000;
    this.maxMs = o.maxIntervalMs ?? 10 * 60_000;
  }

  /** The polling share changed (a setting): the next follow interval uses it. */
  setShare(share: number): void {
    this.share = share;
  }

  /** The whole log read so far. */
  get log(): string { return this.text; }

  get simulation(): Simulation | null { return this.last; }

  diagnoses(): Diagnosis[] { return this.diag.all(); }

  /** Reads the log once (1 call); returns the new tail. */
  async fetch(priority: 'user' | 'background' = 'user'): Promise<string> {
    const sim = await this.client.view(this.o.id, { priority });
    this.last = sim;
    const out = sim.output ?? '';
    const tail = newTail(this.text, out);
    this.text = out;
    if (tail) {
      this.o.onText?.(tail);
      for (const d of this.diag.feed(tail)) this.o.onDiagnosis?.(d);
    }
    if (TERMINAL_STATUSES.includes(sim.status)) for (const d of this.diag.end()) this.o.onDiagnosis?.(d);
    return tail;
  }

  /** Reads now, then again while the simulation is active; resolves with the final state. */
  follow(): Promise<Simulation> {
    return new Promise<Simulation>((resolve, reject) => {
      this.rejectFollow = reject;
      const step = (first: boolean): void => {
        if (this.closed) { reject(new Error('Stopped following the log.')); return; }
        this.fetch(first ? 'user' : 'background').then(() => {
          const sim = this.last!;
          if (TERMINAL_STATUSES.includes(sim.status)) { resolve(sim); return; }
          const st = this.client.budget.state();
          const ms = pollInterval({ hourlyLimit: st.known ? st.hourlyLimit : null, hourlyLeft: st.hourlyLeft, share: this.share, assumedHourlyLimit: 100, watched: true, hidden: false, minMs: this.minMs, maxMs: this.maxMs });
          this.cancel = this.sched.after(ms, () => { this.cancel = null; step(false); });
        }, reject);
      };
      step(true);
    });
  }

  close(): void {
    if (!this.closed) this.o.onClose?.();
    this.closed = true;
    this.cancel?.();
    this.cancel = null;
    this.rejectFollow?.(new Error('Stopped following the log.'));
    this.rejectFollow = null;
  }
}

// Stop and SYNC of a simulation, offered only when they make sense, at user priority (they go
// through even when background work waits for budget), each explained in one line. A second
// request of the same kind while one is in flight gets the same promise. A hard stop needs an
// explicit confirmation. After a SYNC, the results are pulled a few times as the partial results
// reach the storage.

import { isCloudHpcError } from '../api/errors';
import { SimStatus, TERMINAL_STATUSES, type CallOptions, type Simulation, type StopSignal } from '../api/types';
import { statusName } from './run-summary';
import { realScheduler, type Scheduler } from './scheduler';

export const EXPLAIN = {
  softStop: 'Soft stop (SIGTSTP): stops at the current iteration and saves the results to the storage; it can take several minutes.',
  hardStop: 'Hard stop (SIGINT): kills the run at once; nothing is saved to the storage.',
  sync: 'SYNC: the run copies its partial results to the storage (a few minutes later) and goes on; they are pulled as they arrive.',
} as const;

export type ControlAction = 'soft-stop' | 'hard-stop' | 'sync';

export class ControlError extends Error {
  constructor(message: string, readonly code: 'finished' | 'not-applicable' | 'needs-confirmation' | 'failed') {
    super(message);
    this.name = 'ControlError';
  }
}

export interface ControlClient {
  viewShort(id: number, o?: CallOptions): Promise<Simulation>;
  stopSimulation(id: number, signal?: StopSignal, o?: CallOptions): Promise<boolean>;
  syncSimulation(id: number, o?: CallOptions): Promise<boolean>;
}

export interface ControlOptions {
  client: ControlClient;
  /** Latest known state of a simulation (the tracker's), to skip a view-short call. */
  known?: (id: number) => Simulation | undefined;
  scheduler?: Scheduler;
  /** Pulls the results of a simulation's folder. */
  pull?: (sim: Simulation) => Promise<void>;
  /** After a SYNC, pull at these delays (ms). Default 3, 6 and 10 minutes. */
  syncPullDelaysMs?: number[];
  /** Told after a stop or sync went through (e.g. the tracker tracks it). */
  onControlled?: (id: number, action: ControlAction) => void;
}

export interface Availability {
  softStop: boolean;
  hardStop: boolean;
  sync: boolean;
  /** Why nothing (or only some) is offered. */
  reason: string | null;
}

/** Which controls make sense for a simulation in this status. */
export function availability(s: Pick<Simulation, 'id' | 'status'>): Availability {
  switch (s.status) {
    case SimStatus.PENDING: return { softStop: true, hardStop: true, sync: false, reason: 'SYNC needs a running simulation.' };
    case SimStatus.RUNNING: return { softStop: true, hardStop: true, sync: true, reason: null };
    case SimStatus.STOPPING: return { softStop: false, hardStop: true, sync: true, reason: 'A soft stop is already saving the results.' };
    default: return { softStop: false, hardStop: false, sync: false, reason: `Simulation ${s.id} has already finished (${statusName(s.status)}): there is nothing to stop or sync.` };
  }
}

export class SimulationControl {
  private readonly client: ControlClient;
  private readonly known?: (id: number) => Simulation | undefined;
  private readonly sched: Scheduler;
  private readonly pull?: (sim: Simulation) => Promise<void>;
  private readonly delays: number[];
  private readonly onControlled?: (id: number, action: ControlAction) => void;
  private readonly inflight = new Map<string, Promise<ControlResult>>();
  private readonly pulls = new Map<number, (() => void)[]>();

  constructor(o: ControlOptions) {
    this.client = o.client;
    this.known = o.known;
    this.sched = o.scheduler ?? realScheduler();
    this.pull = o.pull;
    this.delays = o.syncPullDelaysMs ?? [3 * 60_000, 6 * 60_000, 10 * 60_000];
    this.onControlled = o.onControlled;
  }

  softStop(id: number): Promise<ControlResult> {
    return this.once('soft-stop', id, () => this.stop(id, 'SIGTSTP'));
  }

  /** Hard stop: refused unless `confirmed` (the user said yes to "nothing is saved"). */
  hardStop(id: number, opts: { confirmed: boolean }): Promise<ControlResult> {
    if (!opts.confirmed) {
      return Promise.reject(new ControlError(`${EXPLAIN.hardStop} Confirm to go on (--yes on the command line).`, 'needs-confirmation'));
    }
    return this.once('hard-stop', id, () => this.stop(id, 'SIGINT'));
  }

  sync(id: number): Promise<ControlResult> {
    return this.once('sync', id, async () => {
      const sim = await this.current(id);
      const a = availability(sim);
      if (!a.sync) throw new ControlError(TERMINAL_STATUSES.includes(sim.status) ? a.reason! : `Simulation ${id} is ${statusName(sim.status)}: ${a.reason}`, TERMINAL_STATUSES.includes(sim.status) ? 'finished' : 'not-applicable');
      await this.send(id, sim, () => this.client.syncSimulation(id, { priority: 'user' }));
      this.onControlled?.(id, 'sync');
      const pullsAt = this.schedulePulls(sim);
      return { action: 'sync', simulation: sim, explanation: EXPLAIN.sync, pullsAt };
    });
  }

  /** Cancels the scheduled pulls (e.g. the app closes). */
  close(): void {
    for (const list of this.pulls.values()) for (const c of list) c();
    this.pulls.clear();
  }

  private once(action: ControlAction, id: number, fn: () => Promise<ControlResult>): Promise<ControlResult> {
    const key = `${action}:${id}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = fn().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async stop(id: number, signal: StopSignal): Promise<ControlResult> {
    const action: ControlAction = signal === 'SIGINT' ? 'hard-stop' : 'soft-stop';
    const sim = await this.current(id);
    const a = availability(sim);
    const ok = signal === 'SIGINT' ? a.hardStop : a.softStop;
    if (!ok) throw new ControlError(TERMINAL_STATUSES.includes(sim.status) ? a.reason! : `Simulation ${id} is ${statusName(sim.status)}: ${a.reason} ${signal === 'SIGTSTP' ? 'A hard stop is still possible.' : ''}`.trim(), TERMINAL_STATUSES.includes(sim.status) ? 'finished' : 'not-applicable');
    await this.send(id, sim, () => this.client.stopSimulation(id, signal, { priority: 'user' }));
    this.onControlled?.(id, action);
    return { action, simulation: sim, explanation: signal === 'SIGINT' ? EXPLAIN.hardStop : EXPLAIN.softStop, pullsAt: [] };
  }

  /** Sends the request; a refusal because the run ended meanwhile becomes the clear "finished" message. */
  private async send(id: number, sim: Simulation, call: () => Promise<boolean>): Promise<void> {
    try {
      await call();
    } catch (e) {
      if (!isCloudHpcError(e) || e.kind === 'network' || e.kind === 'rate-limited' || e.kind === 'unauthorized' || e.kind === 'cancelled') throw e;
      const now = await this.client.viewShort(id, { priority: 'user' }).catch(() => sim);
      if (TERMINAL_STATUSES.includes(now.status)) throw new ControlError(availability(now).reason!, 'finished');
      throw new ControlError(`cloudHPC refused the request for simulation ${id}: ${e.serviceMessage ?? e.userMessage}`, 'failed');
    }
  }

  private async current(id: number): Promise<Simulation> {
    const k = this.known?.(id);
    // the tracker's state saves a call; if it is stale and the run ended, send() says so clearly
    if (k) return k;
    return this.client.viewShort(id, { priority: 'user' });
  }

  private schedulePulls(sim: Simulation): number[] {
    if (!this.pull) return [];
    const pull = this.pull;
    for (const c of this.pulls.get(sim.id) ?? []) c();
    const cancels: (() => void)[] = [];
    const at: number[] = [];
    for (const d of this.delays) {
      at.push(this.sched.now() + d);
      cancels.push(this.sched.after(d, () => { void pull(sim).catch(() => undefined); }));
    }
    this.pulls.set(sim.id, cancels);
    return at;
  }
}

export interface ControlResult {
  action: ControlAction;
  /** The simulation as it was when the request was sent. */
  simulation: Simulation;
  explanation: string;
  /** When the results will be pulled (SYNC only), scheduler ms. */
  pullsAt: number[];
}

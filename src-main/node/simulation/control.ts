// Stop and SYNC of a simulation, offered only when they make sense, at user priority (they go
// through even when background work waits for budget), each explained in one line. A second
// request of the same kind while one is in flight gets the same promise. A hard stop needs an
// explicit confirmation. (Pulling the partial results after a SYNC is the workspace's results
// schedule: src-main/node/workspace/results-schedule.ts.)

import { statusName } from '../../common/contract';
import { isCloudHpcError } from '../api/errors';
import { SimStatus, TERMINAL_STATUSES, type CallOptions, type Simulation, type StopSignal } from '../api/types';

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
  private readonly onControlled?: (id: number, action: ControlAction) => void;
  private readonly inflight = new Map<string, Promise<ControlResult>>();

  constructor(o: ControlOptions) {
    this.client = o.client;
    this.known = o.known;
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
      return { action: 'sync', simulation: sim, explanation: EXPLAIN.sync };
    });
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
    return { action, simulation: sim, explanation: signal === 'SIGINT' ? EXPLAIN.hardStop : EXPLAIN.softStop };
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
}

export interface ControlResult {
  action: ControlAction;
  /** The simulation as it was when the request was sent. */
  simulation: Simulation;
  explanation: string;
}

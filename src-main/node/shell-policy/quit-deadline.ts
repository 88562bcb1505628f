// Quitting waits for the core to stop (watchers closed, transfers aborted, indexes closed), but never
// forever: a hung stop (a dead network share, a keychain call that never returns) must not keep a
// quitting app alive. After the deadline the shell exits anyway; that is safe by design, because every
// index write is a committed SQLite transaction (WAL, synchronous=FULL) and every download goes to a
// temp file renamed into place, so an exit at any instant repeats at most the step in flight.

/** How long a normal quit waits for the core. */
export const QUIT_DEADLINE_MS = 8_000;
/** Windows ends the session soon after `session-end` (the OS gives a few seconds): a shorter wait. */
export const SESSION_END_DEADLINE_MS = 3_000;

export type StopOutcome = 'stopped' | 'failed' | 'timed-out';

export interface Timers {
  setTimeout(cb: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (cb, ms) => setTimeout(cb, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Runs stop() and settles with how it ended, at the latest after `ms`. Never rejects. */
export function stopWithin(stop: () => Promise<unknown>, ms: number, timers: Timers = realTimers): Promise<StopOutcome> {
  return new Promise<StopOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: StopOutcome): void => {
      if (settled) return;
      settled = true;
      timers.clearTimeout(handle);
      resolve(outcome);
    };
    const handle = timers.setTimeout(() => settle('timed-out'), ms);
    let running: Promise<unknown>;
    try {
      running = stop();
    } catch {
      settle('failed');
      return;
    }
    running.then(() => settle('stopped'), () => settle('failed'));
  });
}

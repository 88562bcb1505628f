// `--timeout SECONDS`, which every command takes: when it passes, whatever is in flight is aborted
// (the workspace's API calls and transfers share the command's signal) and the command ends with a
// clear message and exit code: 6 for push and pull (not everything transferred, rerun to continue),
// 5 for the others (cloudHPC did not answer in time). Ctrl-C aborts the same signal.
import { flagNumber, UsageError, type ParsedArgs } from './args';
import { EXIT } from './exit-codes';

/** Value flags every command takes besides its own. */
export const GLOBAL_VALUE_FLAGS = ['timeout'] as const;

/** The longest timer Node keeps (2^31 - 1 ms, about 24.8 days): a longer one fires after 1 ms. */
const MAX_TIMEOUT_SECONDS = Math.floor(2_147_483_647 / 1000);

export interface CommandDeadline {
  /** Aborts on Ctrl-C or when --timeout passes. */
  signal: AbortSignal;
  /** --timeout passed (not Ctrl-C). */
  timedOut(): boolean;
  dispose(): void;
}

export function commandDeadline(args: ParsedArgs, interrupt: AbortSignal): CommandDeadline {
  if (!args.flags.has('timeout')) return { signal: interrupt, timedOut: () => false, dispose: () => undefined };
  const seconds = flagNumber(args, 'timeout', 0);
  // Past Node's timer range the deadline would pass at once: refuse it rather than give up instantly.
  if (seconds > MAX_TIMEOUT_SECONDS) throw new UsageError(`--timeout is at most ${MAX_TIMEOUT_SECONDS} seconds (about 24 days), not ${seconds}; leave it out to wait without a deadline.`);
  const ms = seconds * 1000;
  const controller = new AbortController();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    controller.abort(new Error(`--timeout ${ms / 1000} passed`));
  }, ms);
  const onInterrupt = (): void => controller.abort(interrupt.reason);
  if (interrupt.aborted) onInterrupt();
  else interrupt.addEventListener('abort', onInterrupt, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => fired,
    dispose: () => {
      clearTimeout(timer);
      interrupt.removeEventListener('abort', onInterrupt);
    },
  };
}

/** The exit of a command whose --timeout passed. */
export function timedOutExit(command: string, args: ParsedArgs): { code: number; message: string } {
  const s = args.flags.get('timeout');
  const transfers = command === 'push' || command === 'pull';
  return {
    code: transfers ? EXIT.INCOMPLETE : EXIT.OFFLINE,
    message: `Gave up after --timeout ${String(s)} seconds: ${transfers ? 'not everything was transferred' : 'cloudHPC did not answer in time'}; what was in flight was stopped (nothing is corrupted). Run it again, with a longer --timeout if needed.`,
  };
}

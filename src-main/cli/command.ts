// A command of `cloudhpc-sync`: its name, one-line summary, usage text and run function (which
// returns an exit code from ./exit-codes). Commands live in ./commands/ and are listed in main.ts.
import type { ParsedArgs } from './args';
import type { CliContext } from './context';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Shown under the usage in --help: each a command line, optionally followed by '  # what it does'. */
  examples?: readonly string[];
  /** Flags that take a value (others are boolean). */
  valueFlags?: readonly string[];
  boolFlags?: readonly string[];
  run(args: ParsedArgs, ctx: CliContext, signal: AbortSignal): Promise<number>;
}

// cloudhpc-sync: the command line. A small dispatcher; each command lives in ./commands/<name>.ts.
// To add a command: write it there and add it to the list below (order = order in the help).
import { parseArgs, UsageError } from './args';
import type { Command } from './command';
import { push } from './commands/push';
import { pull } from './commands/pull';
import { status } from './commands/status';
import { watch } from './commands/watch';
import { launch } from './commands/launch';
import { wait } from './commands/wait';
import { stop } from './commands/stop';
import { sync } from './commands/sync';
import { log } from './commands/log';
import { simulations } from './commands/simulations';
import { serve } from './commands/serve';
import pkg from '../../package.json' with { type: 'json' };
import { ls } from './commands/ls';
import { get } from './commands/get';
import { rm } from './commands/rm';
import { type CliIo, createContext } from './context';
import { commandDeadline, GLOBAL_VALUE_FLAGS, timedOutExit, type CommandDeadline } from './deadline';
import { suggest } from './suggest';
import { EXIT } from './exit-codes';
import { exitFor } from './render';

/** The version of this build (package.json). */
const VERSION: string = pkg.version;

export const commands: Command[] = [
  push,
  pull,
  watch,
  status,
  launch,
  wait,
  stop,
  sync,
  log,
  simulations,
  ls,
  get,
  rm,
  serve,
];

function help(): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    'cloudhpc-sync — keep case folders in sync with cloudHPC storage',
    '',
    'Usage: cloudhpc-sync <command> [options]   (cloudhpc-sync <command> --help for details and examples)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Examples:',
    '  cloudhpc-sync push ~/cases/room_fire          # push a case folder once (it becomes a project)',
    '  cloudhpc-sync launch ~/cases/cavity --yes      # check, push and start a run with the app\'s preselection',
    '  cloudhpc-sync wait 12345                       # follow the run, then pull its results',
    '',
    'Every command takes --json (machine-readable output), --verbose (say more, e.g. where the API key came from),',
    '--timeout SECONDS (give up then, stopping what is in flight) and --help.',
    'API key: the one stored by the app (system keychain), or CLOUDHPC_API_KEY, which wins when set.',
    'Environment: CLOUDHPC_API_KEY, CLOUDHPC_API_URL (service URL), CLOUDHPC_SYNC_HOME (app data folder).',
    'cloudhpc-sync --version prints the version.',
    'Exit codes: 0 ok, 1 failure, 2 usage, 3 API key missing or refused, 4 deletions need --confirm-deletes (rm: --yes),',
    '            5 cloudHPC unreachable, 6 not everything transferred (rerun to continue), 130 interrupted.',
  ].join('\n');
}

/** Runs the CLI; returns the exit code. `signal` aborts (Ctrl-C). */
export async function main(argv: readonly string[], io: CliIo, signal: AbortSignal = new AbortController().signal): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${help()}\n`);
    return name ? EXIT.OK : EXIT.USAGE;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`cloudhpc-sync ${VERSION}\n`);
    return EXIT.OK;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    const near = suggest(name, commands.map((c) => c.name));
    io.stderr.write(near
      ? `Unknown command "${name}". Did you mean "${near}"? (cloudhpc-sync ${near} --help)\n`
      : `Unknown command "${name}".\n\n${help()}\n`);
    return EXIT.USAGE;
  }
  let json = rest.includes('--json');
  let ctx = createContext(io, { json, verbose: false });
  let deadline: CommandDeadline | null = null;
  let args: ReturnType<typeof parseArgs> | null = null;
  try {
    args = parseArgs(rest, { value: [...(cmd.valueFlags ?? []), ...GLOBAL_VALUE_FLAGS], bool: cmd.boolFlags });
    json = args.flags.has('json');
    deadline = commandDeadline(args, signal);
    ctx = createContext(io, { json, verbose: args.flags.has('verbose') }, deadline.signal);
    if (args.flags.has('help')) {
      const examples = cmd.examples?.length ? `\nExamples:\n${cmd.examples.map((e) => `  ${e}`).join('\n')}\n` : '';
      io.stdout.write(`${cmd.usage}\n${examples}`);
      return EXIT.OK;
    }
    return await cmd.run(args, ctx, deadline.signal);
  } catch (e) {
    const { code, message } = deadline?.timedOut() && args && !(e instanceof UsageError) ? timedOutExit(cmd.name, args)
      : signal.aborted && !(e instanceof UsageError) ? { code: cmd.name === 'watch' ? EXIT.OK : EXIT.INTERRUPTED, message: 'Interrupted: nothing is lost; run the command again to continue.' } : exitFor(e);
    if (json) io.stdout.write(`${JSON.stringify({ error: message, exitCode: code })}\n`);
    io.stderr.write(`cloudhpc-sync ${cmd.name}: ${message}\n`);
    return code;
  } finally {
    deadline?.dispose();
    await ctx.close();
  }
}

/** The process entry (bin/cloudhpc-sync.js): Ctrl-C aborts cleanly, a second one exits at once. */
export function runCli(): void {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.INTERRUPTED);
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  void main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, controller.signal).then((code) => {
    process.exitCode = code;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
}

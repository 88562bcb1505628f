// What every command gets: its output streams, the environment, and the Workspace (the same
// application layer as the app). The API key comes from the same key store chain as the app's
// (CLOUDHPC_API_KEY, then the OS keychain where the app stores it, then the fallbacks) and is never
// printed; `--verbose` says where it came from. The base URL: CLOUDHPC_API_URL, else the app's setting.
import { Workspace, type RunTuning } from '../node/workspace';
import { EXIT } from './exit-codes';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export class CliExit extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'CliExit';
  }
}

export interface CliContext extends CliIo {
  json: boolean;
  /** --verbose: say more (where the API key came from, informational log lines). */
  verbose: boolean;
  /** Progress bars only on a terminal and without --json. */
  tty: boolean;
  out(line: string): void;
  err(line: string): void;
  /** Prints one JSON document on stdout. */
  printJson(v: unknown): void;
  /**
   * The workspace of this command (opened once). `api: true` reads the API key and fails with exit
   * code 3 when there is none; without it no key is read and no API call can be made.
   */
  workspace(o?: { api?: boolean }): Promise<Workspace>;
  /** Things to close when the command ends. */
  onClose(fn: () => Promise<void>): void;
  close(): Promise<void>;
}

export const NO_KEY = 'No API key: store it in the app (it is kept in the system keychain, where this command finds it), or set CLOUDHPC_API_KEY to the key from your cloudHPC profile page.';

/** Test and demo knobs: CLOUDHPC_SYNC_POLL_MIN_MS (shortest poll interval), CLOUDHPC_SYNC_PULL_DELAYS_MS (pulls after a SYNC). */
export function cliTuning(env: NodeJS.ProcessEnv): RunTuning {
  const poll = Number(env.CLOUDHPC_SYNC_POLL_MIN_MS);
  const minMs = Number.isFinite(poll) && poll >= 50 ? poll : undefined;
  const delays = (env.CLOUDHPC_SYNC_PULL_DELAYS_MS ?? '').split(',').filter((x) => x.trim() !== '').map(Number).filter((n) => Number.isFinite(n) && n >= 0);
  return { trackerMinIntervalMs: minMs, logMinIntervalMs: minMs, syncPullDelaysMs: delays.length ? delays : undefined };
}

/** `signal`: the command's (Ctrl-C, --timeout): every API call and transfer of its workspace stops with it. */
export function createContext(io: CliIo, flags: { json: boolean; verbose: boolean }, signal?: AbortSignal): CliContext {
  const closers: Array<() => Promise<void>> = [];
  let ws: Workspace | null = null;
  let connected = false;
  const ctx: CliContext = {
    ...io,
    json: flags.json,
    verbose: flags.verbose,
    tty: Boolean(io.stdout.isTTY) && !flags.json,
    out: (line) => { io.stdout.write(`${line}\n`); },
    err: (line) => { io.stderr.write(`${line}\n`); },
    printJson: (v) => { io.stdout.write(`${JSON.stringify(v)}\n`); },
    workspace: async (o = {}) => {
      if (!ws) {
        const w = new Workspace({
          env: io.env,
          trackAll: false,
          signal,
          tuning: cliTuning(io.env),
          log: io.env.CLOUDHPC_SYNC_DEBUG ? (level, m) => io.stderr.write(`${level}: ${m}\n`) : undefined,
        });
        ws = w;
        closers.unshift(() => w.close());
      }
      if (o.api && !connected) {
        if (!(await ws.connect())) throw new CliExit(EXIT.AUTH, NO_KEY);
        connected = true;
        const source = ws.api.keySource();
        if (flags.verbose && source) ctx.err(`API key: from ${source.label}. ${source.detail}`);
      }
      return ws;
    },
    onClose: (fn) => { closers.push(fn); },
    close: async () => {
      for (const fn of closers.splice(0)) await fn().catch(() => undefined);
    },
  };
  return ctx;
}

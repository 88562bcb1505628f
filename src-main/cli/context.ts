// What every command gets: its output streams, the environment, and factories for the API client
// and the sync service. The API key comes from CLOUDHPC_API_KEY (later the key store) and is never
// printed; the base URL from CLOUDHPC_API_URL.
import { CloudHpcClient } from '../node/api/client';
import { ProjectRegistry } from '../node/project/registry';
import { appDataDir } from '../node/project/app-data';
import { type SyncCloud, SyncService } from '../node/sync/service';
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
  /** Progress bars only on a terminal and without --json. */
  tty: boolean;
  out(line: string): void;
  err(line: string): void;
  /** Prints one JSON document on stdout. */
  printJson(v: unknown): void;
  registry(): ProjectRegistry;
  /** Throws CliExit(AUTH) with what to do when no key is set. */
  client(): CloudHpcClient;
  /** A SyncService; offline=true gives one that never calls the service (status, dry runs). */
  service(opts?: { offline?: boolean }): SyncService;
  /** Things to close when the command ends (clients, services). */
  onClose(fn: () => Promise<void>): void;
  close(): Promise<void>;
}

const noCloud: SyncCloud = {
  uploadFile: () => Promise.reject(new Error('no API access in this command')),
  viewByPath: () => Promise.reject(new Error('no API access in this command')),
  deleteStorage: () => Promise.reject(new Error('no API access in this command')),
  deleteCache: () => Promise.reject(new Error('no API access in this command')),
  downloadUrl: () => Promise.reject(new Error('no API access in this command')),
  listChildren: () => Promise.reject(new Error('no API access in this command')),
  downloadToFile: () => Promise.reject(new Error('no API access in this command')),
};

export function createContext(io: CliIo, json: boolean): CliContext {
  const closers: Array<() => Promise<void>> = [];
  let client: CloudHpcClient | null = null;
  const ctx: CliContext = {
    ...io,
    json,
    tty: Boolean(io.stdout.isTTY) && !json,
    out: (line) => { io.stdout.write(`${line}\n`); },
    err: (line) => { io.stderr.write(`${line}\n`); },
    printJson: (v) => { io.stdout.write(`${JSON.stringify(v)}\n`); },
    registry: () => new ProjectRegistry(appDataDir(io.env)),
    client: () => {
      if (client) return client;
      const key = io.env.CLOUDHPC_API_KEY?.trim();
      if (!key) throw new CliExit(EXIT.AUTH, 'No API key: set CLOUDHPC_API_KEY to the key from your cloudHPC profile page.');
      const baseUrl = io.env.CLOUDHPC_API_URL?.trim() || undefined;
      const c = new CloudHpcClient({ apiKey: key, baseUrl });
      client = c;
      closers.push(() => c.close());
      return c;
    },
    service: (opts = {}) => {
      const cloud: SyncCloud = opts.offline ? noCloud : ctx.client();
      const c = client;
      const s = new SyncService({
        registry: ctx.registry(),
        cloud,
        budgetLeft: c ? () => c.budget.state().hourlyLeft : undefined,
        log: io.env.CLOUDHPC_SYNC_DEBUG ? (level, m) => io.stderr.write(`${level}: ${m}\n`) : undefined,
      });
      closers.unshift(() => s.close());
      return s;
    },
    onClose: (fn) => { closers.push(fn); },
    close: async () => {
      for (const fn of closers.splice(0)) await fn().catch(() => undefined);
    },
  };
  return ctx;
}

// Shared set-up of the client acceptance tests: a real emulator on loopback, a client pointed at
// it, and a log sink that keeps every line (for the "key never appears" checks).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../emulator/index';
import { CallBudget, type CallBudgetOptions } from '../../../src-main/node/api/budget';
import { CloudHpcClient, type ClientOptions } from '../../../src-main/node/api/client';

export const KEY = 'test-key-6f1c2d9e4b7a8c3d';

export interface Harness {
  emu: Emulator;
  client: CloudHpcClient;
  budget: CallBudget;
  logs: string[];
  tmp: string;
  makeClient(o?: Partial<ClientOptions>): CloudHpcClient;
  close(): Promise<void>;
}

/** Fast retry bounds for tests (the backoff shape is the real one, only shorter). */
export const fastRetry = { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 8, maxElapsedMs: 20_000, maxRetryAfterMs: 30_000 };

export async function harness(emuOpts: EmulatorOptions = {}, clientOpts: Partial<ClientOptions> = {}, budgetOpts: CallBudgetOptions = {}): Promise<Harness> {
  const emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0, ...emuOpts });
  const tmp = await mkdtemp(join(tmpdir(), 'client-it-'));
  const logs: string[] = [];
  const budget = new CallBudget({ now: () => emu.clock.now().getTime(), ...budgetOpts });
  const clients: CloudHpcClient[] = [];
  const makeClient = (o: Partial<ClientOptions> = {}) => {
    const c = new CloudHpcClient({
      baseUrl: emu.url,
      apiKey: KEY,
      budget,
      log: (level, message) => logs.push(`${level} ${message}`),
      retry: fastRetry,
      mediaLinkDelayMs: 5,
      ...clientOpts,
      ...o,
    });
    clients.push(c);
    return c;
  };
  const client = makeClient();
  return {
    emu,
    client,
    budget,
    logs,
    tmp,
    makeClient,
    close: async () => {
      for (const c of clients) await c.close();
      await emu.stop();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** Polls `cond` until it is true or the deadline passes (no fixed sleeps). */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

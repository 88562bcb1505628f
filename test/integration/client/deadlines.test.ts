// Issue 16, hole 7: every API call has a total deadline (a reply that drips one byte at a time never
// holds a call past it), every transfer a deadline derived from its size, a download stops at the
// listed size plus a margin (an endless body never fills the disk), and --timeout aborts the call in
// flight.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { EXIT } from '../../../src-main/cli/exit-codes';
import { startDrip, startEndless, type Drip, type Endless } from '../../hostile/servers';
import { cliHere } from '../workspace/helpers';

const KEY = 'deadline-key-0123456789';

describe('deadlines against replies that drip or never end', () => {
  let drip: Drip;
  let endless: Endless;
  let dir: string;
  beforeEach(async () => {
    drip = await startDrip(100);
    endless = await startEndless(256 * 1024 * 1024);
    dir = mkdtempSync(join(tmpdir(), 'deadlines-'));
  });
  afterEach(async () => {
    await drip.close();
    await endless.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an API call ends at its total deadline although bytes keep coming', async () => {
    const c = new CloudHpcClient({ apiKey: KEY, baseUrl: `${drip.origin}/api/v2`, callTimeoutMs: 1500, retry: { maxAttempts: 1 } });
    const started = Date.now();
    await expect(c.viewCpu({ priority: 'user' })).rejects.toMatchObject({ kind: 'network', detail: expect.stringMatching(/no complete reply within 1\.5 s/) });
    expect(Date.now() - started).toBeLessThan(10_000);
    await c.close();
  }, 20_000);

  it('a download that drips ends at the deadline derived from its size', async () => {
    const c = new CloudHpcClient({ apiKey: KEY, baseUrl: `${drip.origin}/api/v2`, transferBaseDeadlineMs: 1000, minTransferBytesPerSec: 1000, transferAttempts: 1 });
    const started = Date.now();
    await expect(c.downloadToFile(`${drip.origin}/gcs/x`, join(dir, 'slow.bin'), { expectedSize: 200 })).rejects.toMatchObject({ kind: 'transfer', detail: expect.stringMatching(/deadline/) });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(readdirSync(dir)).toEqual([]);
    await c.close();
  }, 20_000);

  it('an endless body stops at the listed size plus a margin; nothing is left on disk', async () => {
    const c = new CloudHpcClient({ apiKey: KEY, baseUrl: `${drip.origin}/api/v2`, transferAttempts: 1 });
    await expect(c.downloadToFile(`${endless.origin}/gcs/big`, join(dir, 'big.bin'), { expectedSize: 1024 * 1024 })).rejects.toMatchObject({ kind: 'transfer', detail: expect.stringMatching(/more than/) });
    expect(existsSync(join(dir, 'big.bin'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    expect(endless.sent).toBeLessThan(64 * 1024 * 1024);
    await c.close();
  }, 30_000);

  it('cloudhpc-sync simulations --timeout 3 aborts the call in flight and exits 5', async () => {
    const started = Date.now();
    const r = await cliHere(['simulations', '--timeout', '3', '--json'], { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: `${drip.origin}/api/v2`, CLOUDHPC_SYNC_HOME: join(dir, 'home') });
    expect(r.code, r.stderr).toBe(EXIT.OFFLINE);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.stderr).toMatch(/--timeout 3/);
    expect(drip.requests).toBeGreaterThan(0);
  }, 30_000);
});

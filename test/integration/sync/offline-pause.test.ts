// Offline: when cloudHPC goes away the project turns 'offline' and resumes by itself once the service
// is back. Pause/resume per project and globally. The state events' unsubscribe.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../../emulator/index';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { ProjectRegistry } from '../../../src-main/node/project/registry';
import { SyncService } from '../../../src-main/node/sync/service';
import type { ProjectStatus } from '../../../src-main/node/sync/status';
import { KEY } from './harness';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function setup(emuOpts: { port?: number; dataDir?: string } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'sync-off-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = emuOpts.dataDir ?? join(root, 'emu');
  let emu: Emulator | null = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0, dataDir, port: emuOpts.port });
  cleanups.push(async () => { await emu?.stop(); });
  const client = new CloudHpcClient({ apiKey: KEY, baseUrl: emu.url, retry: { baseDelayMs: 5, maxDelayMs: 50, maxAttempts: 2 } });
  const registry = new ProjectRegistry(join(root, 'home'));
  const service = new SyncService({ registry, cloud: client });
  cleanups.push(async () => { await service.close(); await client.close(); });
  const dir = join(root, 'caseO');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir);
  writeFileSync(join(dir, 'a.txt'), 'a');
  const states: ProjectStatus[] = [];
  const off = service.on('state', (s) => states.push(s));
  cleanups.push(off);
  return {
    root, dataDir, dir, client, registry, service, states,
    get emu() { return emu as Emulator; },
    async stopEmu() { await emu?.stop(); emu = null; },
    async startEmu(port: number) { emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0, dataDir, port }); },
  };
}

describe('offline and pause', () => {
  it('goes offline when the service is unreachable and resumes by itself when it is back', async () => {
    const t = await setup();
    const port = t.emu.port;
    const p = t.service.addProject(t.dir, { settings: { quietPeriodMs: 0 } });
    await t.service.ensurePushed(p.id);
    await t.stopEmu();
    await t.service.watch([p.id]);
    writeFileSync(join(t.dir, 'b.txt'), 'b');
    await until(() => t.service.status(p.id).state === 'offline', 'the offline state');
    expect(t.service.status(p.id).lastError?.action).toMatch(/resume by themselves/);
    await t.startEmu(port);
    await until(async () => t.service.status(p.id).state === 'idle' && (t.emu.calls(KEY).byEndpoint['POST /storage/upload-url'] ?? 0) >= 1, 'the push after the service came back');
    await until(async () => t.service.status(p.id).detail === 'Up to date' || t.service.status(p.id).detail === 'Pushed', 'idle after push');
  });

  it('pausing stops a transfer in flight; resume pushes from the last recorded step', async () => {
    const t = await setup();
    const { randomBytes } = await import('node:crypto');
    writeFileSync(join(t.dir, 'big.bin'), randomBytes(2_000_000));
    const p = t.service.addProject(t.dir, { settings: { quietPeriodMs: 0 } });
    t.emu.setFaults({ transferBytesPerSec: 100_000 });
    const uploads = () => t.emu.calls(KEY).byEndpoint['POST /storage/upload-url'] ?? 0;
    const run = t.service.syncNow(p.id).then(() => 'completed', (e: unknown) => `stopped: ${String(e)}`);
    await until(() => uploads() >= 1 && t.service.status(p.id).state === 'pushing', 'the upload to start');
    t.service.pause(p.id);
    expect(await run).toMatch(/^stopped/);
    expect(t.service.status(p.id).state).toBe('paused');
    const files = await t.emu.files(KEY, 'caseO');
    expect(files['upload.tar.gz']).toBeUndefined();
    t.emu.setFaults({});
    t.service.resume(p.id);
    await until(async () => Boolean((await t.emu.files(KEY, 'caseO'))['upload.tar.gz']) && t.service.status(p.id).state === 'idle', 'the push after resume');
  });

  it('pause stops pushing (per project and globally) until resume; unsubscribe stops events', async () => {
    const t = await setup();
    const p = t.service.addProject(t.dir, { settings: { quietPeriodMs: 0 } });
    await t.service.ensurePushed(p.id);
    const uploads = () => t.emu.calls(KEY).byEndpoint['POST /storage/upload-url'] ?? 0;
    await t.service.watch([p.id]);
    t.service.pause(p.id);
    expect(t.service.status(p.id).state).toBe('paused');
    expect(t.registry.get(p.id)?.settings.paused).toBe(true);
    const before = uploads();
    writeFileSync(join(t.dir, 'paused.txt'), 'x');
    await expect(t.service.syncNow(p.id).then(() => 'ran', () => 'refused')).resolves.toBe('ran'); // explicit sync overrides
    const afterExplicit = uploads();
    expect(afterExplicit).toBe(before + 1);
    writeFileSync(join(t.dir, 'paused2.txt'), 'y');
    // No background push while paused: the engine stays paused, nothing scheduled.
    expect(t.service.status(p.id).paused).toBe(true);
    t.service.resume(p.id);
    await until(() => uploads() > afterExplicit, 'the push after resume');

    let seen = 0;
    const unsubscribe = t.service.on('state', () => { seen++; });
    t.service.pause();
    expect(t.service.status(p.id).state).toBe('paused');
    expect(seen).toBeGreaterThan(0);
    unsubscribe();
    const n = seen;
    const total = t.states.length;
    t.service.resume();
    await until(() => t.service.status(p.id).state === 'idle', 'idle after global resume');
    expect(t.states.length).toBeGreaterThan(total);
    expect(seen).toBe(n);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type SimulationStartEvent } from '../../../emulator/index';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { ProjectRegistry } from '../../../src-main/node/project/registry';
import { Launcher, LaunchRefused, type LaunchStep } from '../../../src-main/node/simulation/launch';
import { SimulationOptionsCache } from '../../../src-main/node/simulation/options';
import { SimulationRecords } from '../../../src-main/node/simulation/records';
import { SyncService } from '../../../src-main/node/sync/service';

const KEY = 'launch-key-0123456789';

interface Rig { emu: Emulator; client: CloudHpcClient; service: SyncService; registry: ProjectRegistry; records: SimulationRecords; root: string; launcher: Launcher; steps: LaunchStep[] }
let rig: Rig | null = null;

async function setup(faults?: { dropReplyFor?: string[] }): Promise<Rig> {
  const emu = await startEmulator({ apiKey: KEY, timeScale: 0, faults });
  const root = mkdtempSync(join(tmpdir(), 'launch-it-'));
  const home = join(root, 'home');
  const client = new CloudHpcClient({ apiKey: KEY, baseUrl: emu.url, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
  const registry = new ProjectRegistry(home);
  const service = new SyncService({ registry, cloud: client, budgetLeft: () => client.budget.state().hourlyLeft });
  const records = new SimulationRecords(home);
  const steps: LaunchStep[] = [];
  const launcher = new Launcher({ client, sync: service, records, optionsCache: new SimulationOptionsCache({ dir: home }) });
  rig = { emu, client, service, registry, records, root, launcher, steps };
  return rig;
}

afterEach(async () => {
  if (!rig) return;
  await rig.service.close();
  await rig.client.close();
  await rig.emu.stop();
  rmSync(rig.root, { recursive: true, force: true });
  rig = null;
});

function makeCase(r: Rig, name: string, files: Record<string, string>): { dir: string; projectId: string; storageFolder: string } {
  const dir = join(r.root, name);
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  const project = r.registry.ensure(dir);
  return { dir, projectId: project.id, storageFolder: project.storageFolder };
}

function started(emu: Emulator): Promise<SimulationStartEvent> {
  return new Promise((resolve) => { const off = emu.onSimulationStart((e) => { off(); resolve(e); }); });
}

describe('launch', () => {
  it('pushes first, then adds the simulation once and records it against the project', async () => {
    const r = await setup();
    const c = makeCase(r, 'room', { 'room.fds': "&HEAD CHID='room' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TAIL /\n", 'notes/readme.txt': 'hello' });
    const start = started(r.emu);
    const res = await r.launcher.launch({ projectId: c.projectId, localDir: c.dir, storageFolder: c.storageFolder, cpu: 1, ram: 'standard', script: (await r.client.viewScripts()).find((s) => s.startsWith('fds'))!, onStep: (s) => r.steps.push(s) });
    expect(r.steps).toEqual(['options', 'preflight', 'push', 'add', 'recorded']);
    expect(res.report.errors).toBe(0);
    await r.emu.clock.advance(60);
    const e = await start;
    // the service saw exactly the local case when the run started
    expect(Object.keys(e.files)).toEqual(expect.arrayContaining(['room.fds', 'notes/readme.txt']));
    expect(e.simulation.id).toBe(res.id);
    expect(r.emu.simulations(KEY)).toHaveLength(1);
    const rec = r.records.get(res.id)!;
    expect(rec.projectId).toBe(c.projectId);
    expect(rec.folder).toBe(c.storageFolder);
    // No instance kind chosen: REGULAR, as everywhere (SPOT is not enabled on new accounts).
    expect(rec.regular).toBe(true);
    expect(r.emu.simulations(KEY)[0]!.nopre).toBe(1);
  });

  it('refuses on pre-flight errors without pushing or adding anything', async () => {
    const r = await setup();
    const c = makeCase(r, 'bad', { 'room.fds': '&MESH XB=0,1,0,1,0,1 /\n&MESH XB=1,2,0,1,0,1 /\n&MESH XB=2,3,0,1,0,1 /\n' });
    const err = await r.launcher.launch({ projectId: c.projectId, localDir: c.dir, storageFolder: c.storageFolder, cpu: 2, ram: 'standard', script: 'fds6.9.1' }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(LaunchRefused);
    expect((err as LaunchRefused).code).toBe('preflight-errors');
    expect((err as LaunchRefused).report!.findings.map((f) => f.id)).toContain('fds-too-many-processes');
    expect(r.emu.calls(KEY).byEndpoint['POST /simulation/add'] ?? 0).toBe(0);
    expect(r.emu.calls(KEY).byEndpoint['POST /storage/upload-url'] ?? 0).toBe(0);
  });

  it('asks on warnings: declined refuses, accepted launches', async () => {
    const r = await setup();
    const c = makeCase(r, 'warn', { 'run.sh': 'echo', 'cloudhpc.log': 'old log' });
    const req = { projectId: c.projectId, localDir: c.dir, storageFolder: c.storageFolder, cpu: 1, ram: 'standard', script: 'custom-script' };
    const declined = await r.launcher.launch({ ...req, confirm: () => false }).catch((x: unknown) => x);
    expect((declined as LaunchRefused).code).toBe('warnings-declined');
    expect(r.emu.simulations(KEY)).toHaveLength(0);
    let asked = 0;
    const ok = await r.launcher.launch({ ...req, confirm: (rep) => { asked = rep.warnings; return true; } });
    expect(asked).toBe(1);
    expect(r.emu.simulations(KEY).map((s) => s.id)).toEqual([ok.id]);
  });

  it('refuses a choice the service does not offer, with the offered ones', async () => {
    const r = await setup();
    const c = makeCase(r, 'x', { 'run.sh': 'echo' });
    const err = await r.launcher.launch({ projectId: c.projectId, localDir: c.dir, storageFolder: c.storageFolder, cpu: 3, ram: 'standard', script: 'custom-script' }).catch((x: unknown) => x);
    expect((err as LaunchRefused).code).toBe('invalid-choice');
    expect((err as Error).message).toContain('choose one of');
  });

  it('never launches twice: dropped add reply, and a double click', async () => {
    const r = await setup({ dropReplyFor: ['POST /simulation/add'] });
    const c = makeCase(r, 'drop', { 'run.sh': 'echo' });
    const req = { projectId: c.projectId, localDir: c.dir, storageFolder: c.storageFolder, cpu: 1, ram: 'standard', script: 'custom-script' };
    const a = r.launcher.launch(req);
    const b = r.launcher.launch(req);
    expect(b).toBe(a);
    const res = await a;
    expect(r.emu.simulations(KEY).map((s) => s.id)).toEqual([res.id]);
    expect(r.emu.calls(KEY).byEndpoint['POST /simulation/add']).toBe(1);
    // the reply was lost: the client looked the run up in index-short instead of sending again
    expect(r.emu.calls(KEY).byEndpoint['GET /simulation/index-short/{field}/{order}/{page}']).toBeGreaterThanOrEqual(2);
    expect(r.records.list(c.projectId).map((x) => x.id)).toEqual([res.id]);
  });
});

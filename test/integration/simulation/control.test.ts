import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import type { Simulation } from '../../../src-main/node/api/types';
import { availability, ControlError, EXPLAIN, SimulationControl } from '../../../src-main/node/simulation/control';
import { formatRunSummary, remoteAccess } from '../../../src-main/node/simulation/run-summary';
import { ManualScheduler } from '../../../src-main/node/simulation/scheduler';

const KEY = 'control-key-0123456789';
const STOP = 'PUT /simulation/stop/{id}';
const SYNC = 'PUT /simulation/sync/{id}';

let emu: Emulator | null = null;
let client: CloudHpcClient | null = null;
afterEach(async () => {
  await client?.close();
  await emu?.stop();
  emu = null;
  client = null;
});

async function setup(): Promise<{ emu: Emulator; client: CloudHpcClient; sched: ManualScheduler }> {
  const sched = new ManualScheduler();
  emu = await startEmulator({ apiKey: KEY, timeScale: 0, startTime: new Date(sched.now()), durations: { pendingSeconds: 30, runSeconds: 600, stoppingSeconds: 60 } });
  client = new CloudHpcClient({ apiKey: KEY, baseUrl: emu.url });
  return { emu, client, sched };
}

async function running(e: Emulator, c: CloudHpcClient, folder = 'case'): Promise<number> {
  await e.seedFile(KEY, `${folder}/run.sh`, 'echo');
  const id = await c.addSimulation({ cpu: 1, ram: 'standard', script: 'custom-script', folder });
  await e.clock.advance(40);
  return id;
}

const calls = (e: Emulator, ep: string): number => e.calls(KEY).byEndpoint[ep] ?? 0;

describe('simulation controls', () => {
  it('says clearly that a finished run cannot be stopped or synced, and sends nothing', async () => {
    const { emu: e, client: c } = await setup();
    const id = await running(e, c);
    await e.clock.advance(700);
    const control = new SimulationControl({ client: c });
    for (const p of [control.softStop(id), control.hardStop(id, { confirmed: true }), control.sync(id)]) {
      const err = await p.catch((x: unknown) => x);
      expect(err).toBeInstanceOf(ControlError);
      expect((err as ControlError).code).toBe('finished');
      expect((err as ControlError).message).toContain('already finished (COMPLETED)');
    }
    expect(calls(e, STOP) + calls(e, SYNC)).toBe(0);
  });

  it('turns the service refusal into the clear message when the known state was stale', async () => {
    const { emu: e, client: c } = await setup();
    const id = await running(e, c);
    const stale = await c.viewShort(id);
    await e.clock.advance(700);
    const control = new SimulationControl({ client: c, known: () => stale });
    const err = await control.softStop(id).catch((x: unknown) => x);
    expect((err as ControlError).code).toBe('finished');
    expect(e.simulations(KEY)[0]!.status).toBe(10);
  });

  it('deduplicates a second click while the first is in flight, and needs confirmation for a hard stop', async () => {
    const { emu: e, client: c } = await setup();
    const id = await running(e, c);
    const control = new SimulationControl({ client: c });
    const a = control.softStop(id);
    const b = control.softStop(id);
    expect(b).toBe(a);
    const r = await a;
    expect(r.explanation).toBe(EXPLAIN.softStop);
    expect(calls(e, STOP)).toBe(1);
    expect(e.simulations(KEY)[0]!.status).toBe(40);
    const refused = await control.hardStop(id, { confirmed: false }).catch((x: unknown) => x);
    expect((refused as ControlError).code).toBe('needs-confirmation');
    expect(calls(e, STOP)).toBe(1);
    await control.hardStop(id, { confirmed: true });
    expect(e.simulations(KEY)[0]!.status).toBe(50);
    expect(calls(e, STOP)).toBe(2);
  });

  it('SYNC on a running simulation goes through once; remote access is shown while running', async () => {
    const { emu: e, client: c } = await setup();
    const id = await running(e, c);
    const control = new SimulationControl({ client: c });
    const sim = await c.viewShort(id);
    const access = remoteAccess(sim)!;
    expect(access.vncUrl).toContain('/vnc/');
    expect(access.ssh).toMatch(/^ssh cloudhpc@\d+\.\d+\.\d+\.\d+$/);
    const r = await control.sync(id);
    expect(r.explanation).toBe(EXPLAIN.sync);
    expect(calls(e, SYNC)).toBe(1);
    expect(Object.keys(await e.files(KEY, 'case'))).toContain('cloudhpc.log');
  });

  it('offers controls only when they make sense', () => {
    expect(availability({ id: 1, status: 30 })).toEqual({ softStop: true, hardStop: true, sync: true, reason: null });
    expect(availability({ id: 1, status: 20 }).sync).toBe(false);
    expect(availability({ id: 1, status: 40 }).softStop).toBe(false);
    expect(availability({ id: 1, status: 60 }).hardStop).toBe(false);
    const done = { id: 1, status: 10, idate: '2026-01-05 08:00:00', edate: '2026-01-05 08:03:20', cpuHours: 0.0556, cost: 0.0011 } as Simulation;
    expect(formatRunSummary(done)).toBe('duration 3 min 20 s, 0.0556 CPU hours, cost 0.0011 EUR');
    expect(remoteAccess(done)).toBeNull();
  });
});

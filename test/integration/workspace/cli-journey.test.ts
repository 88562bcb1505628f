// The run lifecycle from the command line, against the emulator (time at real speed, short runs) and
// a real case folder: `launch` then `wait`, then one small edit. The CLI tells the sync engine that
// the run got past extracting upload.tar.gz, exactly as the app does, so the edit goes as a single
// file instead of a whole new snapshot. The same journey in the app (AppCore) plans the same push.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { AppCore } from '../../../src-main/node/app/app-core';
import { cliHere, lastJson, nextEvent } from './helpers';

const KEY = 'lifecycle-journey-key-0123456789';
const FDS = "&HEAD CHID='room', TITLE='one room' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TIME T_END=10 /\n&TAIL /\n";

let emu: Emulator;
let root: string;
let env: Record<string, string>;

beforeAll(async () => {
  emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 1, durations: { pendingSeconds: 1, runSeconds: 3, stoppingSeconds: 1 } });
  root = mkdtempSync(join(tmpdir(), 'lifecycle-'));
  env = { HOME: root, CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url, CLOUDHPC_SYNC_HOME: join(root, 'cli-home'), CLOUDHPC_SYNC_POLL_MIN_MS: '200' };
});
afterAll(async () => {
  await emu.stop();
  rmSync(root, { recursive: true, force: true });
});

function makeCase(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, `${name}.fds`), FDS.replace("CHID='room'", `CHID='${name}'`));
  return dir;
}

/** A small edit, settled (older than the quiet period) so the next scan takes it. */
function edit(file: string, line: string): void {
  writeFileSync(file, `${readFileSync(file, 'utf8')}${line}\n`);
  const past = new Date(Date.now() - 10_000);
  utimesSync(file, past, past);
}

interface DryRun { strategy: string; apiCalls: number; changed: string[]; deleteArchiveFirst: boolean }

describe('the run lifecycle on the command line', { timeout: 120_000 }, () => {
  let cliPlan: DryRun;

  it('launch (REGULAR by default), wait (results pulled), then one edit is a single-file push', async () => {
    const dir = makeCase('room');
    const l = await cliHere(['launch', dir, '--cpu', '1', '--ram', 'standard', '--script', 'fds6.9.1', '--json'], env);
    expect(l.code, l.stderr).toBe(0);
    const { id, regular } = lastJson<{ id: number; regular: boolean }>(l.stdout);
    expect(regular).toBe(true);
    expect(emu.simulations(KEY).find((s) => s.id === id)?.nopre).toBe(1);

    const w = await cliHere(['wait', String(id), '--json'], env);
    expect(w.code, w.stderr).toBe(0);
    const waited = lastJson<{ outcome: string; pull: { complete: boolean; written: string[] } }>(w.stdout);
    expect(waited.outcome).toBe('completed');
    expect(waited.pull.complete).toBe(true);
    expect(existsSync(join(dir, 'room_devc.csv'))).toBe(true);

    edit(join(dir, 'room.fds'), '! a small edit after the run');
    const dry = await cliHere(['push', dir, '--dry-run', '--json'], env);
    expect(dry.code, dry.stderr).toBe(0);
    cliPlan = lastJson<DryRun>(dry.stdout);
    // Not a whole snapshot: the one file, after removing the archive the run already extracted.
    expect(cliPlan).toMatchObject({ strategy: 'singles', changed: ['room.fds'], deleteArchiveFirst: true });
    expect(cliPlan.apiCalls - 2).toBeLessThanOrEqual(2); // 1 upload + 1 cache refresh, + 2 once to remove the extracted archive

    // The push costs what it said, counted by the emulator.
    const before = emu.calls(KEY).total;
    const p = await cliHere(['push', dir, '--json'], env);
    expect(p.code, p.stderr).toBe(0);
    expect(emu.calls(KEY).total - before).toBe(cliPlan.apiCalls);

    // From then on a small edit is one file for at most 2 calls.
    edit(join(dir, 'room.fds'), '! a second edit');
    const next = lastJson<DryRun>((await cliHere(['push', dir, '--dry-run', '--json'], env)).stdout);
    expect(next).toMatchObject({ strategy: 'singles', changed: ['room.fds'], deleteArchiveFirst: false });
    expect(next.apiCalls).toBeLessThanOrEqual(2);
  });

  it('the same journey in the app plans the same push', async () => {
    const dir = makeCase('room2');
    const core = await AppCore.create({
      transport: 'headless',
      home: join(root, 'app-home'),
      env: { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url },
      useKeychain: false,
      tuning: { trackerMinIntervalMs: 200, logMinIntervalMs: 200 },
    });
    try {
      await core.start();
      const ws = core.workspace;
      const project = ws.addProject(dir);
      const pulled = nextEvent(ws, 'resultsPulled', (e) => e.projectId === project.id && e.reason === 'run-ended', 60_000);
      const r = await core.call('launchSimulation', { projectId: project.id, options: { cpu: 1, ram: 'standard', script: 'fds6.9.1', mesh: '', regular: true }, acceptWarnings: true });
      expect(r.ok).toBe(true);
      expect((await pulled).result.written).toContain('room2_devc.csv');
      edit(join(dir, 'room2.fds'), '! a small edit after the run');
      const plan = await ws.previewPush(project.id);
      expect({ strategy: plan.strategy, apiCalls: plan.apiCalls, changed: plan.changed.map((f) => f.path), deleteArchiveFirst: plan.deleteArchiveFirst })
        .toEqual({ strategy: cliPlan.strategy, apiCalls: cliPlan.apiCalls, changed: ['room2.fds'], deleteArchiveFirst: cliPlan.deleteArchiveFirst });
    } finally {
      await core.stop();
    }
  });
});

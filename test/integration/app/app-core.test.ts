import { createHash } from 'node:crypto';
// AppCore against the emulator over real HTTP, with real folders and the real sync engine:
// the journey the UI drives, at the contract level (what both transports carry).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppState } from '../../../src-main/common/contract';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { writeFdsSample } from '../../../emulator/samples';
import type { AnyEvent } from '../../../src-main/node/app/endpoint';
import { AppCore } from '../../../src-main/node/app/app-core';
import { ok } from '../workspace/helpers';
import { waitFor } from './helpers';

const KEY = 'right-key-0123456789';

describe('AppCore (contract level, against the emulator)', () => {
  let emu: Emulator;
  let work: string;
  let core: AppCore;
  let events: AnyEvent[];

  beforeEach(async () => {
    emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 20_000 }], timeScale: 0 });
    work = await mkdtemp(join(tmpdir(), 'appcore-'));
    await mkdir(join(work, 'home'));
    core = await AppCore.create({
      transport: 'headless',
      home: join(work, 'home'),
      env: { CLOUDHPC_API_URL: emu.url },
      useKeychain: false,
      cliKeyFile: join(work, 'no-cli-key'),
      tuning: { trackerMinIntervalMs: 100, logMinIntervalMs: 100, syncPullDelaysMs: [200] },
    });
    events = [];
    core.onEvent((e) => events.push(e));
    await core.start();
  });

  afterEach(async () => {
    await core.stop();
    await emu.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('checks the key before storing it, and never lets it out', async () => {
    const wrong = await core.request('setApiKey', { key: 'wrong-key-0123456789' });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.error.code).toBe('key-rejected');
    expect(ok(await core.call('keyStatus', {})).set).toBe(false);

    const right = ok(await core.call('setApiKey', { key: `  ${KEY}\n` }));
    expect(right.set).toBe(true);
    expect(right.valid).toBe(true);
    const state = ok(await core.call('getState', {}));
    expect(JSON.stringify(state)).not.toContain(KEY);
    expect(JSON.stringify(events)).not.toContain(KEY);
    expect(state.budget.known).toBe(true);
    expect(state.budget.summary).toMatch(/of 20000 API calls left this hour/);
  });

  it('refuses malformed requests with a clear message', async () => {
    const unknown = await core.request('deleteEverything', {});
    expect(unknown.ok).toBe(false);
    const bad = await core.request('stopSimulation', { id: 'x', mode: 'soft' });
    expect(bad.ok ? null : bad.error.code).toBe('invalid-params');
    const noKey = await core.request('launchOptions', {});
    expect(noKey.ok ? null : noKey.error.code).toBe('no-key');
  });

  it('adds a project (suggesting a valid storage name), pushes it, drops files in, pushes them', async () => {
    ok(await core.call('setApiKey', { key: KEY }));
    const dir = join(work, 'room fire');
    await writeFdsSample(dir);
    const refused = await core.request('addProject', { dir });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('invalid-input');
      expect(refused.error.suggestion).toBe('room_fire');
    }
    const p = ok(await core.call('addProject', { dir, storageFolder: 'room_fire' }));
    await waitFor('the case in storage', async () => Object.keys(await emu.files(KEY, 'room_fire')).length > 0);

    const src = join(work, 'extra');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'notes.txt'), 'notes');
    await writeFile(join(src, 'sub', 'data.csv'), '1,2,3');
    await writeFile(join(dir, 'room_fire.fds.bak'), 'old');
    await writeFile(join(work, 'room_fire.fds.bak'), 'new');
    const plan = ok(await core.call('dropFiles', { projectId: p.id, sources: [{ kind: 'path', path: src }, { kind: 'path', path: join(work, 'room_fire.fds.bak') }] }));
    expect(plan.items.map((i) => [i.path, i.action]).sort()).toEqual([['extra/notes.txt', 'add'], ['extra/sub/data.csv', 'add'], ['room_fire.fds.bak', 'replace']]);
    expect(plan.replaceCount).toBe(1);
    const done = ok(await core.call('confirmDrop', { planId: plan.planId, replace: 'none' }));
    expect(done).toMatchObject({ copied: 2, replaced: 0, skipped: 1 });
    expect(await readFile(join(dir, 'room_fire.fds.bak'), 'utf8')).toBe('old');
    expect(await readFile(join(dir, 'extra', 'sub', 'data.csv'), 'utf8')).toBe('1,2,3');
    const again = await core.request('confirmDrop', { planId: plan.planId, replace: 'all' });
    expect(again.ok ? null : again.error.code).toBe('not-found');
    // pushed: the next simulation start would see the dropped files
    await waitFor('the drop pushed', async () => {
      const s = ok(await core.call('getState', {}));
      return s.projects[0]?.state === 'idle' && s.projects[0].activity.some((a) => a.kind === 'pushed' && (a.message.includes('extra') || (a.paths ?? []).some((x) => x.startsWith('extra'))));
    });
    // the app's own data is never a drop source
    const own = await core.request('dropFiles', { projectId: p.id, sources: [{ kind: 'path', path: join(work, 'home') }] });
    expect(own.ok ? null : own.error.code).toBe('not-allowed');
  });

  it('launch: pre-flight error, fix, launch; status changes; soft stop; results pulled; a conflict listed and resolved', async () => {
    ok(await core.call('setApiKey', { key: KEY }));
    const dir = join(work, 'room_fire');
    await writeFdsSample(dir);
    const p = ok(await core.call('addProject', { dir }));
    const opts = ok(await core.call('launchOptions', {}));
    const script = opts.scripts.find((s) => s.value.startsWith('fds'))?.value ?? 'fds6.9.1';
    const options = { cpu: opts.cpus.includes(2) ? 2 : (opts.cpus[0] ?? 1), ram: 'standard', script, mesh: '', regular: true };

    // an FDS input with more meshes than vCPU: refused before any API call is spent on the run
    const fds = await readFile(join(dir, 'room_fire.fds'), 'utf8');
    const extraMeshes = Array.from({ length: 4 }, (_, i) => `&MESH IJK=10,10,10, XB=${4 + i},${5 + i},0,1,0,1, MPI_PROCESS=${i + 1} /`).join('\n');
    await writeFile(join(dir, 'room_fire.fds'), fds.replace("&MESH IJK=20,20,10, XB=0.0,4.0,0.0,4.0,0.0,2.4 /", `&MESH IJK=20,20,10, XB=0.0,4.0,0.0,4.0,0.0,2.4, MPI_PROCESS=0 /\n${extraMeshes}`));
    const report = ok(await core.call('preflight', { projectId: p.id, options }));
    expect(report.blocking).toBe(true);
    const refused = await core.request('launchSimulation', { projectId: p.id, options, acceptWarnings: true });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('preflight-failed');
      expect(refused.error.preflight?.findings.some((f) => f.severity === 'error')).toBe(true);
    }
    expect(emu.simulations(KEY)).toHaveLength(0);

    await writeFile(join(dir, 'room_fire.fds'), fds);
    const launched = ok(await core.call('launchSimulation', { projectId: p.id, options, acceptWarnings: true }));
    const id = launched.simulation.id;
    expect(emu.simulations(KEY).map((s) => s.id)).toEqual([id]);
    ok(await core.call('watchSimulation', { id }));

    await emu.clock.advance(31);
    await waitFor('RUNNING', async () => ok(await core.call('getState', {})).simulations.find((s) => s.id === id)?.statusName === 'RUNNING');
    const running = ok(await core.call('getState', {}));
    expect(running.tray.icon).toBe('running');
    expect(running.tray.line).toMatch(/1 simulation running/);
    expect(running.tray.running.map((r) => r.id)).toEqual([id]);

    const log = ok(await core.call('getLog', { id, fromOffset: 0 }));
    expect(log.text.length).toBeGreaterThan(0);
    expect(log.nextOffset).toBe(log.text.length);

    // a local file the results will also bring: the pull must keep it and list a conflict
    await writeFile(join(dir, 'room_fire.out'), 'my own notes, not the solver output\n');

    const hardNo = await core.request('stopSimulation', { id, mode: 'hard', confirmed: false });
    expect(hardNo.ok ? null : hardNo.error.code).toBe('needs-confirmation');
    ok(await core.call('stopSimulation', { id, mode: 'soft', confirmed: true }));
    await waitFor('STOPPING', async () => ok(await core.call('getState', {})).simulations.find((s) => s.id === id)?.statusName === 'STOPPING');
    await emu.clock.advance(25);
    const finalState = await waitFor<AppState>('results pulled with a conflict', async () => {
      const s = ok(await core.call('getState', {}));
      const proj = s.projects.find((x) => x.id === p.id);
      return s.simulations.find((x) => x.id === id)?.statusName === 'STOPPED' && proj && proj.conflicts.length > 0 ? s : null;
    }, 30_000);
    expect(existsSync(join(dir, 'room_fire_hrr.csv'))).toBe(true);
    expect(await readFile(join(dir, 'room_fire.out'), 'utf8')).toBe('my own notes, not the solver output\n');
    const conflict = finalState.projects[0]!.conflicts[0]!;
    expect(conflict.path).toBe('room_fire.out');
    expect(existsSync(join(dir, conflict.cloudCopyPath))).toBe(true);
    expect(events.some((e) => e.name === 'notification' && e.payload.kind === 'simulation-ended')).toBe(true);

    const opened = ok(await core.call('openPath', { target: { kind: 'conflict', projectId: p.id, conflictId: conflict.id, side: 'cloud' } }));
    expect(opened).toMatchObject({ opened: false, target: join(dir, conflict.cloudCopyPath) });
    const outside = await core.request('openPath', { target: { kind: 'project-file', projectId: p.id, path: '../../etc/passwd' } });
    expect(outside.ok ? null : outside.error.code).toBe('not-allowed');

    const resolved = ok(await core.call('resolveConflict', { projectId: p.id, conflictId: conflict.id, keep: 'cloud' }));
    expect(resolved.conflicts).toHaveLength(0);
    expect(await readFile(join(dir, 'room_fire.out'), 'utf8')).toContain('Fire Dynamics Simulator');
  });

  it('SYNC on a running simulation: partial results are pulled while it goes on; SYNC on a finished one is refused', async () => {
    ok(await core.call('setApiKey', { key: KEY }));
    const dir = join(work, 'room_fire');
    await writeFdsSample(dir);
    const p = ok(await core.call('addProject', { dir }));
    const opts = ok(await core.call('launchOptions', {}));
    const script = opts.scripts.find((s) => s.value.startsWith('fds'))?.value ?? 'fds6.9.1';
    const { simulation } = ok(await core.call('launchSimulation', { projectId: p.id, options: { cpu: 2, ram: 'standard', script, mesh: '', regular: true }, acceptWarnings: true }));
    await emu.clock.advance(61);
    await waitFor('RUNNING', async () => ok(await core.call('getState', {})).simulations.find((s) => s.id === simulation.id)?.statusName === 'RUNNING');
    // The run got past extraction: the engine is told, and a one-file edit then goes as a single
    // upload (the extracted archive is removed first) instead of a whole new snapshot.
    await waitFor('the engine told of the extraction', () => core.workspace.activity(p.id, 100).some((a) => a.message.includes('upload.tar.gz was extracted')));
    const edited = `${await readFile(join(dir, 'room_fire.fds'), 'utf8')}! edited after the run started\n`;
    await writeFile(join(dir, 'room_fire.fds'), edited);
    const want = createHash('sha256').update(edited).digest('hex');
    ok(await core.call('pushNow', { projectId: p.id }));
    const cloud = await waitFor('the edit in storage as a single file', async () => {
      const files = await emu.files(KEY, 'room_fire');
      return files['room_fire.fds']?.sha256 === want ? files : null;
    });
    expect(Object.keys(cloud)).not.toContain('upload.tar.gz');
    const synced = ok(await core.call('syncSimulation', { id: simulation.id }));
    expect(synced.statusName).toBe('RUNNING');
    await waitFor('partial results pulled', () => existsSync(join(dir, 'room_fire_hrr.csv')));
    ok(await core.call('stopSimulation', { id: simulation.id, mode: 'hard', confirmed: true }));
    await emu.clock.advance(30);
    await waitFor('STOPPED', async () => ok(await core.call('getState', {})).simulations.find((s) => s.id === simulation.id)?.statusName === 'STOPPED');
    const late = await core.request('syncSimulation', { id: simulation.id });
    expect(late.ok ? null : late.error.code).toBe('not-allowed');
  });

  it('shows the offline state while the service cannot be reached, and clears it when it answers again', async () => {
    ok(await core.call('setApiKey', { key: KEY }));
    const dir = join(work, 'cavity');
    await mkdir(dir);
    await writeFile(join(dir, 'a.txt'), 'a');
    const p = ok(await core.call('addProject', { dir }));
    await waitFor('the first push', async () => Object.keys(await emu.files(KEY, 'cavity')).length > 0);
    emu.setFaults({ dropReplyRate: 1 });
    ok(await core.call('pullNow', { projectId: p.id }));
    const down = await waitFor('offline', async () => { const s = ok(await core.call('getState', {})); return s.offline.offline ? s : null; }, 30_000);
    expect(down.offline.message).toMatch(/could not be reached|cannot be reached/);
    expect(down.tray.icon).toBe('attention');
    emu.setFaults({});
    ok(await core.call('pullNow', { projectId: p.id }));
    await waitFor('online again', async () => !ok(await core.call('getState', {})).offline.offline, 30_000);
  });

  it('persists settings and validates them', async () => {
    const trackerBefore = core.workspace.runs.tracker;
    const s = ok(await core.call('setSettings', { settings: { pollingShare: 0.5, notifications: { conflict: false } } }));
    expect(core.workspace.runs.tracker).toBe(trackerBefore); // the one tracker takes the new share: nothing is rebuilt
    expect(s.pollingShare).toBe(0.5);
    expect(s.notifications).toMatchObject({ conflict: false, simulationEnded: true });
    const bad = await core.request('setSettings', { settings: { pollingShare: 5 } });
    expect(bad.ok ? null : bad.error.code).toBe('invalid-params');
    const saved = JSON.parse(await readFile(join(work, 'home', 'settings.json'), 'utf8')) as { pollingShare: number };
    expect(saved.pollingShare).toBe(0.5);
  });
});

// The simulation commands end to end: the real `cloudhpc-sync` process against the emulator on
// loopback (simulated time runs at real speed here, with short run durations), a real case folder.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../emulator/index';
import { main } from '../../../src-main/cli/main';

const KEY = 'cli-journey-key-0123456789';
const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'cloudhpc-sync.js');

interface Run { code: number | null; stdout: string; stderr: string }
interface Running { done: Promise<Run>; out: () => string }

let emu: Emulator | null = null;
let root = '';
afterEach(async () => {
  await emu?.stop();
  emu = null;
  if (root) rmSync(root, { recursive: true, force: true });
  root = '';
});

async function setup(durations: EmulatorOptions['durations']): Promise<{ emu: Emulator; env: Record<string, string> }> {
  emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 1, durations });
  root = mkdtempSync(join(tmpdir(), 'sim-cli-'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: root,
    TMPDIR: process.env.TMPDIR ?? '/tmp',
    CLOUDHPC_API_KEY: KEY,
    CLOUDHPC_API_URL: emu.url,
    CLOUDHPC_SYNC_HOME: join(root, 'app'),
    CLOUDHPC_SYNC_POLL_MIN_MS: '200',
  };
  return { emu, env };
}

function start(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const killer = setTimeout(() => child.kill('SIGKILL'), 110_000);
  const done = new Promise<Run>((resolve) => child.on('close', (code) => { clearTimeout(killer); resolve({ code, stdout, stderr }); }));
  return { done, out: () => stdout };
}

const cli = (args: string[], env: Record<string, string>): Promise<Run> => start(args, env).done;

async function inProcess(args: string[], env: Record<string, string>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void): PassThrough => { const p = new PassThrough(); p.on('data', (d: Buffer) => add(d.toString())); return p; };
  const code = await main(args, { stdout: sink((t) => { stdout += t; }), stderr: sink((t) => { stderr += t; }), env });
  await new Promise((r) => setImmediate(r));
  return { code, stdout, stderr };
}

async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function makeCase(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return dir;
}

const FDS = "&HEAD CHID='room', TITLE='one room' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TIME T_END=10 /\n&TAIL /\n";
const idOf = (out: string): string => /Simulation (\d+) started/.exec(out)?.[1] ?? '';

// Each test spawns several CLI processes (tsx start-up is slow on a loaded 2-core machine).
describe('simulation commands, end to end', { timeout: 180_000 }, () => {
  it('launch (push first), wait, results pulled and extracted, diagnosis printed; listing', async () => {
    const { emu: e, env } = await setup({ pendingSeconds: 1, runSeconds: 3, stoppingSeconds: 1 });
    const dir = makeCase('room', { 'room.fds': FDS });
    const l = await cli(['launch', dir, '--cpu', '1', '--ram', 'standard', '--script', 'fds6.9.1'], env);
    expect(l.stderr).toBe('');
    expect(l.code).toBe(0);
    expect(l.stdout).toContain('Pre-flight (FDS): 0 errors, 0 warnings');
    expect(l.stdout).toContain('Pushing');
    const id = idOf(l.stdout);
    expect(id).not.toBe('');
    // the push happened before the add: the service's case folder held the input when the run started
    expect(Object.keys(await e.files(KEY, 'room'))).toEqual(expect.arrayContaining(['upload.tar.gz']));
    const w = await cli(['wait', id], env);
    expect(w.code).toBe(0);
    expect(w.stdout).toMatch(/RUNNING|COMPLETED/);
    expect(w.stdout).toContain(`Simulation ${id} COMPLETED: completed (duration`);
    expect(w.stdout).toMatch(/CPU hours, cost [\d.]+ EUR/);
    expect(w.stdout).toContain(`Results pulled into ${dir}:`);
    expect(w.stdout).toMatch(/room: pulled \d+ files \(\d+ written in the case folder/);
    expect(w.stdout).toContain('Log diagnosis:');
    // FDS.tar.gz was pulled and extracted into the case folder
    expect(readFileSync(join(dir, 'room.out'), 'utf8')).toContain('FDS completed successfully');
    expect(existsSync(join(dir, 'room_devc.csv'))).toBe(true);
    expect(readFileSync(join(dir, 'room.fds'), 'utf8')).toBe(FDS);
    const list = await cli(['simulations', '--json'], env);
    const sims = JSON.parse(list.stdout) as { id: number; statusName: string; localDir: string | null }[];
    expect(sims[0]!.id).toBe(Number(id));
    expect(sims[0]!.statusName).toBe('COMPLETED');
    expect(sims[0]!.localDir).toContain('room');
    // a second launch on the same case: the results the app pulled are not inputs (never pushed), so
    // they raise no "pushed for nothing" warning; the pre-flight only lists them
    const again = await cli(['launch', dir, '--cpu', '1', '--ram', 'standard', '--script', 'fds6.9.1'], env);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain('FDS output of an earlier run');
    expect(again.stdout).toMatch(/INFO +\d+ files this app pulled/);
    // a user's own leftover (not pulled) still warns and, without a terminal, refuses
    writeFileSync(join(dir, 'old_run.out'), 'from another machine');
    const third = await cli(['launch', dir, '--cpu', '1', '--ram', 'standard', '--script', 'fds6.9.1', '--force'], env);
    expect(third.code).toBe(1);
    expect(third.stdout).toContain('FDS output of an earlier run would be pushed for nothing: old_run.out');
    expect(third.stderr).toMatch(/^cloudhpc-sync launch: Not launched: the pre-flight warnings were not accepted\. Add --yes to launch anyway\.$/m);
  });

  it('soft stop saves and pulls the results; a second stop or a sync says the run is finished', async () => {
    const { env } = await setup({ pendingSeconds: 1, runSeconds: 600, stoppingSeconds: 2 });
    const dir = makeCase('softcase', { 'run.sh': '#!/bin/sh\necho hi\n' });
    const l = await cli(['launch', dir, '--cpu', '1', '--ram', 'highcpu', '--script', 'custom-script'], env);
    expect(l.code).toBe(0);
    const id = idOf(l.stdout);
    const w = start(['wait', id], env);
    await until(() => w.out().includes('ssh: ssh cloudhpc@'), 'RUNNING with its ssh command');
    const s = await cli(['stop', id], env);
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('soft stop requested');
    expect(s.stdout).toContain('saves the results');
    const r = await w.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Simulation ${id} STOPPED: stopped`);
    expect(r.stdout).toContain(`Results pulled into ${dir}:`);
    expect(existsSync(join(dir, 'cloudhpc.log'))).toBe(true);
    const again = await cli(['stop', id], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Simulation ${id} has already finished (STOPPED): there is nothing to stop or sync.`);
    const sync = await cli(['sync', id], env);
    expect(sync.code).toBe(1);
    expect(sync.stderr).toContain('already finished');
  });

  it('hard stop asks for confirmation, then kills the run', async () => {
    const { emu: e, env } = await setup({ pendingSeconds: 1, runSeconds: 600, stoppingSeconds: 2 });
    const dir = makeCase('hardcase', { 'run.sh': 'echo' });
    const id = idOf((await cli(['launch', dir, '--cpu', '1', '--ram', 'standard', '--script', 'custom-script'], env)).stdout);
    const w = start(['wait', id, '--verbose'], env);
    await until(() => w.out().includes('RUNNING'), 'RUNNING');
    // SYNC while running: partial results saved, pulled on the schedule; the first pull brings them, so it is the only one
    const synced = await cli(['sync', id, '--pull'], { ...env, CLOUDHPC_SYNC_PULL_DELAYS_MS: '300,900' });
    expect(synced.code).toBe(0);
    expect(synced.stdout).toContain('SYNC requested');
    expect(synced.stdout.match(/hardcase: pulled [1-9]\d* files?/g)).toHaveLength(1);
    expect(readFileSync(join(dir, 'cloudhpc.log'), 'utf8')).toContain('SYNC: partial results saved');
    const refused = await cli(['stop', id, '--hard'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('nothing is saved');
    expect(e.simulations(KEY)[0]!.status).toBe(30);
    const hard = await cli(['stop', id, '--hard', '--yes'], env);
    expect(hard.code).toBe(0);
    expect(hard.stdout).toContain('hard stop requested');
    const r = await w.done;
    expect(r.stdout).toContain(`Simulation ${id} STOPPED: stopped`);
    expect(r.stdout).toContain('HARD STOP received: nothing saved');
  });

  it('an ERROR run is reported with its cause (wait and log)', async () => {
    const { emu: e, env } = await setup({ pendingSeconds: 1, runSeconds: 3, stoppingSeconds: 1 });
    // started elsewhere (the web app) on a storage folder without an FDS input
    await e.seedFile(KEY, 'broken/notes.txt', 'no input here');
    const res = await fetch(`${e.url}/simulation/add`, { method: 'POST', headers: { 'X-API-key': KEY, 'Content-Type': 'application/json' }, body: JSON.stringify({ cpu: 1, ram: 'standard', script: 'fds6.9.1', folder: 'broken' }) });
    const id = String(((await res.json()) as { response: number }).response);
    const w = await cli(['wait', id], env);
    expect(w.code).toBe(1);
    expect(w.stdout).toContain(`Simulation ${id} ERROR: error`);
    expect(w.stdout).toContain('Cause: No FDS input file was found');
    expect(w.stdout).toContain('Fix: Put the .fds file at the top of the case folder');
    expect(w.stdout).toContain('No local project syncs with the storage folder "broken"');
    const log = await cli(['log', id], env);
    expect(log.code).toBe(0);
    expect(log.stdout).toContain('@@@ ERROR: no .fds input file found');
    expect(log.stdout).toContain(`--- simulation ${id}: ERROR (error)`);
    // the same commands in-process (the dispatcher's main()), cheaper than a process each
    const opts = await inProcess(['simulations', '--options'], env);
    expect(opts.code).toBe(0);
    expect(opts.stdout).toContain('highmem: 8 GB per vCPU');
    expect(opts.stdout).toContain('REGULAR (the default, nopre 1)');
    expect(opts.stdout).toContain('SPOT (nopre 0)');
    const bad = await inProcess(['wait', 'abc'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a simulation id');
  });
});

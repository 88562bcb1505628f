// Run insight on the command line, against the emulator (simulated time 20× real time, short runs)
// and a real OpenFOAM case folder: `wait` prints progress lines (percent, solver time, ETA, cost so
// far) and ends with the result, redraws one line on a terminal, prints JSON lines with --json;
// `log --series` prints the parsed series as CSV with a header.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { writeOpenFoamSample } from '../../../emulator/samples';
import { main } from '../../../src-main/cli/main';
import { cliHere, lastJson } from './helpers';

const KEY = 'cli-insight-key-0123456789';

let emu: Emulator;
let root: string;
let env: Record<string, string>;

beforeAll(async () => {
  emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 20, durations: { pendingSeconds: 20, runSeconds: 120, stoppingSeconds: 20 } });
  root = mkdtempSync(join(tmpdir(), 'cli-insight-'));
  env = { HOME: root, CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url, CLOUDHPC_SYNC_HOME: join(root, 'cli-home'), CLOUDHPC_SYNC_POLL_MIN_MS: '200' };
});
afterAll(async () => {
  await emu.stop();
  rmSync(root, { recursive: true, force: true });
});

async function launch(name: string): Promise<number> {
  const dir = join(root, name);
  await writeOpenFoamSample(dir);
  const l = await cliHere(['launch', dir, '--cpu', '2', '--ram', 'standard', '--script', 'openFoam-v2406', '--yes', '--json'], env);
  expect(l.code, l.stderr).toBe(0);
  return lastJson<{ id: number }>(l.stdout).id;
}

const PROGRESS = /^Simulation (\d+): ([\d.]+) % · ([\d.]+) of 500 · ETA (≈ \d+ (s|min)( \(± \d+ (s|min)\))?|–) · (≈ € [\d.]+|[\d.]+ vCPU h) so far$/;

describe('run insight on the command line', { timeout: 120_000 }, () => {
  let first = 0;

  it('wait: progress lines while the run goes on, then the result; log --series: CSV with a header', async () => {
    first = await launch('cavity');
    const w = await cliHere(['wait', String(first)], env);
    expect(w.code, w.stderr).toBe(0);
    const lines = w.stdout.split('\n');
    const progress = lines.flatMap((l) => { const m = PROGRESS.exec(l); return m ? [Number(m[2])] : []; });
    expect(progress.length, w.stdout).toBeGreaterThan(3);
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true);
    expect(progress[progress.length - 1]!).toBeGreaterThan(progress[0]!);
    expect(lines.some((l) => PROGRESS.test(l) && /ETA ≈/.test(l))).toBe(true);
    // ends with the result, after the progress
    const result = lines.findIndex((l) => l.startsWith(`Simulation ${first} COMPLETED: completed`));
    expect(result).toBeGreaterThan(lines.findLastIndex((l) => PROGRESS.test(l)));

    const s = await cliHere(['log', String(first), '--series'], env);
    expect(s.code, s.stderr).toBe(0);
    const [header, ...rows] = s.stdout.trim().split('\n');
    expect(header!.split(',')).toEqual(expect.arrayContaining(['time', 'residual:p', 'residual:Ux', 'continuity:local']));
    expect(header!.split(',')[0]).toBe('time');
    expect(rows.length).toBeGreaterThan(20);
    const cols = header!.split(',').length;
    expect(rows.every((r) => r.split(',').length === cols)).toBe(true);
    const times = rows.map((r) => Number(r.split(',')[0]));
    expect(times.every((t, i) => Number.isFinite(t) && (i === 0 || t > times[i - 1]!))).toBe(true);
    expect(times[times.length - 1]).toBe(500);
  });

  it('wait --json: one JSON line per event (status, progress), then the result; on a terminal one line is redrawn', async () => {
    const id = await launch('cavity2');
    const w = await cliHere(['wait', String(id), '--json'], env);
    expect(w.code, w.stderr).toBe(0);
    const docs = w.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; progress?: { percent: number | null; known: boolean }; cost?: { costSoFar: number | null }; outcome?: string });
    expect(docs.some((d) => d.event === 'status')).toBe(true);
    // right after the start the log may show no solver time yet (said so, progress.known false)
    const progress = docs.filter((d) => d.event === 'progress' && d.progress?.known);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.every((d, i) => i === 0 || d.progress!.percent! >= progress[i - 1]!.progress!.percent!)).toBe(true);
    // the first run finished: its cost per vCPU hour prices this one while it runs
    expect(progress[progress.length - 1]!.cost?.costSoFar).toBeGreaterThan(0);
    expect(docs[docs.length - 1]).toMatchObject({ event: 'result', outcome: 'completed' });

    // a terminal: the progress line is redrawn in place (carriage returns), and the result starts a line of its own
    const tty = await launch('cavity3');
    let out = '';
    const stdout = Object.assign(new Writable({ write(c, _e, cb) { out += String(c); cb(); } }), { isTTY: true, columns: 100 });
    const stderr = new Writable({ write(_c, _e, cb) { cb(); } });
    expect(await main(['wait', String(tty)], { stdout, stderr, env })).toBe(0);
    const redraws = out.split('\r').slice(1);
    expect(redraws.length).toBeGreaterThan(2);
    expect(redraws.some((r) => / % · .* of 500 · ETA /.test(r))).toBe(true);
    expect(out).toMatch(new RegExp(`\\n Simulation ${tty} COMPLETED: completed|\\nSimulation ${tty} COMPLETED: completed`));
  });
});

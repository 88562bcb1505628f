// The command line as a newcomer meets it (issue 11): --version, "did you mean" for a mistyped command
// or option, examples in --help, a second launch on an active storage folder refused unless --force,
// and the progress of a push: on a terminal one redrawn line with bytes, rate and ETA; otherwise plain
// lines, never the engine's internal states. Against the emulator on loopback.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { main } from '../../../src-main/cli/main';
import { runCli } from '../sync/cli-helpers';
import { cliHere } from './helpers';

const KEY = 'cli-polish-key-0123456789';
const FDS = "&HEAD CHID='room' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TIME T_END=10 /\n&TAIL /\n";
const version = (JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;

let emu: Emulator;
let root: string;
let env: Record<string, string>;

beforeAll(async () => {
  emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0 });
  root = mkdtempSync(join(tmpdir(), 'cli-polish-'));
  env = { HOME: root, CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url, CLOUDHPC_SYNC_HOME: join(root, 'home') };
});
afterAll(async () => {
  await emu.stop();
  rmSync(root, { recursive: true, force: true });
});

function makeCase(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [p, data] of Object.entries(files)) writeFileSync(join(dir, p), data);
  return dir;
}

/** The CLI in this process with a stdout that says it is a terminal (80 columns). */
async function onTerminal(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stdout = Object.assign(new Writable({ write(c, _e, cb) { out += String(c); cb(); } }), { isTTY: true, columns: 80 });
  const stderr = new Writable({ write(c, _e, cb) { err += String(c); cb(); } });
  const code = await main(args, { stdout, stderr, env: { ...env, CLOUDHPC_SYNC_HOME: join(root, 'home-tty') } });
  return { code, out, err };
}

describe('the command line for a newcomer', { timeout: 120_000 }, () => {
  it('--version, did-you-mean for commands and options, examples in --help (the real bin)', async () => {
    const v = await runCli(['--version'], env);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(`cloudhpc-sync ${version}`);
    const typo = await runCli(['pusj', root], env);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Unknown command "pusj". Did you mean "push"?');
    const opt = await runCli(['push', root, '--dry-rnu'], env);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toContain('Unknown option --dry-rnu. Did you mean --dry-run?');
    const help = await runCli(['launch', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n {2}cloudhpc-sync launch /);
    expect((await runCli(['--help'], env)).stdout).toContain('Examples:');
  });

  it('a second launch on a storage folder with an active run is refused unless --force', async () => {
    const dir = makeCase('room', { 'room.fds': FDS });
    const first = await cliHere(['launch', dir, '--cpu', '1', '--ram', 'standard', '--script', 'fds6.9.1', '--yes'], env);
    expect(first.code, first.stderr).toBe(0);
    const again = await cliHere(['launch', dir, '--cpu', '1', '--ram', 'standard', '--script', 'fds6.9.1', '--yes'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^cloudhpc-sync launch: Not launched: Simulation \d+ is still active on the storage folder "room", and a second run would work on the same files\. Wait for it to end, or launch anyway\. Add --force to launch anyway\.$/m);
    expect(again.stderr).not.toMatch(/Launch refused: Launch/);
    expect(emu.simulations(KEY).filter((s) => s.folder === 'room')).toHaveLength(1);
    const forced = await cliHere(['launch', dir, '--cpu', '1', '--ram', 'standard', '--script', 'fds6.9.1', '--yes', '--force'], env);
    expect(forced.code, forced.stderr).toBe(0);
    expect(emu.simulations(KEY).filter((s) => s.folder === 'room')).toHaveLength(2);
  });

  it('launch without --cpu/--ram/--script chooses as the app does (the newest script of the case\'s solver)', async () => {
    const dir = makeCase('cavity', { 'placeholder': '' });
    mkdirSync(join(dir, 'system'));
    mkdirSync(join(dir, 'constant'));
    mkdirSync(join(dir, '0'));
    writeFileSync(join(dir, 'system', 'controlDict'), 'application icoFoam;\n');
    writeFileSync(join(dir, 'constant', 'g'), '');
    writeFileSync(join(dir, '0', 'U'), '');
    const viewCpu = (): number => emu.calls(KEY).byEndpoint['GET /simulation/view-cpu'] ?? 0;
    const asked = viewCpu();
    const r = await cliHere(['launch', dir, '--yes', '--json', '--refresh'], env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { script: string; cpu: number; ram: string; regular: boolean };
    expect(out).toMatchObject({ script: 'openFoam-v2406', cpu: 2, ram: 'standard', regular: true });
    expect(viewCpu()).toBe(asked + 1); // --refresh asks the offered lists once, for the choice and the launch
  });

  it('push on a terminal: one line redrawn with percent, bytes, rate and ETA; without one: plain lines, no internal states', async () => {
    emu.setFaults({ transferBytesPerSec: 2 * 1024 * 1024 });
    try {
      const big = makeCase('big', { 'big.fds': FDS, 'mesh.bin': randomBytes(5 * 1024 * 1024) });
      const tty = await onTerminal(['push', big]);
      expect(tty.code, tty.err).toBe(0);
      const frames = tty.out.split('\r').map((f) => f.trim()).filter((f) => f.startsWith('big push ['));
      expect(frames.length).toBeGreaterThan(1);
      expect(frames.some((f) => /^big push \[#*-*\] \d+% [\d.]+ (KB|MB) of [\d.]+ MB, [\d.]+ (KB|MB)\/s, ETA \d+ s$/.test(f))).toBe(true);
      expect(tty.out).toMatch(/big: Pushed the case as one archive\.\n/);
      expect(tty.out).not.toMatch(/scanning|idle -/);

      writeFileSync(join(big, 'mesh.bin'), randomBytes(3 * 1024 * 1024));
      writeFileSync(join(big, 'notes.txt'), 'n');
      const plain = await cliHere(['push', big], { ...env, CLOUDHPC_SYNC_HOME: join(root, 'home-tty') });
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout).not.toContain('\r');
      expect(plain.stdout).toMatch(/^big: Pushing .*\.\.\.$/m);
      expect(plain.stdout).toMatch(/^big: the cloud holds the case /m);
      expect(plain.stdout).not.toMatch(/scanning|idle -|pushing -/);
    } finally {
      emu.setFaults({});
    }
  });
});

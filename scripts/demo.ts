// `npm run demo`: the app against the embedded cloudHPC emulator, with two sample cases (a small
// FDS and a small OpenFOAM case) already added as projects. Electron when its binary is present,
// otherwise the headless mode (the same UI in a browser), printing the URL. The app starts as a
// newcomer meets it, at onboarding, with the emulator's key shown and pre-filled. Ctrl-C stops and
// removes the demo's temp folder (also when the signal comes twice, from the terminal and from npm/tsx).
//   npm run demo -- [--port N] [--headless] [--time-scale X]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulator } from '../emulator/index';
import { writeFdsSample, writeOpenFoamSample } from '../emulator/samples';
import { AppCore } from '../src-main/node/app/app-core';
import { startHeadlessServer } from '../src-main/node/headless/server';
import { readSandboxFacts, sandboxHelperPath, sandboxVerdict } from '../src-main/node/shell-policy/sandbox';
import { stopWithParent } from '../bin/launch.js';
import { ensureElectronSqlite } from './electron-native';

const KEY = 'demo-api-key-0123456789';
const root = fileURLToPath(new URL('..', import.meta.url));

/** The Electron binary's path when it is installed and runs here; null otherwise. */
function electronBinary(): string | null {
  try {
    const p: unknown = createRequire(import.meta.url)('electron');
    if (typeof p !== 'string' || !existsSync(p)) return null;
    const r = spawnSync(p, ['--version'], { timeout: 15_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    return r.status === 0 ? p : null;
  } catch {
    return null;
  }
}

/**
 * The Electron binary and its extra arguments when the desktop app can start here; null after saying
 * why not (the demo then runs headless). The app needs better-sqlite3 built for Electron's ABI (made
 * once by the rebuild step, which needs the network) and a usable Chromium sandbox (Ubuntu 23.10+
 * restricts it: NO_SANDBOX=1 runs without, as `npm run dev` does with electron-vite).
 */
function desktopApp(): { binary: string; args: string[] } | null {
  const binary = electronBinary();
  if (!binary) {
    console.log('The Electron binary is not installed here: running the headless mode (the same UI in a browser).');
    return null;
  }
  const sqlite = ensureElectronSqlite({ ifMissing: true });
  if (!sqlite.ok) {
    console.log(`${sqlite.message}\nRunning the headless mode instead.`);
    return null;
  }
  const sandbox = sandboxVerdict(readSandboxFacts(binary), sandboxHelperPath(binary));
  if (sandbox.ok) return { binary, args: [] };
  if (process.env.NO_SANDBOX === '1') return { binary, args: ['--no-sandbox'] };
  console.log(`${sandbox.reason} To start the desktop app:\n  ${sandbox.fixes.join('\n  ')}\nRunning the headless mode instead.`);
  return null;
}

function build(): void {
  console.log('Building the app (electron-vite build)…');
  const r = spawnSync(join(root, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('The build failed: see the output above.');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, headless: { type: 'boolean' }, 'time-scale': { type: 'string' } }, strict: true });
  stopWithParent(); // `npm run demo` stopped with SIGTERM: npm's shell ends, and so does the demo
  const port = values.port ? Number(values.port) : 0;
  const timeScale = values['time-scale'] ? Number(values['time-scale']) : 10;

  const work = await mkdtemp(join(tmpdir(), 'cloudhpc-demo-'));
  const home = join(work, 'app-data');
  const cases = join(work, 'cases');
  await mkdir(home, { recursive: true });
  const fds = join(cases, 'room_fire');
  const foam = join(cases, 'cavity');
  await writeFdsSample(fds);
  await writeOpenFoamSample(foam);

  const emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 3000 }], timeScale });
  // No CLOUDHPC_API_KEY: the app starts at onboarding, where the demo key is shown and pre-filled.
  const env: NodeJS.ProcessEnv = { ...process.env, CLOUDHPC_API_URL: emu.url, CLOUDHPC_SYNC_HOME: home, CLOUDHPC_SYNC_DEMO_KEY: KEY };
  delete env.CLOUDHPC_API_KEY;
  console.log(`cloudHPC emulator: ${emu.url} (time runs ${timeScale}x; a run takes about ${Math.round(230 / timeScale)} s)`);
  console.log(`Sample cases: ${fds} (FDS), ${foam} (OpenFOAM)`);
  console.log(`API key of the emulator: ${KEY} (the app asks for it first, as it would for yours; it is filled in)`);

  // The first Ctrl-C stops the demo; more signals while it cleans up (npm and tsx pass the terminal's on) are ignored.
  let stopRequested: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => { stopRequested = resolve; });
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals === 1) stopRequested();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  let cleanup = async (): Promise<void> => {};
  const electron = values.headless ? null : desktopApp();
  if (electron) {
    if (!existsSync(join(root, 'out', 'main', 'index.js'))) build();
    // Register the sample projects, then hand over to the desktop app.
    const core = await AppCore.create({ transport: 'electron', home, env, useKeychain: false });
    core.workspace.addProject(fds);
    core.workspace.addProject(foam);
    await core.stop();
    console.log('Starting the desktop app (Electron)…');
    // As `npm start` does: the project root as the app (package.json main), so build/ icons resolve.
    const child = spawn(electron.binary, [root, ...electron.args], { env, stdio: 'inherit' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await Promise.race([exited, stopped]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  } else {
    if (!existsSync(join(root, 'out', 'renderer', 'index.html'))) build();
    const core = await AppCore.create({
      transport: 'headless', home, env, useKeychain: false,
      tuning: { trackerMinIntervalMs: 2000, logMinIntervalMs: 2000, syncPullDelaysMs: [10_000, 30_000] },
      log: (level, m) => { if (level === 'warn' || level === 'error') console.error(`[${level}] ${m}`); },
    });
    core.workspace.addProject(fds);
    core.workspace.addProject(foam);
    await core.start();
    const server = await startHeadlessServer({ core, rendererDir: join(root, 'out', 'renderer'), port });
    console.log(`\nOpen the app in a browser on this machine:\n${server.url}\n\nCtrl-C stops the demo.`);
    cleanup = async () => {
      await server.close();
      await core.stop();
    };
    await stopped;
  }
  console.log('Stopping…');
  await cleanup();
  await emu.stop();
  await rm(work, { recursive: true, force: true });
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

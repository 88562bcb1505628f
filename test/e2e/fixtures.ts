// Starts what the browser journeys need, in-process: the cloudHPC emulator (frozen clock, moved by
// the test), the app core with its data in a temp folder, and the headless server on port 0.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index';
import { AppCore } from '../../src-main/node/app/app-core';
import { startHeadlessServer, type HeadlessServer } from '../../src-main/node/headless/server';
import { realScheduler } from '../../src-main/node/simulation/scheduler';

export const RIGHT_KEY = 'e2e-right-key-0123456789';
export const RENDERER_DIR = join(process.cwd(), 'out', 'renderer');
export const SHOTS = join(process.cwd(), 'test-results', 'screenshots');

export interface Stack {
  /** The emulator now (replaced by `emulatorUp`). */
  emu: Emulator;
  /** Stops the emulator (the service becomes unreachable); with `persist`, its state stays for `emulatorUp`. */
  emulatorDown(): Promise<void>;
  /** Starts it again on the same port with the same data (`persist` only). */
  emulatorUp(): Promise<void>;
  core: AppCore;
  server: HeadlessServer;
  work: string;
  cases: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  durations?: EmulatorOptions['durations'];
  /**
   * The core reads the time from the emulator's (frozen, test-moved) clock, its timers stay real: run
   * insight then measures the solver's pace in simulated time, as the app does in real time.
   */
  emulatorClock?: boolean;
  /** Endpoints the service refuses to this key ("Unauthorized." there only). */
  deniedEndpoints?: string[];
  /** Keep the emulator's state on disk, so `emulatorDown` / `emulatorUp` can take it away and bring it back. */
  persist?: boolean;
  /** The key given to the app through CLOUDHPC_API_KEY (no onboarding). */
  key?: string;
}

export async function startStack(o: StackOptions = {}): Promise<Stack> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new Error('The renderer is not built: run `npm run build` (npm test builds before the e2e suite).');
  }
  const work = await mkdtemp(join(tmpdir(), 'e2e-'));
  const emuOpts: EmulatorOptions = {
    keys: [{ key: RIGHT_KEY, hourlyLimit: 20_000, deniedEndpoints: o.deniedEndpoints }], timeScale: 0, logWarnings: ['@@@ RAM used > 80.0%'], durations: o.durations,
    ...(o.persist ? { dataDir: join(work, 'emulator') } : {}),
  };
  let emu: Emulator | null = await startEmulator(emuOpts);
  const port = emu.port;
  const home = join(work, 'home');
  const cases = join(work, 'cases');
  await mkdir(home, { recursive: true });
  await mkdir(cases, { recursive: true });
  const core = await AppCore.create({
    transport: 'headless',
    home,
    env: { CLOUDHPC_API_URL: emu.url, CLOUDHPC_SYNC_HOME: home, ...(o.key ? { CLOUDHPC_API_KEY: o.key } : {}) },
    useKeychain: false,
    cliKeyFile: join(work, 'no-cli-key'),
    tuning: { trackerMinIntervalMs: 150, logMinIntervalMs: 150, syncPullDelaysMs: [10 * 60_000] },
    scheduler: o.emulatorClock ? { now: () => (emu as Emulator).clock.now().getTime(), after: realScheduler().after } : undefined,
  });
  await core.start();
  const server = await startHeadlessServer({ core, rendererDir: RENDERER_DIR, port: 0 });
  return {
    get emu() { return emu as Emulator; },
    core, server, work, cases,
    async emulatorDown() {
      await emu?.stop();
      emu = null;
    },
    async emulatorUp() {
      if (!o.persist) throw new Error('emulatorUp needs startStack({ persist: true })');
      emu = await startEmulator({ ...emuOpts, port });
    },
    async stop() {
      const t0 = Date.now();
      await server.close();
      const t1 = Date.now();
      await core.stop();
      const t2 = Date.now();
      await emu?.stop();
      if (process.env.E2E_TIMING) console.log(`stop: server ${t1 - t0} ms, core ${t2 - t1} ms, emulator ${Date.now() - t2} ms`);
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** A new page whose script errors and console errors are collected (a journey ends expecting none). */
export async function watchedPage(browser: Browser): Promise<{ page: Page; consoleErrors: string[] }> {
  const page = await browser.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  return { page, consoleErrors };
}

export async function shot(page: Page, name: string): Promise<string> {
  await mkdir(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Refreshes the README's screenshot only when asked (UPDATE_SCREENSHOT=1), so a test run leaves the tree clean. */
export async function publishScreenshot(path: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOT !== '1') return;
  await mkdir(join(process.cwd(), 'docs'), { recursive: true });
  await copyFile(path, join(process.cwd(), 'docs', 'screenshot.png'));
}

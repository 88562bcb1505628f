// The Electron main process booted for real under plain Node, with a stand-in for the `electron`
// module (test/unit/electron-standin/: Electron cannot be downloaded here). The real shell
// (src-main/electron-main, bundled with esbuild) starts a real AppCore on a temp app data folder and
// registers its IPC handlers; the test then drives what a user does: a request from the window, closing
// the window on a Linux desktop whose panel draws no tray (no StatusNotifier host on the session bus),
// turning "keep running" off, closing again. The app must quit, stopping its core, with exit code 0.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_NAMES } from '../../src-main/common/contract';

const root = join(import.meta.dirname, '..', '..');
let outDir: string;
let home: string;
let child: ChildProcess;
let exitCode: Promise<number | null>;
let stderr = '';
let nextId = 1;

beforeAll(async () => {
  // Inside node_modules/.cache so the bundle's bare imports (chokidar, better-sqlite3, ...) resolve.
  outDir = join(root, 'node_modules', '.cache', `electron-main-boot-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  await build({ entryPoints: [join(root, 'src-main/electron-main/index.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: join(outDir, 'index.mjs'), logLevel: 'silent' });
  home = mkdtempSync(join(tmpdir(), 'electron-boot-'));
  child = fork(join(outDir, 'index.mjs'), [], {
    execArgv: ['--import', new URL('./electron-standin/register.mjs', import.meta.url).href],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: process.env.TMPDIR ?? '/tmp',
      CLOUDHPC_SYNC_HOME: join(home, 'appdata'), CLOUDHPC_API_URL: 'http://127.0.0.1:9/api/v2', CLOUDHPC_SYNC_E2E: '1',
      // A session bus with no StatusNotifier watcher: no panel draws tray icons here.
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', STANDIN_APP_PATH: root,
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  exitCode = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}, 60_000);

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(outDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

function ask<T>(message: Record<string, unknown>): Promise<T> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${String(message.cmd)} within 30 s; stderr: ${stderr}`)), 30_000);
    const onMessage = (m: { id?: number; error?: string } & Record<string, unknown>): void => {
      if (m.id !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      if (m.error) reject(new Error(m.error));
      else resolve(m as T);
    };
    child.on('message', onMessage);
    child.send({ ...message, id });
  });
}

describe('the Electron main process, booted against a stand-in electron module', () => {
  it('starts the core, handles every request, and builds the window from the security policy', async () => {
    const started = await ask<{ trayShown: boolean; closeAction: string; handlers: string[]; window: { minWidth: number; webPreferences: Record<string, unknown> } }>({ cmd: 'started' });
    expect(started.handlers).toEqual(REQUEST_NAMES.map((n) => `cloudhpc:req:${n}`).sort());
    expect(started.window.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(String(started.window.webPreferences.preload)).toMatch(/preload[\\/]index\.cjs$/);
    expect(started.window.minWidth).toBe(800);
    if (process.platform === 'linux') expect([started.trayShown, started.closeAction]).toEqual([false, 'minimize']);
  }, 60_000);

  it('the window\'s requests reach the real core', async () => {
    const r = await ask<{ value: { ok: boolean; value: { closeToTray: boolean } } }>({ cmd: 'invoke', name: 'getSettings', params: {} });
    expect(r.value).toMatchObject({ ok: true, value: { closeToTray: true } });
  });

  it.runIf(process.platform === 'linux')('closing with no tray shown minimises the window instead of hiding it out of reach', async () => {
    expect(await ask({ cmd: 'close-window' })).toMatchObject({ destroyed: false, visible: true, minimized: true });
  });

  it('with "keep running" turned off, closing the window quits: the core stops and the process exits 0', async () => {
    const saved = await ask<{ value: { ok: boolean } }>({ cmd: 'invoke', name: 'setSettings', params: { settings: { closeToTray: false } } });
    expect(saved.value.ok).toBe(true);
    expect(JSON.parse(readFileSync(join(home, 'appdata', 'settings.json'), 'utf8'))).toMatchObject({ closeToTray: false });
    expect(await ask({ cmd: 'close-window' })).toMatchObject({ destroyed: true });
    expect(await exitCode).toBe(0);
    expect(stderr).not.toMatch(/did not stop cleanly|start failed/);
    expect(existsSync(join(home, 'appdata'))).toBe(true);
  }, 60_000);
});

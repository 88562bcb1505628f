// Shared by the Playwright `_electron` specs: is the Electron binary here (and better-sqlite3 built for
// its ABI), and a launcher that starts the built app the way `npm start` does (`electron .` in the
// project root: package.json main, app.getAppPath() = the root, so build/ icons resolve), with its own
// throwaway app data folder and HOME, and a service URL on loopback that answers nothing (no call may
// leave the machine). Links the app would open are recorded by its test hook, not opened.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from '@playwright/test';
import { electronBindingFile, readSandboxFacts, REBUILD_COMMAND, sandboxHelperPath, sandboxVerdict } from '../../src-main/node/shell-policy';

export const root = join(import.meta.dirname, '..', '..');

/** The Electron executable installed by the electron package's postinstall, or null. */
export function electronBinary(): string | null {
  const pkg = join(root, 'node_modules', 'electron');
  const pathTxt = join(pkg, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const bin = join(pkg, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

/** better-sqlite3 built for Electron's ABI (node_modules/electron/abi_version), where the app looks for it. */
function electronSqliteReady(): boolean {
  const abi = join(root, 'node_modules', 'electron', 'abi_version');
  if (!existsSync(abi)) return false;
  const packageDir = dirname(createRequire(join(root, 'package.json')).resolve('better-sqlite3/package.json'));
  return existsSync(electronBindingFile(packageDir, { modules: readFileSync(abi, 'utf8').trim(), platform: process.platform, arch: process.arch }));
}

const binary = electronBinary();
export const electronAvailable = binary !== null && existsSync(join(root, 'out', 'main', 'index.js'));
export const SKIP_REASON = 'Electron binary not installed here: ELECTRON_SKIP_BINARY_DOWNLOAD=1 and no network to fetch it';
export const nativeReady = !electronAvailable || electronSqliteReady();
export const NATIVE_SKIP_REASON = `better-sqlite3 has no build for Electron's ABI yet: run \`${REBUILD_COMMAND}\``;
/** Linux needs a display (Xvfb in CI) for a window and a tray. */
export const displayAvailable = process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;
export const NO_DISPLAY_REASON = 'No display for Electron here (run under xvfb-run on Linux)';

export interface LaunchedApp {
  app: ElectronApplication;
  page: Page;
  home: string;
  close(): Promise<void>;
}

export interface E2EHook {
  ready: Promise<void>;
  trayMenu(): { items: { label: string; click: () => void }[] } | null;
  openedExternally: string[];
  trayShown(): boolean;
  closeAction(): 'hide' | 'minimize' | 'close';
}

export async function launchApp(): Promise<LaunchedApp> {
  const base = mkdtempSync(join(tmpdir(), 'cloudhpc-electron-'));
  const home = join(base, 'appdata');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'CLOUDHPC_API_KEY') env[k] = v;
  // As root (CI) Chromium will not start its sandbox, and where AppArmor restricts user namespaces
  // (Ubuntu 23.10+) an unpackaged Electron aborts without a SUID helper: the tests then run it as
  // Playwright runs Chromium as root, with --no-sandbox.
  const exe = binary ?? '';
  const sandbox = sandboxVerdict(readSandboxFacts(exe), sandboxHelperPath(exe));
  const app = await _electron.launch({
    executablePath: binary ?? undefined,
    args: [root, ...(sandbox.ok ? [] : ['--no-sandbox'])],
    cwd: root,
    env: { ...env, HOME: base, CLOUDHPC_SYNC_HOME: home, CLOUDHPC_API_URL: 'http://127.0.0.1:9/api/v2', CLOUDHPC_SYNC_E2E: '1', ELECTRON_DISABLE_SECURITY_WARNINGS: 'false' },
  });
  const page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
  // The hook's promise settles once the core has started (or failed to).
  await app.evaluate(() => Promise.race([
    (globalThis as unknown as { __cloudhpcE2E: E2EHook }).__cloudhpcE2E.ready,
    new Promise((_, reject) => setTimeout(() => reject(new Error('the app did not finish starting within 30 s')), 30_000)),
  ]));
  return {
    app,
    page,
    home,
    close: async () => {
      await app.close().catch(() => {});
      rmSync(base, { recursive: true, force: true });
    },
  };
}


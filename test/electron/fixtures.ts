// Shared by the Playwright `_electron` specs: is the Electron binary here, and a launcher that starts
// the built app (out/main/index.js) with its own throwaway app data folder and HOME, and a service URL
// on loopback that answers nothing (no call may leave the machine).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from '@playwright/test';

export const root = join(import.meta.dirname, '..', '..');

/** The Electron executable installed by the electron package's postinstall, or null. */
export function electronBinary(): string | null {
  const pkg = join(root, 'node_modules', 'electron');
  const pathTxt = join(pkg, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const bin = join(pkg, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

export const electronAvailable = electronBinary() !== null && existsSync(join(root, 'out', 'main', 'index.js'));
export const SKIP_REASON = 'Electron binary not installed here: ELECTRON_SKIP_BINARY_DOWNLOAD=1 and no network to fetch it';
/** Linux needs a display (Xvfb in CI) for a window and a tray. */
export const displayAvailable = process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;
export const NO_DISPLAY_REASON = 'No display for Electron here (run under xvfb-run on Linux)';

export interface LaunchedApp {
  app: ElectronApplication;
  page: Page;
  home: string;
  close(): Promise<void>;
}

export async function launchApp(): Promise<LaunchedApp> {
  const base = mkdtempSync(join(tmpdir(), 'cloudhpc-electron-'));
  const home = join(base, 'appdata');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'CLOUDHPC_API_KEY') env[k] = v;
  const app = await _electron.launch({
    executablePath: electronBinary() ?? undefined,
    args: [join(root, 'out', 'main', 'index.js')],
    cwd: root,
    env: { ...env, HOME: base, CLOUDHPC_SYNC_HOME: home, CLOUDHPC_API_URL: 'http://127.0.0.1:9/api/v2', CLOUDHPC_SYNC_E2E: '1', ELECTRON_DISABLE_SECURITY_WARNINGS: 'false' },
  });
  const page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
  // The test hook is installed once the core has started.
  await app.evaluate(async () => {
    const deadline = Date.now() + 20_000;
    while (!(globalThis as Record<string, unknown>).__cloudhpcE2E) {
      if (Date.now() > deadline) throw new Error('the app did not finish starting');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
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

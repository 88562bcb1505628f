// Where the shell finds its files: the bundles next to this one, the tray icons from build/ (copied to
// resources/ by electron-builder's extraResources in a packaged app).
import { app } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TrayIconState } from '../common/contract';
import { trayIconFile } from '../node/shell-policy';

export const preloadPath = (): string => join(import.meta.dirname, '../preload/index.cjs');
export const rendererIndex = (): string => join(import.meta.dirname, '../renderer/index.html');
export const rendererUrl = (): string => pathToFileURL(rendererIndex()).toString();

/** The dev server URL, only when not packaged (electron-vite dev sets ELECTRON_RENDERER_URL). */
export function devServerUrl(): string | null {
  const url = process.env.ELECTRON_RENDERER_URL;
  return !app.isPackaged && url ? url : null;
}

function buildDir(): string {
  return app.isPackaged ? process.resourcesPath : join(app.getAppPath(), 'build');
}

export const trayIconPath = (state: TrayIconState): string => join(buildDir(), trayIconFile(state));
export const appIconPath = (): string => join(buildDir(), 'icons', '512x512.png');

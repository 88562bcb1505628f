// The main window, per Electron's security checklist: the web preferences come from shell-policy
// (isolated, sandboxed, no Node), navigation and new windows are blocked, links go to the system browser
// only when allow-listed, and the window hides to the tray on close when the setting says so.
import { BrowserWindow, shell } from 'electron';
import { checkExternalUrl, mayNavigate, safeUrlForLog, secureWebPreferences } from '../node/shell-policy';
import type { LogSink } from '../node/api/redact';
import { appIconPath, devServerUrl, preloadPath, rendererIndex } from './resources';

export interface MainWindowOptions {
  log: LogSink;
  /** Hosts allowed besides the fixed cloudHPC ones (the vnc_url hosts of known simulations). */
  extraLinkHosts: () => string[];
  /** Close hides to the tray instead of closing (setting + a tray exists + not quitting). */
  hideOnClose: () => boolean;
  onVisibility: (visible: boolean) => void;
  /** True once when the app was started at login (--hidden): the window stays in the tray. */
  startHidden: () => boolean;
}

export function openExternalChecked(url: string, extraHosts: string[], log: LogSink): boolean {
  const v = checkExternalUrl(url, extraHosts);
  if (!v.allowed) {
    log('warn', `link not opened: ${v.reason}`);
    return false;
  }
  void shell.openExternal(v.url);
  return true;
}

export function createMainWindow(opts: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'cloudHPC Sync',
    icon: appIconPath(),
    webPreferences: secureWebPreferences(preloadPath()),
  });
  const wc = win.webContents;

  wc.on('will-navigate', (event, url) => {
    if (!mayNavigate(url, wc.getURL())) {
      event.preventDefault();
      opts.log('warn', `navigation blocked: ${safeUrlForLog(url)}`);
      openExternalChecked(url, opts.extraLinkHosts(), opts.log);
    }
  });
  wc.on('will-redirect', (event, url) => {
    if (!mayNavigate(url, wc.getURL())) event.preventDefault();
  });
  wc.on('will-attach-webview', (event) => event.preventDefault());
  wc.setWindowOpenHandler(({ url }) => {
    openExternalChecked(url, opts.extraLinkHosts(), opts.log);
    return { action: 'deny' };
  });

  win.once('ready-to-show', () => {
    if (opts.startHidden()) opts.onVisibility(false);
    else win.show();
  });
  win.on('close', (event) => {
    if (opts.hideOnClose()) {
      event.preventDefault();
      win.hide();
    }
  });
  win.on('show', () => opts.onVisibility(true));
  win.on('hide', () => opts.onVisibility(false));
  win.on('minimize', () => opts.onVisibility(false));
  win.on('restore', () => opts.onVisibility(true));

  const dev = devServerUrl();
  if (dev) void win.loadURL(dev);
  else void win.loadFile(rendererIndex());
  return win;
}

export function showWindow(win: BrowserWindow | null): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

// The main window, per Electron's security checklist: the web preferences come from shell-policy
// (isolated, sandboxed, no Node), navigation and new windows are blocked, links go to the system browser
// only when allow-listed, and closing does what shell-policy's closeAction says (hide to a tray that is
// really shown, minimise when none is, or close).
import { BrowserWindow } from 'electron';
import { checkExternalUrl, mayNavigate, safeUrlForLog, secureWebPreferences, type CloseAction, type StartupWindow } from '../node/shell-policy';
import type { LogSink } from '../node/api/redact';
import { appIconPath, devServerUrl, preloadPath, rendererIndex } from './resources';

/** Hands a checked URL to the system browser (shell.openExternal; a recorder in the _electron tests). */
export type ExternalLauncher = (url: string) => void;

export interface MainWindowOptions {
  log: LogSink;
  /** Hosts allowed besides the fixed cloudHPC ones (the vnc_url hosts of known simulations). */
  extraLinkHosts: () => string[];
  launchExternal: ExternalLauncher;
  /** What closing the window does now (shell-policy closeAction). */
  closeAction: () => CloseAction;
  onVisibility: (visible: boolean) => void;
  /** How the window first appears (asked once, at ready-to-show). */
  startup: () => StartupWindow;
  /** Windows is ending the session (log-off, shutdown): the app must stop now. */
  onSessionEnd: () => void;
}

export function openExternalChecked(url: string, extraHosts: string[], log: LogSink, launch: ExternalLauncher): boolean {
  const v = checkExternalUrl(url, extraHosts);
  if (!v.allowed) {
    log('warn', `link not opened: ${v.reason}`);
    return false;
  }
  launch(v.url);
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
      openExternalChecked(url, opts.extraLinkHosts(), opts.log, opts.launchExternal);
    }
  });
  wc.on('will-redirect', (event, url) => {
    if (!mayNavigate(url, wc.getURL())) event.preventDefault();
  });
  wc.on('will-attach-webview', (event) => event.preventDefault());
  wc.setWindowOpenHandler(({ url }) => {
    openExternalChecked(url, opts.extraLinkHosts(), opts.log, opts.launchExternal);
    return { action: 'deny' };
  });

  win.once('ready-to-show', () => {
    switch (opts.startup()) {
      case 'tray':
        opts.onVisibility(false);
        break;
      case 'minimized':
        win.showInactive();
        win.minimize();
        break;
      default:
        win.show();
    }
  });
  win.on('close', (event) => {
    const action = opts.closeAction();
    if (action === 'close') return;
    event.preventDefault();
    if (action === 'hide') win.hide();
    else win.minimize();
  });
  win.on('session-end', () => opts.onSessionEnd());
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

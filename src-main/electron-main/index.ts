// The Electron shell: the only place (with the preload) that imports electron. Kept thin: the core
// (AppCore) does the work and restores state (projects resume watching); the rules the shell applies
// are pure functions in src-main/node/shell-policy. This file wires app lifecycle, window, tray, IPC,
// notifications and the injected safeStorage together.
import { app, BrowserWindow, dialog, Menu, session, shell, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import type { Settings } from '../common/contract';
import { AppCore } from '../node/app/app-core';
import { LateEndpoint } from '../node/app/late-endpoint';
import type { LogSink } from '../node/api/redact';
import { appDataDir } from '../node/project';
import {
  APP_USER_MODEL_ID, askStatusNotifierHost, closeAction, type CloseAction, LOGIN_ARG, QUIT_DEADLINE_MS, SESSION_END_DEADLINE_MS, setLinuxAutostart,
  startedAtLogin, startupWindow, stopWithin, trayShown, vncHosts,
} from '../node/shell-policy';
import { registerIpc } from './ipc';
import { notify } from './notifications';
import { devServerUrl, rendererUrl } from './resources';
import { electronSafeStorage } from './safe-storage';
import { secureSession } from './session-security';
import { AppTray } from './tray';
import { createMainWindow, openExternalChecked, showWindow, type ExternalLauncher } from './window';

const log: LogSink = (level, message) => {
  const line = `[${new Date().toISOString()}] ${level} ${message}`;
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
};

// Chromium's own files (cache, local storage) go in a subfolder of the app data folder, apart from
// the app's data (projects, settings, key file). Set before 'ready', as Electron requires.
const home = appDataDir();
app.setPath('userData', join(home, 'chromium'));
// Windows ties toasts to the Start-menu shortcut whose AppUserModelID is electron-builder's appId.
if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);

// Test hook for test/electron (Playwright _electron): main-process only, never in a packaged app.
// Links the app would open are recorded instead of starting the test machine's browser.
const e2e = !app.isPackaged && process.env.CLOUDHPC_SYNC_E2E === '1';
const openedExternally: string[] = [];
const launchExternal: ExternalLauncher = e2e ? (url) => { openedExternally.push(url); } : (url) => { void shell.openExternal(url); };

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let core: AppCore | null = null;
  let win: BrowserWindow | null = null;
  let tray: AppTray | null = null;
  let statusNotifierHost: boolean | null = null;
  let quitting = false;
  let settings: Settings | null = null;
  let vnc: string[] = [];
  let atLogin = false;

  const trayIsShown = (): boolean => trayShown({ platform: process.platform, trayCreated: tray !== null, statusNotifierHost });
  const currentCloseAction = (): CloseAction => closeAction({ quitting, closeToTray: settings?.closeToTray ?? true, trayShown: trayIsShown() });
  // A panel may start drawing tray icons later (an extension turned on): ask again when the window shows.
  const probeTrayHost = async (): Promise<void> => {
    if (process.platform === 'linux') statusNotifierHost = await askStatusNotifierHost();
  };

  const quit = (): void => {
    quitting = true;
    app.quit();
  };

  const applySettings = (s: Settings): void => {
    const loginChanged = settings?.startAtLogin !== s.startAtLogin;
    settings = s;
    if (!loginChanged) return;
    if (process.platform === 'darwin') {
      // macOS ignores login item args: a login start is told by wasOpenedAtLogin instead.
      app.setLoginItemSettings({ openAtLogin: s.startAtLogin });
      return;
    }
    if (process.platform === 'win32') {
      app.setLoginItemSettings({ openAtLogin: s.startAtLogin, args: [LOGIN_ARG] });
      return;
    }
    // Electron has no login items on Linux: an XDG autostart entry (the AppImage file itself when packaged so).
    const command = process.env.APPIMAGE ? [process.env.APPIMAGE] : app.isPackaged ? [process.execPath] : [process.execPath, app.getAppPath()];
    try {
      setLinuxAutostart(s.startAtLogin, command);
    } catch (err) {
      log('warn', `start at login could not be changed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const request = async (name: 'stopSimulation' | 'pauseAll' | 'resumeAll', params: unknown): Promise<void> => {
    const reply = await core?.request(name, params);
    if (reply && !reply.ok) void dialog.showMessageBox({ type: 'error', message: reply.error.message, buttons: ['OK'] });
  };

  const openWindow = (): void => {
    // Before the core is up (a second instance started early), the first window is on its way anyway.
    if (!app.isReady() || !core) return;
    if (!win || win.isDestroyed()) win = newWindow();
    showWindow(win);
  };

  /**
   * Stops the core once, within the deadline, then finishes quitting: app.quit() after a clean stop
   * (Chromium shuts down normally), app.exit() after a timeout or when Windows ends the session (safe:
   * see quit-deadline.ts). A second quit while stopping waits for the same stop.
   */
  let stopping: Promise<void> | null = null;
  let stopped = false;
  const stopCoreAndLeave = (deadlineMs: number, sessionEnding: boolean): Promise<void> => {
    stopping ??= (async () => {
      const c = core;
      core = null;
      tray?.destroy();
      tray = null;
      const outcome = c ? await stopWithin(() => c.stop(), deadlineMs) : 'stopped';
      if (outcome !== 'stopped') log(outcome === 'failed' ? 'error' : 'warn', `the core did not stop cleanly (${outcome}); leaving anyway`);
      stopped = true;
      if (outcome === 'timed-out' || sessionEnding) app.exit(0);
      else app.quit();
    })();
    return stopping;
  };

  let firstWindow = true;
  const newWindow = (): BrowserWindow => createMainWindow({
    log,
    startup: () => {
      const how = firstWindow ? startupWindow({ startedAtLogin: atLogin, trayShown: trayIsShown() }) : 'show';
      firstWindow = false;
      return how;
    },
    extraLinkHosts: () => vnc,
    launchExternal,
    closeAction: currentCloseAction,
    onVisibility: (visible) => {
      void core?.request('windowVisibility', { visible });
      if (visible) void probeTrayHost();
    },
    onSessionEnd: () => {
      quitting = true;
      void stopCoreAndLeave(SESSION_END_DEADLINE_MS, true);
    },
  });

  app.on('second-instance', () => openWindow());
  app.on('activate', () => openWindow()); // macOS dock click

  app.on('web-contents-created', (_event, contents) => {
    // No window may open another, whatever created it.
    contents.setWindowOpenHandler(({ url }) => {
      openExternalChecked(url, vnc, log, launchExternal);
      return { action: 'deny' };
    });
  });

  app.on('before-quit', () => { quitting = true; });

  app.on('will-quit', (event) => {
    if (stopped || (!core && !stopping)) return; // stopped, or nothing started yet
    event.preventDefault();
    void stopCoreAndLeave(QUIT_DEADLINE_MS, false);
  });

  // Only a window whose close was not turned into hide/minimise gets here: quit with it.
  app.on('window-all-closed', () => quit());

  const started = deferred();
  if (e2e) {
    (globalThis as Record<string, unknown>).__cloudhpcE2E = {
      ready: started.promise,
      trayMenu: () => tray?.menu ?? null,
      mainWindow: () => win,
      appDataDir: home,
      openedExternally,
      trayShown: trayIsShown,
      closeAction: currentCloseAction,
    };
  }

  void app.whenReady().then(async () => {
    secureSession(session.defaultSession, devServerUrl(), log);
    Menu.setApplicationMenu(Menu.buildFromTemplate(appMenu(quit)));
    atLogin = startedAtLogin({
      platform: process.platform,
      argv: process.argv,
      wasOpenedAtLogin: process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin,
    });
    const hostProbe = probeTrayHost();

    // The window opens at once and says "Connecting…": its requests wait for the core, which can take
    // seconds to make (the keychain probe), or get the reason it could not start.
    const endpoint = new LateEndpoint();
    registerIpc({
      core: endpoint,
      window: () => win,
      page: () => ({ appUrl: rendererUrl(), devServerUrl: devServerUrl() }),
      appDataDir: home,
      log,
      afterReply: (name, reply) => {
        if (name === 'setSettings' && reply.ok) applySettings(reply.value as Settings);
      },
    });

    endpoint.onEvent((ev) => {
      if (ev.name === 'state') {
        vnc = vncHosts(ev.payload.simulations.map((s) => s.vncUrl));
        tray?.update(ev.payload.tray);
      } else if (ev.name === 'notification' && settings) {
        notify(ev.payload, settings.notifications, openWindow);
      }
    });

    try {
      tray = new AppTray({
        open: openWindow,
        stop: (id, mode) => { void request('stopSimulation', { id, mode, confirmed: true }); },
        pauseAll: () => { void request('pauseAll', {}); },
        resumeAll: () => { void request('resumeAll', {}); },
        quit,
      });
    } catch (err) {
      log('warn', `no system tray: ${err instanceof Error ? err.message : String(err)}`);
    }
    await hostProbe;
    if (process.platform === 'linux' && tray && !trayIsShown()) {
      log('info', 'no panel shows tray icons here (no StatusNotifier host on the session bus): closing the window minimises it instead of hiding it');
    }

    win = newWindow();
    let made: AppCore;
    try {
      made = await AppCore.create({
        transport: 'electron',
        home,
        safeStorage: electronSafeStorage(),
        log,
        opener: async (target, kind) => {
          if (kind === 'url') {
            if (!openExternalChecked(target, vnc, log, launchExternal)) throw new Error('This link is not a cloudHPC address, so the app does not open it.');
            return;
          }
          const error = await shell.openPath(target);
          if (error) throw new Error(error);
        },
      });
    } catch (err) {
      endpoint.fail(err instanceof Error ? err.message : String(err));
      throw err;
    }
    core = made;
    applySettings(made.settings.get());
    endpoint.attach(made);
    await made.start();
    started.resolve();
  }).catch((err: unknown) => {
    started.reject(err);
    log('error', `start failed: ${err instanceof Error ? err.message : String(err)}`);
    dialog.showErrorBox('cloudHPC Sync could not start', err instanceof Error ? err.message : String(err));
    app.exit(1);
  });
}

/** A promise with its settle functions (the e2e hook's "started"); its rejection is always observed. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void } {
  let resolve: () => void = () => {};
  let reject: (err: unknown) => void = () => {};
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function appMenu(quit: () => void): MenuItemConstructorOptions[] {
  const mac = process.platform === 'darwin';
  const devTools: MenuItemConstructorOptions[] = app.isPackaged ? [] : [{ role: 'reload' }, { role: 'toggleDevTools' }];
  return [
    ...(mac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    { label: 'File', submenu: [mac ? { role: 'close' } : { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: quit }] },
    { role: 'editMenu' },
    { label: 'View', submenu: [...devTools, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }] },
    { role: 'windowMenu' },
  ];
}

// The Electron shell: the only place (with the preload) that imports electron. Kept thin: the core
// (AppCore) does the work and restores state (projects resume watching); the rules the shell applies
// are pure functions in src-main/node/shell-policy. This file wires app lifecycle, window, tray, IPC,
// notifications and the injected safeStorage together.
import { app, BrowserWindow, dialog, Menu, session, shell, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import type { Settings } from '../common/contract';
import { AppCore } from '../node/app/app-core';
import type { LogSink } from '../node/api/redact';
import { appDataDir } from '../node/project';
import { setLinuxAutostart, vncHosts } from '../node/shell-policy';
import { registerIpc } from './ipc';
import { notify } from './notifications';
import { devServerUrl, rendererUrl } from './resources';
import { electronSafeStorage } from './safe-storage';
import { secureSession } from './session-security';
import { AppTray } from './tray';
import { createMainWindow, openExternalChecked, showWindow } from './window';

const log: LogSink = (level, message) => {
  const line = `[${new Date().toISOString()}] ${level} ${message}`;
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
};

// Chromium's own files (cache, local storage) go in a subfolder of the app data folder, apart from
// the app's data (projects, settings, key file). Set before 'ready', as Electron requires.
const home = appDataDir();
app.setPath('userData', join(home, 'chromium'));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let core: AppCore | null = null;
  let win: BrowserWindow | null = null;
  let tray: AppTray | null = null;
  let quitting = false;
  let settings: Settings | null = null;
  let vnc: string[] = [];

  const hideOnClose = (): boolean => !quitting && tray !== null && (settings?.closeToTray ?? true);

  const quit = (): void => {
    quitting = true;
    app.quit();
  };

  const applySettings = (s: Settings): void => {
    const loginChanged = settings?.startAtLogin !== s.startAtLogin;
    settings = s;
    if (!loginChanged) return;
    if (process.platform !== 'linux') {
      app.setLoginItemSettings({ openAtLogin: s.startAtLogin, args: ['--hidden'] });
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

  // Started at login: stay in the tray until opened.
  let startHidden = process.argv.includes('--hidden');
  const newWindow = (): BrowserWindow => createMainWindow({
    log,
    startHidden: () => {
      const hidden = startHidden && tray !== null;
      startHidden = false;
      return hidden;
    },
    extraLinkHosts: () => vnc,
    hideOnClose,
    onVisibility: (visible) => { void core?.request('windowVisibility', { visible }); },
  });

  app.on('second-instance', () => openWindow());
  app.on('activate', () => openWindow()); // macOS dock click

  app.on('web-contents-created', (_event, contents) => {
    // No window may open another, whatever created it.
    contents.setWindowOpenHandler(({ url }) => {
      openExternalChecked(url, vnc, log);
      return { action: 'deny' };
    });
  });

  app.on('before-quit', () => { quitting = true; });

  let stopped = false;
  app.on('will-quit', (event) => {
    if (stopped || !core) return;
    event.preventDefault();
    const c = core;
    core = null;
    tray?.destroy();
    tray = null;
    void c.stop().catch((err: unknown) => log('error', `stopping the core failed: ${String(err)}`)).finally(() => {
      stopped = true;
      app.quit();
    });
  });

  // Closing the last window quits, unless it only hid to the tray.
  app.on('window-all-closed', () => {
    if (!hideOnClose()) quit();
  });

  void app.whenReady().then(async () => {
    secureSession(session.defaultSession, devServerUrl(), log);
    Menu.setApplicationMenu(Menu.buildFromTemplate(appMenu(quit)));

    core = await AppCore.create({
      transport: 'electron',
      home,
      safeStorage: electronSafeStorage(),
      log,
      opener: async (target, kind) => {
        if (kind === 'url') {
          if (!openExternalChecked(target, vnc, log)) throw new Error('This link is not a cloudHPC address, so the app does not open it.');
          return;
        }
        const error = await shell.openPath(target);
        if (error) throw new Error(error);
      },
    });
    applySettings(core.settings.get());

    registerIpc({
      core,
      window: () => win,
      page: () => ({ appUrl: rendererUrl(), devServerUrl: devServerUrl() }),
      appDataDir: home,
      log,
      afterReply: (name, reply) => {
        if (name === 'setSettings' && reply.ok) applySettings(reply.value as Settings);
      },
    });

    core.onEvent((ev) => {
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
      // Some Linux desktops have no tray: the window then closes normally instead of hiding.
      log('warn', `no system tray: ${err instanceof Error ? err.message : String(err)}`);
    }

    win = newWindow();
    await core.start();

    // Test hook for test/electron (Playwright _electron): main-process only, never in a packaged app.
    if (!app.isPackaged && process.env.CLOUDHPC_SYNC_E2E === '1') {
      (globalThis as Record<string, unknown>).__cloudhpcE2E = { trayMenu: () => tray?.menu ?? null, mainWindow: () => win, appDataDir: home };
    }
  }).catch((err: unknown) => {
    log('error', `start failed: ${err instanceof Error ? err.message : String(err)}`);
    dialog.showErrorBox('cloudHPC Sync could not start', err instanceof Error ? err.message : String(err));
    app.exit(1);
  });
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

// What closing the window and starting at login do, given whether a tray icon is really shown.
// On Linux `new Tray()` succeeds even where nothing displays it (GNOME without the AppIndicator
// extension: Electron has no API to tell, electron#10427), so hiding to the tray there would lose the
// window. A tray counts as shown on Linux only when a StatusNotifierWatcher on the session bus says a
// host (a panel that draws the icons) is registered; on macOS and Windows a created tray is shown.
import { execFile } from 'node:child_process';

export interface TrayFacts {
  platform: NodeJS.Platform;
  /** `new Tray()` succeeded. */
  trayCreated: boolean;
  /** Linux: the StatusNotifierWatcher answered that a host is registered (null: could not ask). */
  statusNotifierHost: boolean | null;
}

export function trayShown(f: TrayFacts): boolean {
  if (!f.trayCreated) return false;
  if (f.platform === 'linux') return f.statusNotifierHost === true;
  return true;
}

/**
 * Closing the window: 'hide' to the tray; 'minimize' when the user wants the app to keep running
 * (closeToTray) but no tray is shown, so the window stays reachable from the task bar; 'close' (the
 * app quits with its last window) when the user turned closeToTray off, or when quitting anyway.
 */
export type CloseAction = 'hide' | 'minimize' | 'close';

export function closeAction(f: { quitting: boolean; closeToTray: boolean; trayShown: boolean }): CloseAction {
  if (f.quitting || !f.closeToTray) return 'close';
  return f.trayShown ? 'hide' : 'minimize';
}

/** The first window: shown, kept in the tray (started at login with a tray shown), or minimised. */
export type StartupWindow = 'show' | 'tray' | 'minimized';

export function startupWindow(f: { startedAtLogin: boolean; trayShown: boolean }): StartupWindow {
  if (!f.startedAtLogin) return 'show';
  return f.trayShown ? 'tray' : 'minimized';
}

export const LOGIN_ARG = '--hidden';

/**
 * Whether this start was the login item's. Windows and Linux pass LOGIN_ARG (login item args, XDG
 * autostart Exec); macOS ignores login item args, so it asks app.getLoginItemSettings().wasOpenedAtLogin.
 */
export function startedAtLogin(f: { platform: NodeJS.Platform; argv: readonly string[]; wasOpenedAtLogin: boolean }): boolean {
  return f.platform === 'darwin' ? f.wasOpenedAtLogin : f.argv.includes(LOGIN_ARG);
}

/** The dbus-send call that asks the StatusNotifierWatcher whether a host is registered (KDE/freedesktop SNI spec). */
export const STATUS_NOTIFIER_QUERY: readonly string[] = [
  '--session', '--print-reply=literal', '--reply-timeout=2000', '--dest=org.kde.StatusNotifierWatcher', '/StatusNotifierWatcher',
  'org.freedesktop.DBus.Properties.Get', 'string:org.kde.StatusNotifierWatcher', 'string:IsStatusNotifierHostRegistered',
];

/** Reads dbus-send's literal reply ("variant       boolean true"); anything else is not a host. */
export function parseStatusNotifierReply(exitCode: number | null, stdout: string): boolean {
  return exitCode === 0 && /\bboolean\s+true\b/.test(stdout);
}

/** Asks the session bus (dbus-send, with a deadline); null when dbus-send is not installed. */
export function askStatusNotifierHost(env: NodeJS.ProcessEnv = process.env, timeoutMs = 3_000): Promise<boolean | null> {
  return new Promise((resolve) => {
    execFile('dbus-send', [...STATUS_NOTIFIER_QUERY], { env, timeout: timeoutMs }, (err, stdout) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') resolve(null);
      else resolve(parseStatusNotifierReply(err ? 1 : 0, String(stdout)));
    });
  });
}

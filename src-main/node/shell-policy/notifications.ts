// Which core notifications become desktop notifications: the kinds the user can turn off in settings
// (simulation ended, simulation warning, results pulled, conflict, key rejected). Other kinds stay in the window.
import type { NotificationKind, NotificationPayload, Settings } from '../../common/contract';

const settingFor: Partial<Record<NotificationKind, keyof Settings['notifications']>> = {
  'simulation-ended': 'simulationEnded',
  'simulation-warning': 'simulationWarning',
  'results-pulled': 'resultsPulled',
  conflict: 'conflict',
  'key-rejected': 'keyRejected',
};

export interface DesktopNotification {
  title: string;
  body: string;
}

function clip(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

export function desktopNotification(payload: NotificationPayload, enabled: Settings['notifications']): DesktopNotification | null {
  const setting = settingFor[payload.kind];
  if (!setting || !enabled[setting]) return null;
  return { title: clip(payload.title, 80), body: clip(payload.body, 250) };
}

/**
 * Windows: toasts belong to the app whose AppUserModelID matches the Start-menu shortcut's, which
 * electron-builder's installer sets to the `appId` (electron-builder.yml; a test keeps them equal).
 * Without app.setAppUserModelId(APP_USER_MODEL_ID) toasts show "electron.app.<name>" or nothing.
 */
export const APP_USER_MODEL_ID = 'cloud.cloudhpc.sync';

/**
 * The options for Electron's Notification. Linux notification daemons show no app icon unless one is
 * given; macOS and Windows take the app's own icon (the bundle / the AUMID shortcut).
 */
export function notificationOptions(n: DesktopNotification, platform: NodeJS.Platform, appIconPath: string): { title: string; body: string; silent: boolean; icon?: string } {
  return platform === 'linux' ? { title: n.title, body: n.body, silent: false, icon: appIconPath } : { title: n.title, body: n.body, silent: false };
}

/** The part of Electron's Notification the hold needs (an EventEmitter). */
export interface Closable {
  once(event: 'close' | 'failed', listener: () => void): unknown;
}

/**
 * Keeps shown notifications referenced until they close: Electron holds a main-process Notification
 * weakly, so one that nothing references may be garbage-collected with its click handler before the
 * user clicks it (electron#16922). 'close' is not emitted in every case (Windows Action Center), so
 * the hold keeps at most `max`, dropping the oldest.
 */
export class NotificationHold<T extends Closable> {
  private readonly held = new Set<T>();

  constructor(private readonly max = 20) {}

  hold(n: T): void {
    this.held.add(n);
    const release = (): void => { this.held.delete(n); };
    n.once('close', release);
    n.once('failed', release);
    while (this.held.size > this.max) {
      const oldest = this.held.values().next().value as T;
      this.held.delete(oldest);
    }
  }

  get size(): number {
    return this.held.size;
  }

  has(n: T): boolean {
    return this.held.has(n);
  }
}

// Desktop notifications for the core's notification events, each kind switchable in settings. Shown
// notifications stay referenced until they close (NotificationHold: electron#16922), carry the app
// icon on Linux, and on Windows belong to the app through its AppUserModelID (set in index.ts).
import { Notification } from 'electron';
import type { NotificationPayload, Settings } from '../common/contract';
import { desktopNotification, NotificationHold, notificationOptions } from '../node/shell-policy';
import { appIconPath } from './resources';

const shown = new NotificationHold<Notification>();

export function notify(payload: NotificationPayload, enabled: Settings['notifications'], onClick: () => void): void {
  const n = desktopNotification(payload, enabled);
  if (!n || !Notification.isSupported()) return;
  const notification = new Notification(notificationOptions(n, process.platform, appIconPath()));
  notification.on('click', onClick);
  shown.hold(notification);
  notification.show();
}

// Desktop notifications for the core's notification events, each kind switchable in settings.
import { Notification } from 'electron';
import type { NotificationPayload, Settings } from '../common/contract';
import { desktopNotification } from '../node/shell-policy';

export function notify(payload: NotificationPayload, enabled: Settings['notifications'], onClick: () => void): void {
  const n = desktopNotification(payload, enabled);
  if (!n || !Notification.isSupported()) return;
  const shown = new Notification({ title: n.title, body: n.body, silent: false });
  shown.on('click', onClick);
  shown.show();
}

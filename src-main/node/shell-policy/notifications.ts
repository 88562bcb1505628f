// Which core notifications become desktop notifications: the four kinds the user can turn off in
// settings (simulation ended, results pulled, conflict, key rejected). Other kinds stay in the window.
import type { NotificationKind, NotificationPayload, Settings } from '../../common/contract';

const settingFor: Partial<Record<NotificationKind, keyof Settings['notifications']>> = {
  'simulation-ended': 'simulationEnded',
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

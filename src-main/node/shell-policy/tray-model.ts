// The tray menu and icon as data, built from the core's TraySummary: the shell turns it into an
// Electron Menu. "Open" is always there (Linux desktops differ on what a click does); each running
// simulation (with its percent when run insight knows it) gets soft and hard stop; pause/resume all
// syncing; quit. The tooltip is the summary line (it names the running runs' percent).
import type { TrayIconState, TraySummary } from '../../common/contract';

export type TrayAction =
  | { type: 'open' }
  | { type: 'stop'; id: number; mode: 'soft' | 'hard' }
  | { type: 'pause-all' }
  | { type: 'resume-all' }
  | { type: 'quit' };

export type TrayItem =
  | { kind: 'action'; label: string; action: TrayAction; enabled: boolean }
  | { kind: 'submenu'; label: string; items: TrayItem[] }
  | { kind: 'separator' };

export const TRAY_ICON_STATES: readonly TrayIconState[] = ['idle', 'syncing', 'attention', 'running'];

/**
 * Icon file under build/ (committed PNGs, not bundler-hashed). macOS menu-bar icons are 16 pt
 * template images (black + alpha, named *Template so macOS tints them for light and dark menu bars;
 * Electron loads the @2x file beside it on Retina): build/tray/mac/<state>Template.png. Elsewhere a
 * coloured 32 px icon: build/tray/<state>.png.
 */
export function trayIconFile(state: TrayIconState, platform: NodeJS.Platform = process.platform): string {
  const s = TRAY_ICON_STATES.includes(state) ? state : 'idle';
  return platform === 'darwin' ? `tray/mac/${s}Template.png` : `tray/${s}.png`;
}

/** Windows truncates tray tooltips at 127 characters. */
export function trayTooltip(summary: Pick<TraySummary, 'line'>): string {
  const line = `cloudHPC Sync: ${summary.line}`.replace(/\s+/g, ' ').trim();
  return line.length <= 127 ? line : `${line.slice(0, 126)}…`;
}

export function trayMenuModel(summary: TraySummary): TrayItem[] {
  const items: TrayItem[] = [{ kind: 'action', label: 'Open cloudHPC Sync', action: { type: 'open' }, enabled: true }];
  if (summary.running.length > 0) {
    items.push({ kind: 'separator' });
    for (const r of summary.running.slice(0, 20)) {
      items.push({
        kind: 'submenu',
        label: r.percent !== null && Number.isFinite(r.percent) ? `${r.label} · ${Math.floor(r.percent)} %` : r.label,
        items: [
          { kind: 'action', label: 'Soft stop (write results, then stop)', action: { type: 'stop', id: r.id, mode: 'soft' }, enabled: true },
          { kind: 'action', label: 'Hard stop…', action: { type: 'stop', id: r.id, mode: 'hard' }, enabled: true },
        ],
      });
    }
  }
  items.push({ kind: 'separator' });
  items.push(summary.allPaused
    ? { kind: 'action', label: 'Resume all syncing', action: { type: 'resume-all' }, enabled: true }
    : { kind: 'action', label: 'Pause all syncing', action: { type: 'pause-all' }, enabled: true });
  items.push({ kind: 'separator' });
  items.push({ kind: 'action', label: 'Quit cloudHPC Sync', action: { type: 'quit' }, enabled: true });
  return items;
}

/** The confirmation a hard stop asks before it is sent (the shell shows it in a dialog). */
export function hardStopQuestion(label: string): { message: string; detail: string; buttons: [string, string] } {
  return {
    message: `Hard stop ${label}?`,
    detail: 'A hard stop ends the run at once: results not yet written are lost. A soft stop lets the solver write its results first.',
    buttons: ['Cancel', 'Hard stop'],
  };
}

// The tray: an icon per state (idle / syncing / attention / running) from build/tray, a tooltip with
// the one-line summary, and the menu from shell-policy's trayMenuModel. Hard stop asks first.
import { Menu, Tray, dialog, nativeImage, type MenuItemConstructorOptions } from 'electron';
import type { TraySummary } from '../common/contract';
import { hardStopQuestion, trayMenuModel, trayTooltip, type TrayAction, type TrayItem } from '../node/shell-policy';
import { trayIconPath } from './resources';

export interface TrayHandlers {
  open(): void;
  stop(id: number, mode: 'soft' | 'hard'): void;
  pauseAll(): void;
  resumeAll(): void;
  quit(): void;
}

export class AppTray {
  private readonly tray: Tray;
  private last: TraySummary | null = null;
  /** The context menu last set (read by the Electron end-to-end tests through the test hook). */
  menu: Menu | null = null;

  constructor(private readonly handlers: TrayHandlers) {
    this.tray = new Tray(nativeImage.createFromPath(trayIconPath('idle')));
    this.tray.setToolTip('cloudHPC Sync');
    this.tray.on('click', () => handlers.open());
    this.update({ icon: 'idle', line: 'Starting…', running: [], allPaused: false });
  }

  update(summary: TraySummary): void {
    const prev = this.last;
    this.last = summary;
    if (!prev || prev.icon !== summary.icon) this.tray.setImage(nativeImage.createFromPath(trayIconPath(summary.icon)));
    this.tray.setToolTip(trayTooltip(summary));
    if (!prev || JSON.stringify([prev.running, prev.allPaused]) !== JSON.stringify([summary.running, summary.allPaused])) {
      this.menu = Menu.buildFromTemplate(trayMenuModel(summary).map((i) => this.toMenu(i)));
      this.tray.setContextMenu(this.menu);
    }
  }

  private run(action: TrayAction): void {
    switch (action.type) {
      case 'open': this.handlers.open(); break;
      case 'pause-all': this.handlers.pauseAll(); break;
      case 'resume-all': this.handlers.resumeAll(); break;
      case 'quit': this.handlers.quit(); break;
      case 'stop': {
        if (action.mode === 'soft') { this.handlers.stop(action.id, 'soft'); break; }
        const label = this.last?.running.find((r) => r.id === action.id)?.label ?? `simulation ${action.id}`;
        const q = hardStopQuestion(label);
        void dialog.showMessageBox({ type: 'warning', message: q.message, detail: q.detail, buttons: q.buttons, defaultId: 0, cancelId: 0, noLink: true })
          .then((r) => { if (r.response === 1) this.handlers.stop(action.id, 'hard'); });
        break;
      }
    }
  }

  private toMenu(item: TrayItem): MenuItemConstructorOptions {
    if (item.kind === 'separator') return { type: 'separator' };
    if (item.kind === 'submenu') return { label: item.label, submenu: item.items.map((i) => this.toMenu(i)) };
    return { label: item.label, enabled: item.enabled, click: () => this.run(item.action) };
  }

  destroy(): void {
    this.tray.destroy();
  }
}

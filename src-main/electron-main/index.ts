// The Electron shell: the only place that imports electron. Kept thin; all logic lives in src-main/node.
import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';

app.whenReady().then(() => {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    webPreferences: { preload: join(import.meta.dirname, '../preload/index.cjs'), contextIsolation: true, sandbox: true, nodeIntegration: false },
  });
  void win.loadFile(join(import.meta.dirname, '../renderer/index.html'));
});

// A stand-in for the `electron` module, for booting the real main-process code under plain Node
// (Electron cannot be downloaded here). It implements only what src-main/electron-main uses, with
// Electron's event order for what the test drives (ready, closing a window, quitting), and takes
// commands from the test over the child-process IPC channel:
//   { cmd: 'started' }               → waits for the app's e2e hook, answers its tray/close decisions
//   { cmd: 'invoke', name, params }  → calls the ipcMain handler as the main window's top frame would
//   { cmd: 'close-window' }          → the user closes the main window; answers what happened to it
//   { cmd: 'quit' }                  → app.quit(); the process exits when Electron would
import { EventEmitter } from 'node:events';

const windows = [];
const handlers = new Map();
let nextId = 1;

class WebContents extends EventEmitter {
  constructor() {
    super();
    this.id = nextId++;
    this.url = '';
    this.openHandler = null;
  }
  setWindowOpenHandler(fn) { this.openHandler = fn; }
  getURL() { return this.url; }
  isDestroyed() { return false; }
  send() {}
}

export class BrowserWindow extends EventEmitter {
  static getAllWindows() { return windows.filter((w) => !w.destroyed); }
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    this.visible = false;
    this.minimized = false;
    this.destroyed = false;
    windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadFile(file) {
    this.webContents.url = new URL(`file://${file}`).toString();
    setImmediate(() => this.emit('ready-to-show'));
  }
  async loadURL(url) {
    this.webContents.url = url;
    setImmediate(() => this.emit('ready-to-show'));
  }
  show() { this.visible = true; this.minimized = false; this.emit('show'); }
  showInactive() { this.visible = true; this.emit('show'); }
  hide() { this.visible = false; this.emit('hide'); }
  minimize() { this.minimized = true; this.emit('minimize'); }
  restore() { this.minimized = false; this.emit('restore'); }
  focus() {}
  isMinimized() { return this.minimized; }
  isVisible() { return this.visible; }
  isDestroyed() { return this.destroyed; }
  close() {
    let prevented = false;
    this.emit('close', { preventDefault: () => { prevented = true; } });
    if (prevented) return;
    this.destroyed = true;
    this.emit('closed');
    if (BrowserWindow.getAllWindows().length === 0) app.emit('window-all-closed');
  }
}

class App extends EventEmitter {
  constructor() {
    super();
    this.isPackaged = false;
    this.ready = false;
    this.readyPromise = new Promise((resolve) => { this.markReady = resolve; });
  }
  setPath() {}
  getPath() { return process.env.HOME ?? '/tmp'; }
  getAppPath() { return process.env.STANDIN_APP_PATH ?? process.cwd(); }
  requestSingleInstanceLock() { return true; }
  setAppUserModelId() {}
  getLoginItemSettings() { return { openAtLogin: false, wasOpenedAtLogin: false }; }
  setLoginItemSettings() {}
  isReady() { return this.ready; }
  whenReady() { return this.readyPromise; }
  quit() {
    this.emit('before-quit', { preventDefault() {} });
    for (const w of BrowserWindow.getAllWindows()) w.close();
    let prevented = false;
    this.emit('will-quit', { preventDefault: () => { prevented = true; } });
    if (!prevented) this.exit(0);
  }
  exit(code) {
    process.send?.({ event: 'exit', code }, () => process.exit(code));
  }
}

export const app = new App();

export const Menu = {
  buildFromTemplate: (template) => ({ items: template.map((t) => ({ label: t.label ?? '', click: t.click })) }),
  setApplicationMenu() {},
};

export class Tray extends EventEmitter {
  setToolTip() {}
  setImage() {}
  setContextMenu(menu) { this.menu = menu; }
  destroy() {}
}

export const nativeImage = { createFromPath: (path) => ({ path }) };
export const session = {
  defaultSession: {
    webRequest: { onHeadersReceived() {} },
    setPermissionRequestHandler() {},
    setPermissionCheckHandler() {},
    on() {},
  },
};
export const shell = { openExternal: async () => {}, openPath: async () => '' };
export const dialog = { showMessageBox: async () => ({ response: 0 }), showErrorBox: (title, body) => process.send?.({ event: 'error-box', title, body }) };
export const ipcMain = {
  handle: (channel, fn) => { handlers.set(channel, fn); },
  removeHandler: (channel) => { handlers.delete(channel); },
};
export const safeStorage = {
  isEncryptionAvailable: () => false,
  encryptString: () => { throw new Error('not available'); },
  decryptString: () => { throw new Error('not available'); },
  getSelectedStorageBackend: () => 'basic_text',
};
export class Notification extends EventEmitter {
  static isSupported() { return false; }
}
export const webUtils = {};
export const contextBridge = {};
export const ipcRenderer = {};

const main = () => BrowserWindow.getAllWindows()[0];

process.on('message', async (m) => {
  const reply = (body) => process.send?.({ id: m.id, ...body });
  try {
    if (m.cmd === 'started') {
      const hook = globalThis.__cloudhpcE2E;
      await hook.ready;
      reply({ trayShown: hook.trayShown(), closeAction: hook.closeAction(), handlers: [...handlers.keys()].sort(), window: main()?.options ?? null });
    } else if (m.cmd === 'invoke') {
      const w = main();
      const fn = handlers.get(`cloudhpc:req:${m.name}`);
      const event = { sender: { id: w.webContents.id }, senderFrame: { parent: null, url: w.webContents.getURL() } };
      reply({ value: await fn(event, m.params) });
    } else if (m.cmd === 'close-window') {
      const w = main();
      w.close();
      reply({ destroyed: w.destroyed, visible: w.visible, minimized: w.minimized });
    } else if (m.cmd === 'quit') {
      reply({});
      app.quit();
    }
  } catch (err) {
    reply({ error: String(err?.stack ?? err) });
  }
});

setImmediate(() => {
  app.ready = true;
  app.emit('ready');
  app.markReady();
});

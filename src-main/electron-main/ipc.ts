// The contract over Electron IPC: one ipcMain.handle per request name (cloudhpc:req:<name>), each
// routed through dispatchIpcRequest (sender check, dropped paths re-checked, then the core), and every
// core event forwarded with webContents.send (cloudhpc:evt:<name>). Nothing throws across the boundary.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { REQUEST_NAMES, type Reply, type RequestName } from '../common/contract';
import type { AnyEvent, CoreEndpoint } from '../node/app/endpoint';
import type { LogSink } from '../node/api/redact';
import { dispatchIpcRequest, eventChannel, requestChannel, type SenderFacts, type TrustedPage } from '../node/shell-policy';

export interface IpcOptions {
  core: CoreEndpoint;
  window: () => BrowserWindow | null;
  page: () => Omit<TrustedPage, 'webContentsId'>;
  /** The app's own data folder (dropped paths inside it are refused). */
  appDataDir: string;
  log: LogSink;
  /** Called after each successful reply (the shell refreshes its cached settings on setSettings). */
  afterReply?: (name: RequestName, reply: Reply<unknown>) => void;
}

function senderFacts(event: IpcMainInvokeEvent): SenderFacts | null {
  const frame = event.senderFrame;
  if (!frame) return null;
  return { webContentsId: event.sender.id, isTopFrame: frame.parent === null, frameUrl: frame.url };
}

export function registerIpc(opts: IpcOptions): () => void {
  const page = (): TrustedPage | null => {
    const win = opts.window();
    if (!win || win.isDestroyed()) return null;
    return { ...opts.page(), webContentsId: win.webContents.id };
  };
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(requestChannel(name), async (event: IpcMainInvokeEvent, params: unknown) => {
      const reply = await dispatchIpcRequest(name, params, senderFacts(event), { core: opts.core, page, appDataDir: opts.appDataDir, log: opts.log });
      if (reply.ok) opts.afterReply?.(name, reply);
      return reply;
    });
  }
  const unsubscribe = opts.core.onEvent((ev: AnyEvent) => {
    const win = opts.window();
    if (!win || win.isDestroyed() || win.webContents.isDestroyed()) return;
    win.webContents.send(eventChannel(ev.name), ev.payload);
  });
  return () => {
    unsubscribe();
    for (const name of REQUEST_NAMES) ipcMain.removeHandler(requestChannel(name));
  };
}

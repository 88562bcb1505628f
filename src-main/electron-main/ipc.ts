// The contract over Electron IPC: one ipcMain.handle per request name (cloudhpc:req:<name>), each
// checking that the message comes from the main window's top frame on the app page, and every core
// event forwarded with webContents.send (cloudhpc:evt:<name>). Dropped paths are re-checked here before
// the core sees them. The core validates params itself and answers a Reply; nothing throws across.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { REQUEST_NAMES, type ContractError, type DropSource, type Reply, type RequestName } from '../common/contract';
import type { AnyEvent, CoreEndpoint } from '../node/app/endpoint';
import type { LogSink } from '../node/api/redact';
import { checkDroppedPaths, checkSender, eventChannel, requestChannel, type SenderFacts, type TrustedPage } from '../node/shell-policy';

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

function refused(message: string): Reply<never> {
  const error: ContractError = { code: 'not-allowed', message };
  return { ok: false, error };
}

function senderFacts(event: IpcMainInvokeEvent): SenderFacts | null {
  const frame = event.senderFrame;
  if (!frame) return null;
  return { webContentsId: event.sender.id, isTopFrame: frame.parent === null, frameUrl: frame.url };
}

/** Re-checks the path sources of a drop; staged sources are the headless transport's, not Electron's. */
async function checkDrop(params: unknown, appDataDir: string): Promise<Reply<never> | null> {
  const sources = (params as { sources?: unknown } | null)?.sources;
  if (!Array.isArray(sources)) return null; // the core answers invalid-params
  const paths: unknown[] = [];
  for (const s of sources as DropSource[]) {
    if (s?.kind !== 'path') return { ok: false, error: { code: 'invalid-params', message: 'Only dropped file paths are accepted in the desktop app.' } };
    paths.push(s.path);
  }
  const check = await checkDroppedPaths(paths, appDataDir);
  if (check.refused.length === 0) return null;
  return { ok: false, error: { code: 'invalid-input', message: check.refused.map((r) => r.reason).slice(0, 5).join(' ') } };
}

export function registerIpc(opts: IpcOptions): () => void {
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(requestChannel(name), async (event: IpcMainInvokeEvent, params: unknown) => {
      const win = opts.window();
      const facts = senderFacts(event);
      const verdict = win && !win.isDestroyed() && facts
        ? checkSender(facts, { ...opts.page(), webContentsId: win.webContents.id })
        : { trusted: false as const, reason: 'no main window or sender frame' };
      if (!verdict.trusted) {
        opts.log('warn', `IPC ${name} refused: ${verdict.reason}`);
        return refused('This request did not come from the app window and was refused.');
      }
      if (name === 'dropFiles') {
        const bad = await checkDrop(params, opts.appDataDir);
        if (bad) return bad;
      }
      const reply = await opts.core.request(name, params);
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

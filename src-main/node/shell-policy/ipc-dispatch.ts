// What the Electron shell does with one IPC request, without Electron: check the sender (main window,
// top frame, the app page), re-check dropped paths (a desktop drop carries paths only), then hand the
// request to the core, which validates the params and answers a Reply. ipc.ts only wires this to
// ipcMain.handle, so the routing is tested here against a real core.
import type { ContractError, DropSource, Reply } from '../../common/contract';
import type { CoreEndpoint } from '../app/endpoint';
import type { LogSink } from '../api/redact';
import { checkDroppedPaths } from './dropped-paths';
import { checkSender, type SenderFacts, type TrustedPage } from './ipc-sender';

export interface IpcDispatchDeps {
  core: CoreEndpoint;
  /** The trusted page now; null when there is no main window. */
  page: () => TrustedPage | null;
  /** The app's own data folder (dropped paths inside it are refused). */
  appDataDir: string;
  log: LogSink;
}

function fail(code: ContractError['code'], message: string): Reply<never> {
  return { ok: false, error: { code, message } };
}

/** Re-checks the sources of a drop; null when they may go on to the core. */
export async function recheckDrop(params: unknown, appDataDir: string): Promise<Reply<never> | null> {
  const sources = (params as { sources?: unknown } | null)?.sources;
  if (!Array.isArray(sources)) return null; // the core answers invalid-params
  const paths: unknown[] = [];
  for (const s of sources as (DropSource | null)[]) {
    if (s?.kind !== 'path') return fail('invalid-params', 'Only dropped file paths are accepted in the desktop app.');
    paths.push(s.path);
  }
  const check = await checkDroppedPaths(paths, appDataDir);
  if (check.refused.length === 0) return null;
  return fail('invalid-input', check.refused.map((r) => r.reason).slice(0, 5).join(' '));
}

export async function dispatchIpcRequest(name: string, params: unknown, sender: SenderFacts | null, deps: IpcDispatchDeps): Promise<Reply<unknown>> {
  const page = deps.page();
  const verdict = page && sender ? checkSender(sender, page) : { trusted: false as const, reason: 'no main window or sender frame' };
  if (!verdict.trusted) {
    deps.log('warn', `IPC ${name.slice(0, 60)} refused: ${verdict.reason}`);
    return fail('not-allowed', 'This request did not come from the app window and was refused.');
  }
  if (name === 'dropFiles') {
    const bad = await recheckDrop(params, deps.appDataDir);
    if (bad) return bad;
  }
  return deps.core.request(name, params);
}

// Preload (sandboxed, bundled to ONE CommonJS file: out/preload/index.cjs). Exposes `window.cloudhpc`
// (CloudHpcBridge of the contract) through contextBridge: an intent function per request
// (launchSimulation(params), setApiKey(params), ...), an `onX(cb)` per event returning an unsubscribe,
// and getPathForFile for dropped files. Never the raw ipcRenderer, never the IPC event object.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, REQUEST_NAMES, eventListenerName, type CloudHpcBridge } from '../src-main/common/contract';
import { eventChannel, requestChannel } from '../src-main/node/shell-policy/ipc-channels';

function pathForFile(file: unknown): string {
  if (typeof File === 'undefined' || !(file instanceof File)) return '';
  try {
    return webUtils.getPathForFile(file);
  } catch {
    return '';
  }
}

const bridge: Record<string, unknown> = {};

for (const name of REQUEST_NAMES) {
  // Only the params cross; the reply is a plain Reply object from the main process.
  bridge[name] = (params: unknown) => ipcRenderer.invoke(requestChannel(name), params ?? {});
}

for (const name of EVENT_NAMES) {
  bridge[eventListenerName(name)] = (cb: unknown) => {
    if (typeof cb !== 'function') throw new TypeError(`${eventListenerName(name)} needs a callback function`);
    const channel = eventChannel(name);
    // The IPC event object stays here: the page gets the payload only.
    const listener = (_event: IpcRendererEvent, payload: unknown): void => { (cb as (p: unknown) => void)(payload); };
    ipcRenderer.on(channel, listener);
    return () => { ipcRenderer.removeListener(channel, listener); };
  };
}

/**
 * webUtils.getPathForFile (File.path no longer exists); '' when the item has no path. The main process
 * re-checks every path. One File per call: contextBridge passes a File through, but copies a FileList
 * as a plain object without its `length` or items, so the page maps its files itself (drop.ts).
 */
bridge.getPathForFile = pathForFile;

const exposed = bridge as CloudHpcBridge;
contextBridge.exposeInMainWorld('cloudhpc', exposed);

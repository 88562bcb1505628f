// The preload, bundled the way a sandboxed preload must be (one CommonJS file, `electron` its only
// require), run in a fresh V8 context with a stand-in for the three electron modules it uses (Electron is
// not installed here). Checks what the page gets: intent functions per request, onX(cb) per event
// returning an unsubscribe, dropped-file paths; never ipcRenderer itself or the IPC event object.
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_NAMES, REQUEST_NAMES, eventListenerName } from '../../src-main/common/contract';

const root = join(import.meta.dirname, '..', '..');
let dir: string;
let code: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'preload-'));
  const out = join(dir, 'index.cjs');
  await build({ entryPoints: [join(root, 'src-preload/index.ts')], bundle: true, format: 'cjs', platform: 'browser', external: ['electron'], outfile: out, logLevel: 'silent' });
  code = readFileSync(out, 'utf8');
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

/** Loads the bundle against an in-process IPC pair: `handle` plays ipcMain.handle, `emit` webContents.send. */
function loadPreload() {
  const exposed = new Map<string, unknown>();
  const handlers = new Map<string, (params: unknown) => unknown>();
  const bus = new EventEmitter();
  class FakeFile { constructor(readonly path: string) {} }
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => { exposed.set(key, api); } },
    ipcRenderer: {
      invoke: async (channel: string, params: unknown) => {
        const h = handlers.get(channel);
        if (!h) throw new Error(`No handler registered for '${channel}'`);
        return h(structuredClone(params));
      },
      on: (channel: string, l: (...a: unknown[]) => void) => { bus.on(channel, l); },
      removeListener: (channel: string, l: (...a: unknown[]) => void) => { bus.removeListener(channel, l); },
    },
    webUtils: { getPathForFile: (f: FakeFile) => f.path },
  };
  const module = { exports: {} };
  const requires: string[] = [];
  runInNewContext(code, {
    module, exports: module.exports, File: FakeFile,
    require: (name: string) => { requires.push(name); if (name === 'electron') return electron; throw new Error(`sandboxed preload cannot require ${name}`); },
  });
  const send = (channel: string, payload: unknown) => bus.emit(channel, { sender: 'the IPC event object', ports: [] }, payload);
  return { exposed, handlers, send, requires, listeners: (ch: string) => bus.listenerCount(ch), FakeFile };
}

describe('preload bridge', () => {
  it('exposes window.cloudhpc only, with one function per request and per event, and nothing raw', () => {
    const { exposed, requires } = loadPreload();
    expect([...exposed.keys()]).toEqual(['cloudhpc']);
    expect(requires).toEqual(['electron']);
    const api = exposed.get('cloudhpc') as Record<string, unknown>;
    const expected = [...REQUEST_NAMES, ...EVENT_NAMES.map((e) => eventListenerName(e)), 'getPathForFile'];
    expect(Object.keys(api).sort()).toEqual([...expected].sort());
    for (const v of Object.values(api)) expect(typeof v).toBe('function');
    for (const raw of ['ipcRenderer', 'invoke', 'send', 'on', 'sendSync', 'require']) expect(api[raw]).toBeUndefined();
  });

  it('launchSimulation(params) reaches its own channel and answers the main process reply', async () => {
    const { exposed, handlers } = loadPreload();
    const api = exposed.get('cloudhpc') as Record<string, (p?: unknown) => Promise<unknown>>;
    handlers.set('cloudhpc:req:launchSimulation', (p) => ({ ok: true, value: { got: p } }));
    const params = { projectId: 'p1', options: { cpu: 4, ram: 'standard', script: 'fds', mesh: '', regular: true }, acceptWarnings: false };
    expect(await api.launchSimulation?.(params)).toEqual({ ok: true, value: { got: params } });
    await expect(api.getState?.({})).rejects.toThrow(/No handler registered for 'cloudhpc:req:getState'/);
  });

  it('onProjectState(cb) delivers the payload only, and its unsubscribe stops delivery', () => {
    const { exposed, send, listeners } = loadPreload();
    const api = exposed.get('cloudhpc') as Record<string, (cb: unknown) => () => void>;
    const got: unknown[][] = [];
    const unsubscribe = api.onProjectState?.((...args: unknown[]) => { got.push(args); });
    expect(listeners('cloudhpc:evt:projectState')).toBe(1);
    send('cloudhpc:evt:projectState', { id: 'p1', state: 'pushing' });
    expect(got).toEqual([[{ id: 'p1', state: 'pushing' }]]);
    unsubscribe?.();
    expect(listeners('cloudhpc:evt:projectState')).toBe(0);
    send('cloudhpc:evt:projectState', { id: 'p1', state: 'idle' });
    expect(got).toHaveLength(1);
    expect(() => api.onState?.('not a function')).toThrow(/needs a callback function/);
  });

  it('a dropped File gives its path; anything else gives an empty path', () => {
    const { exposed, FakeFile } = loadPreload();
    const api = exposed.get('cloudhpc') as Record<string, (x: unknown) => unknown>;
    const files = [new FakeFile('/home/u/case/mesh.stl'), new FakeFile('/home/u/case/system')];
    expect(files.map((f) => api.getPathForFile?.(f))).toEqual(['/home/u/case/mesh.stl', '/home/u/case/system']);
    expect(api.getPathForFile?.({ path: '/etc/passwd' })).toBe('');
    expect(api.getPathForFile?.(null)).toBe('');
  });

  const built = join(root, 'out/preload/index.cjs');
  it.skipIf(!existsSync(built))('the electron-vite bundle (built by npm test\'s build step) is one CommonJS file whose only require is electron', () => {
    const text = readFileSync(built, 'utf8');
    expect([...text.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(text).not.toMatch(/^\s*(import|export)\s/m);
  });
});

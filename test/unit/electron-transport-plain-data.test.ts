// Plain data across contextBridge. The UI builds request params from Svelte 5 `$state` objects, which
// are Proxies (nested ones too); contextBridge refuses a Proxy like structuredClone does ("An object
// could not be cloned", electron#39598), and the headless transport's JSON hid that from every test.
// Here the `$state` objects come from the real Svelte compiler, every contract request goes through the
// renderer's electronTransport to a bridge that clones its argument with structuredClone, as
// contextBridge would, and arrives as exactly the plain params.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileModule } from 'svelte/compiler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_NAMES, type CloudHpcBridge, type ParamsOf, type RequestName, type Settings } from '../../src-main/common/contract';
import { electronTransport, plainParams } from '../../src-renderer/src/lib/transport';

/** One realistic params object per request (the type makes a missing request a compile error). */
const SAMPLES: { [K in RequestName]: ParamsOf<K> } = {
  getState: {}, keyStatus: {}, forgetApiKey: {}, pauseAll: {}, resumeAll: {}, getSettings: {},
  setApiKey: { key: 'abcdefghijklmnop0123', allowInsecureStorage: false },
  importCliKey: { allowInsecureStorage: true },
  addProject: { dir: '/home/u/cases/cavity', storageFolder: 'cavity' },
  removeProject: { projectId: 'p1' }, pauseProject: { projectId: 'p1' }, resumeProject: { projectId: 'p1' },
  pushNow: { projectId: 'p1', confirmed: true }, pullNow: { projectId: 'p1' },
  resolveConflict: { projectId: 'p1', conflictId: 'c1', keep: 'cloud' },
  openPath: { target: { kind: 'conflict', projectId: 'p1', conflictId: 'c1', side: 'local' } },
  dropFiles: { projectId: null, sources: [{ kind: 'path', path: '/home/u/mesh.stl' }, { kind: 'staged', stagingId: 'a'.repeat(32), name: 'case' }] },
  confirmDrop: { planId: 'plan1', replace: ['system/controlDict', 'constant/g'] },
  cancelDrop: { planId: 'plan1' },
  launchOptions: { refresh: true },
  preflight: { projectId: 'p1', options: { cpu: 4, ram: 'standard', script: 'openfoam-v2306', mesh: '', regular: true } },
  launchSimulation: { projectId: 'p1', options: { cpu: 8, ram: 'high', script: 'fds-6.9', mesh: 'meshes/base', regular: false }, acceptWarnings: true },
  stopSimulation: { id: 10030, mode: 'hard', confirmed: true },
  syncSimulation: { id: 10030 }, watchSimulation: { id: null }, getLog: { id: 10030, fromOffset: 2048 }, getRunInsight: { id: 10030 },
  setSettings: { settings: { pollingShare: 0.33, notifications: { simulationEnded: true, resultsPulled: false, conflict: true, keyRejected: true, simulationWarning: true }, closeToTray: false } },
  windowVisibility: { visible: false },
  resolveDeletes: { projectId: 'p1', decision: 'restore' },
  applyFix: { projectId: 'p1', fix: { kind: 'add-to-ignore', lines: ['*.out', 'processor*/'] } },
  launchContext: { projectId: 'p1' },
  listStorage: { path: 'caseA/system', refresh: true },
  planStorageDownload: { paths: ['caseA', 'caseB/FDS.tar.gz'], dest: '/home/u/results', extract: true },
  planRunResults: { id: 10030, dest: '/home/u/results', extract: false },
  planOpenFromCloud: { folder: 'caseA', dir: '/home/u/cases/caseA', merge: false },
  startStorageTransfer: { planId: 'plan2' }, cancelStorageTransfer: { id: 'plan2' },
  planStorageDelete: { path: 'caseA/old' }, confirmStorageDelete: { planId: 'plan3', confirmMassDelete: true },
  refreshSimulations: {},
};

let dir: string;
let reactive: <T>(v: T) => T;
let settingsForm: (initial: Settings) => { readonly s: Settings };

beforeAll(async () => {
  // Compiled by Svelte as the app's .svelte.ts modules are: `$state` → $.proxy / $.state + $.set.
  const source = `
    export function reactive(v) { const s = $state(v); return s; }
    export function settingsForm(initial) {
      let s = $state(null);
      s = initial; // as SettingsView assigns the getSettings reply
      return { get s() { return s; } };
    }`;
  const { js } = compileModule(source, { generate: 'client', filename: 'reactive.svelte.js' });
  dir = mkdtempSync(join(tmpdir(), 'svelte-state-'));
  const file = join(dir, 'reactive.mjs');
  writeFileSync(file, js.code.replace(/from 'svelte\/internal\/client'/, `from ${JSON.stringify(import.meta.resolve('svelte/internal/client'))}`));
  ({ reactive, settingsForm } = await import(pathToFileURL(file).href) as { reactive: typeof reactive; settingsForm: typeof settingsForm });
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

/** A bridge that copies each argument the way contextBridge does (structuredClone refuses Proxies too). */
function cloningBridge(): { bridge: CloudHpcBridge; received: Map<string, unknown> } {
  const received = new Map<string, unknown>();
  const bridge: Record<string, unknown> = {};
  for (const name of REQUEST_NAMES) {
    bridge[name] = (params: unknown) => {
      received.set(name, structuredClone(params));
      return Promise.resolve({ ok: true, value: null });
    };
  }
  return { bridge: bridge as CloudHpcBridge, received };
}

describe('plain data across contextBridge', () => {
  it('$state objects are Proxies that structuredClone (and so contextBridge) refuses: the hazard is real', () => {
    const state = reactive(structuredClone(SAMPLES.setSettings));
    expect(() => structuredClone(state)).toThrow(/could not be cloned/);
    // Spreading copies one level only: the nested object is still a Proxy.
    const form = settingsForm({ baseUrl: 'https://cloud.cfdfeaservice.it/api/v2', pollingShare: 0.33, pullAll: true, extractArchives: true, notifications: { simulationEnded: true, resultsPulled: true, conflict: true, keyRejected: true, simulationWarning: true }, startAtLogin: false, closeToTray: true });
    expect(() => structuredClone({ settings: { ...form.s } })).toThrow(/could not be cloned/);
  });

  it.each(REQUEST_NAMES.map((n) => [n]))('%s built from $state reaches the bridge as its plain params', async (name) => {
    const { bridge, received } = cloningBridge();
    const sample = SAMPLES[name];
    const reply = await electronTransport(bridge).request(name, reactive(structuredClone(sample)));
    expect(reply).toEqual({ ok: true, value: null });
    expect(received.get(name)).toEqual(sample);
  });

  it('the Settings page\'s save ({ ...s } of a $state settings object) goes through', async () => {
    const { bridge, received } = cloningBridge();
    const form = settingsForm({ baseUrl: 'https://cloud.cfdfeaservice.it/api/v2', pollingShare: 0.5, pullAll: false, extractArchives: true, notifications: { simulationEnded: false, resultsPulled: true, conflict: true, keyRejected: true, simulationWarning: true }, startAtLogin: true, closeToTray: false });
    await electronTransport(bridge).request('setSettings', { settings: { ...form.s, pollingShare: Number(form.s.pollingShare) } });
    expect(received.get('setSettings')).toEqual({ settings: { baseUrl: 'https://cloud.cfdfeaservice.it/api/v2', pollingShare: 0.5, pullAll: false, extractArchives: true, notifications: { simulationEnded: false, resultsPulled: true, conflict: true, keyRejected: true, simulationWarning: true }, startAtLogin: true, closeToTray: false } });
  });

  it('has the headless transport\'s JSON semantics: undefined members dropped, a missing params object becomes {}', () => {
    expect(plainParams({ projectId: 'p1', confirmed: undefined })).toEqual({ projectId: 'p1' });
    expect(plainParams(undefined)).toEqual({});
  });
});

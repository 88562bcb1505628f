// The IPC routing of the Electron shell (dispatchIpcRequest) against a real AppCore on a temporary app
// data folder: trusted senders reach the core, foreign ones change nothing, dropped paths are re-checked.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../src-main/common/contract';
import { AppCore } from '../../src-main/node/app/app-core';
import { dispatchIpcRequest, type IpcDispatchDeps, type SenderFacts } from '../../src-main/node/shell-policy';

const appUrl = pathToFileURL('/opt/cloudhpc/resources/app.asar/out/renderer/index.html').toString();
const trusted: SenderFacts = { webContentsId: 1, isTopFrame: true, frameUrl: appUrl };

let dir: string;
let core: AppCore;
let deps: IpcDispatchDeps;
const logs: string[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ipc-'));
  core = await AppCore.create({ transport: 'electron', home: join(dir, 'appdata'), env: { CLOUDHPC_API_URL: 'http://127.0.0.1:9/api/v2' }, useKeychain: false, cliKeyFile: join(dir, 'none') });
  deps = { core, page: () => ({ webContentsId: 1, appUrl }), appDataDir: core.home, log: (_l, m) => logs.push(m) };
  logs.length = 0;
});
afterEach(async () => {
  await core.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('dispatchIpcRequest', () => {
  it('the app window reaches the core', async () => {
    const r = await dispatchIpcRequest('getSettings', {}, trusted, deps);
    expect(r.ok).toBe(true);
    expect((r as { value: Settings }).value.closeToTray).toBe(true);
  });

  it.each([
    ['another web contents', { ...trusted, webContentsId: 2 }],
    ['a sub-frame', { ...trusted, isTopFrame: false }],
    ['another page', { ...trusted, frameUrl: 'file:///tmp/evil.html' }],
    ['no sender frame', null],
  ])('%s changes nothing', async (_what, sender) => {
    const r = await dispatchIpcRequest('setSettings', { settings: { closeToTray: false } }, sender, deps);
    expect(r).toEqual({ ok: false, error: { code: 'not-allowed', message: 'This request did not come from the app window and was refused.' } });
    const now = await dispatchIpcRequest('getSettings', {}, trusted, deps);
    expect((now as { value: Settings }).value.closeToTray).toBe(true);
    expect(existsSync(join(core.home, 'settings.json'))).toBe(false);
    expect(logs.at(-1)).toMatch(/IPC setSettings refused/);
  });

  it('no main window: refused', async () => {
    const r = await dispatchIpcRequest('getState', {}, trusted, { ...deps, page: () => null });
    expect(r.ok).toBe(false);
  });

  it('a trusted sender with an unknown request or bad params gets the core\'s answer', async () => {
    expect(await dispatchIpcRequest('deleteEverything', {}, trusted, deps)).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    expect(await dispatchIpcRequest('setSettings', { settings: { closeToTray: 'yes' } }, trusted, deps)).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    const ok = await dispatchIpcRequest('setSettings', { settings: { closeToTray: false } }, trusted, deps);
    expect(ok.ok).toBe(true);
    expect(JSON.parse(readFileSync(join(core.home, 'settings.json'), 'utf8'))).toMatchObject({ closeToTray: false });
  });

  it('drops: the app data folder and staged uploads are refused before the core; real folders go on', async () => {
    // The core writes its data folder lazily: one settings change creates settings.json in it.
    expect((await dispatchIpcRequest('setSettings', { settings: { pullAll: true } }, trusted, deps)).ok).toBe(true);
    const inApp = await dispatchIpcRequest('dropFiles', { projectId: null, sources: [{ kind: 'path', path: join(core.home, 'settings.json') }] }, trusted, deps);
    expect(inApp).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/app's own data folder/) } });
    const staged = await dispatchIpcRequest('dropFiles', { projectId: null, sources: [{ kind: 'staged', stagingId: 'x', name: 'y' }] }, trusted, deps);
    expect(staged).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    const missing = await dispatchIpcRequest('dropFiles', { projectId: null, sources: [{ kind: 'path', path: join(dir, 'gone') }] }, trusted, deps);
    expect(missing).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/no longer exists/) } });

    const caseDir = join(dir, 'caseA');
    mkdirSync(join(caseDir, 'system'), { recursive: true });
    writeFileSync(join(caseDir, 'system', 'controlDict'), 'FoamFile {}\n');
    const real = await dispatchIpcRequest('dropFiles', { projectId: null, sources: [{ kind: 'path', path: caseDir }] }, trusted, deps);
    // Past the shell's checks, the core plans a new project from the dropped folder.
    expect(real).toMatchObject({ ok: true, value: { projectId: null, newProject: { dir: caseDir, storageFolder: 'caseA' } } });
  });
});

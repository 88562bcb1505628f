// Issue 16, hole 2: the API key is bound to the service address it was stored or given for, also when
// it comes from CLOUDHPC_API_KEY (the headless set-up): a new address from the UI gets no key until one
// is entered for it, and plain http is accepted only for loopback addresses.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { AppCore } from '../../../src-main/node/app/app-core';
import { startRecorder, type Recorder } from '../../hostile/servers';

const KEY = 'bound-key-0123456789';

describe('the API key follows no changed address', () => {
  let emu: Emulator;
  let recorder: Recorder;
  let work: string;
  let core: AppCore;

  async function open(env: Record<string, string>): Promise<AppCore> {
    core = await AppCore.create({ transport: 'headless', home: join(work, 'home'), env, useKeychain: false, cliKeyFile: join(work, 'no-cli-key') });
    await core.start();
    return core;
  }

  beforeEach(async () => {
    emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0 });
    recorder = await startRecorder();
    work = await mkdtemp(join(tmpdir(), 'key-binding-'));
    await mkdir(join(work, 'home'));
    await writeFile(join(work, 'home', 'settings.json'), JSON.stringify({ baseUrl: emu.url }));
  });
  afterEach(async () => {
    await core?.stop();
    await recorder.close();
    await emu.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('CLOUDHPC_API_KEY: a new address from the UI gets no key; the old address has it again', async () => {
    await open({ CLOUDHPC_API_KEY: KEY });
    const before = await core.request('launchOptions', { refresh: true });
    expect(before.ok).toBe(true);

    const moved = await core.request('setSettings', { settings: { baseUrl: `${recorder.origin}/api/v2` } });
    expect(moved.ok).toBe(true);
    const status = await core.call('keyStatus', {});
    expect(status.ok && status.value.set).toBe(false);
    const after = await core.request('launchOptions', { refresh: true });
    expect(after.ok).toBe(false);
    if (!after.ok) expect(after.error.code).toBe('no-key');
    expect(recorder.requests.filter((r) => r.headers['x-api-key'] !== undefined)).toEqual([]);

    const back = await core.request('setSettings', { settings: { baseUrl: emu.url } });
    expect(back.ok).toBe(true);
    expect((await core.request('launchOptions', { refresh: true })).ok).toBe(true);
  });

  it('a key entered in the app is not sent to another address either', async () => {
    await open({});
    expect((await core.request('setApiKey', { key: KEY })).ok).toBe(true);
    expect((await core.request('setSettings', { settings: { baseUrl: `${recorder.origin}/api/v2` } })).ok).toBe(true);
    expect((await core.request('launchOptions', { refresh: true })).ok).toBe(false);
    expect(recorder.requests.filter((r) => r.headers['x-api-key'] !== undefined)).toEqual([]);
  });

  it('plain http only for loopback addresses', async () => {
    await open({ CLOUDHPC_API_KEY: KEY });
    for (const url of ['http://example.com/api/v2', 'http://10.0.0.1/api/v2', 'http://127.example.com/api/v2']) {
      const r = await core.request('setSettings', { settings: { baseUrl: url } });
      expect(r.ok, url).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('invalid-params');
        expect(r.error.message).toMatch(/https/);
      }
    }
    const s = await core.call('getSettings', {});
    expect(s.ok && s.value.baseUrl).toBe(emu.url);
    for (const url of ['http://localhost:9/api/v2', 'http://127.0.0.2:9/api/v2', 'http://[::1]:9/api/v2', 'https://cloud.example.com/api/v2']) {
      expect((await core.request('setSettings', { settings: { baseUrl: url } })).ok, url).toBe(true);
    }
  });
});

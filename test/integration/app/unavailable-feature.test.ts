// Acceptance (issue 13): a key the service refuses on one endpoint only ("Unauthorized." there,
// while view-cpu works) is not a rejected key. The app and the CLI go on syncing; the state names
// the unavailable feature with the service's text; downloads fall back to download/{id}.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppState } from '../../../src-main/common/contract';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { writeFdsSample } from '../../../emulator/samples';
import type { AnyEvent } from '../../../src-main/node/app/endpoint';
import { AppCore } from '../../../src-main/node/app/app-core';
import { cliHere, ok } from '../workspace/helpers';
import { waitFor } from './helpers';

const KEY = 'partly-enabled-key-0123456789';
const DENIED = ['GET /simulation/index-short/{field}/{order}/{page}', 'GET /storage/view-url/{id}'];

let emu: Emulator;
let work: string;
beforeEach(async () => {
  emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 20_000, deniedEndpoints: DENIED }], timeScale: 0 });
  work = await mkdtemp(join(tmpdir(), 'partly-enabled-'));
  await mkdir(join(work, 'home'));
});
afterEach(async () => {
  await emu.stop();
  await rm(work, { recursive: true, force: true });
});

describe('a key refused on one endpoint only', () => {
  it('the app keeps the key, keeps syncing, and names the unavailable feature with the service text', async () => {
    const core = await AppCore.create({
      transport: 'headless',
      home: join(work, 'home'),
      env: { CLOUDHPC_API_URL: emu.url },
      useKeychain: false,
      cliKeyFile: join(work, 'no-cli-key'),
      tuning: { trackerMinIntervalMs: 100, logMinIntervalMs: 100, syncPullDelaysMs: [200] },
    });
    const events: AnyEvent[] = [];
    core.onEvent((e) => events.push(e));
    try {
      await core.start();
      ok(await core.call('setApiKey', { key: KEY }));
      // the tracker's first look (index-short) is refused: the feature is named, the key stays valid
      const state = await waitFor<AppState>('the unavailable feature in the state', async () => {
        const s = ok(await core.call('getState', {}));
        return s.unavailableFeatures.length > 0 ? s : null;
      });
      expect(state.unavailableFeatures).toEqual([{ feature: 'the list of simulations', message: 'Unauthorized.', since: expect.any(String) }]);
      expect(state.key).toMatchObject({ set: true, valid: true });
      expect(events.some((e) => e.name === 'keyRejected')).toBe(false);

      // syncing goes on: a project is pushed...
      const dir = join(work, 'room_fire');
      await writeFdsSample(dir);
      const p = ok(await core.call('addProject', { dir }));
      await waitFor('the case in storage', async () => Object.keys(await emu.files(KEY, 'room_fire')).length > 0);
      await waitFor('the push done', async () => ok(await core.call('getState', {})).projects[0]?.state === 'idle');
      // ...and results are pulled, through download/{id} since view-url is refused too
      await emu.seedFile(KEY, 'room_fire/room_fire_hrr.csv', 'Time,HRR\n0,0\n');
      await emu.clock.advance(2);
      ok(await core.call('pullNow', { projectId: p.id }));
      await waitFor('the result pulled', async () => (await readFile(join(dir, 'room_fire_hrr.csv'), 'utf8').catch(() => '')).startsWith('Time,HRR'));
      expect(emu.calls(KEY).byEndpoint['GET /storage/download/{id}']).toBeGreaterThanOrEqual(1);
      const after = ok(await core.call('getState', {}));
      expect(after.key.valid).toBe(true);
      // downloads work through the fallback, so only the simulation list is named
      expect(after.unavailableFeatures.map((f) => f.feature)).toEqual(['the list of simulations']);
      expect(JSON.stringify(after)).not.toContain(KEY);
    } finally {
      await core.stop();
    }
  });

  it('the CLI pushes and pulls; only the command that needs the refused endpoint fails, naming it (not as a rejected key)', async () => {
    let stdout = '';
    let stderr = '';
    const cli = async (args: string[]): Promise<number> => {
      const run = await cliHere(args, { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url, CLOUDHPC_SYNC_HOME: join(work, 'home') });
      ({ stdout, stderr } = run);
      return run.code;
    };
    const dir = join(work, 'caseCli');
    await mkdir(dir);
    await writeFile(join(dir, 'input.txt'), 'input');
    expect(await cli(['push', dir]), stderr).toBe(0);
    expect(Object.keys(await emu.files(KEY, 'caseCli')).length).toBeGreaterThan(0);
    await emu.seedFile(KEY, 'caseCli/result.csv', 'r');
    await emu.clock.advance(2);
    expect(await cli(['pull', dir]), stderr).toBe(0);
    expect(await readFile(join(dir, 'result.csv'), 'utf8')).toBe('r');
    const code = await cli(['simulations']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/does not let it use the list of simulations/);
    expect(stderr).toMatch(/Unauthorized\./);
    expect(stdout + stderr).not.toContain(KEY);
  });
});

// Issue 16, hole 10: the app's data folder inside a case (pushing the home folder with the default app
// folder) is ignored within it: the push settles and uploads none of the app's own state. The app's
// data folder itself, or a folder inside it, is refused as a case with a clear message.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { cliHere } from './helpers';

const KEY = 'app-home-in-case-key-0123456789';

describe('the app home and a case', () => {
  let emu: Emulator;
  let root: string;
  beforeEach(async () => {
    emu = await startEmulator({ apiKey: KEY, timeScale: 0 });
    root = mkdtempSync(join(tmpdir(), 'app-home-case-'));
  });
  afterEach(async () => {
    await emu.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('a case holding the app home settles and never uploads the app\'s own state', async () => {
    const user = join(root, 'user');
    mkdirSync(join(user, 'mesh'), { recursive: true });
    writeFileSync(join(user, 'room.fds'), '&HEAD /\n');
    writeFileSync(join(user, 'mesh', 'a.msh'), 'mesh\n');
    const home = join(user, '.config', 'cloudhpc-sync'); // the default app folder under $HOME
    const env = { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url, CLOUDHPC_SYNC_HOME: home };
    const r = await cliHere(['push', user, '--timeout', '20', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const files = Object.keys(await emu.files(KEY, 'user'));
    expect(files.filter((f) => f.startsWith('.config/'))).toEqual([]);
    // pushed again with the app's index having changed meanwhile: still nothing to do
    const again = await cliHere(['push', user, '--timeout', '20', '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(Object.keys(await emu.files(KEY, 'user')).filter((f) => f.startsWith('.config/'))).toEqual([]);
  }, 60_000);

  it('the app home, or a folder inside it, is refused as a case', async () => {
    const home = join(root, 'apphome');
    mkdirSync(join(home, 'cases'), { recursive: true });
    writeFileSync(join(home, 'cases', 'room.fds'), '&HEAD /\n');
    const env = { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url, CLOUDHPC_SYNC_HOME: home };
    for (const dir of [home, join(home, 'cases')]) {
      const r = await cliHere(['push', dir, '--timeout', '10'], env);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/app's own data folder/);
    }
    expect(emu.calls(KEY).byEndpoint['POST /storage/upload-url'] ?? 0).toBe(0);
  }, 60_000);
});

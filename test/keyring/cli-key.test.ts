// The command line uses the key the app stored: AppCore checks and stores the key in the real
// keychain (gnome-keyring in a private D-Bus session, scripts/with-keyring.sh), then `cloudhpc-sync`
// with no CLOUDHPC_API_KEY set finds it there, says so with --verbose, and calls the service with it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import keytar from 'keytar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index';
import { main } from '../../src-main/cli/main';
import { AppCore } from '../../src-main/node/app/app-core';
import { APP_SERVICE_NAME } from '../../src-main/node/workspace';
import { accountFor } from '../../src-main/node/keystore';

const KEY = `keyring-cli-key-${Date.now()}`;

let emu: Emulator;
let dir: string;
beforeAll(async () => {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) throw new Error('No D-Bus session: run this suite through scripts/with-keyring.sh (KEYRING_SUITE=1).');
  emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0 });
  dir = mkdtempSync(join(tmpdir(), 'keyring-cli-'));
});
afterAll(async () => {
  await keytar.deletePassword(APP_SERVICE_NAME, accountFor(emu.url)).catch(() => false);
  await emu.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = new Writable({ write(c, _e, cb) { stdout += String(c); cb(); } });
  const err = new Writable({ write(c, _e, cb) { stderr += String(c); cb(); } });
  const code = await main(args, { stdout: out, stderr: err, env: env as NodeJS.ProcessEnv });
  return { code, stdout, stderr };
}

describe('the command line and the key the app stored', () => {
  it('with no CLOUDHPC_API_KEY, the CLI reads the key from the keychain and says where it came from', async () => {
    const home = join(dir, 'home');
    const core = await AppCore.create({ transport: 'headless', home, env: { CLOUDHPC_API_URL: emu.url }, keychainTimeoutMs: 10_000 });
    try {
      const r = await core.call('setApiKey', { key: KEY });
      expect(r.ok && r.value.backend).toBe('keychain');
    } finally {
      await core.stop();
    }
    expect(await keytar.getPassword(APP_SERVICE_NAME, accountFor(emu.url))).toBe(KEY);

    const env = { ...process.env, CLOUDHPC_API_KEY: undefined, CLOUDHPC_API_URL: emu.url, CLOUDHPC_SYNC_HOME: home };
    const before = emu.calls(KEY).total;
    const r = await cli(['simulations', '--json', '--verbose'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
    expect(r.stderr).toContain('API key: from OS keychain (Secret Service)');
    expect(r.stderr + r.stdout).not.toContain(KEY);
    expect(emu.calls(KEY).total - before).toBe(1); // one index-short, made with the stored key

    // The variable, when set, wins (and --verbose says so).
    const viaEnv = await cli(['simulations', '--json', '--verbose'], { ...env, CLOUDHPC_API_KEY: KEY });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stderr).toContain('API key: from CLOUDHPC_API_KEY');

    // Nothing stored for another service URL: a clear message and exit code 3.
    const other = await cli(['simulations'], { ...env, CLOUDHPC_API_URL: `${emu.url}/elsewhere` });
    expect(other.code).toBe(3);
    expect(other.stderr).toMatch(/No API key/);
  });
});

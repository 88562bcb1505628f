// The key store's fallback chain under real failing conditions: keytar in a child process whose D-Bus
// address points to nothing, with no D-Bus at all, against a locked gnome-keyring, against a D-Bus
// socket that never answers (a hang), and a keytar module that does not exist. The fallback file is
// real: it is read back from disk, by a fresh chain (a restart), and checked not to hold the key in clear.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKeyStore, type KeyStoreStatus } from '../../../src-main/node/keystore/chain';
import { KEY_FILE_NAME } from '../../../src-main/node/keystore/encrypted-file-store';
import { KeyStoreError } from '../../../src-main/node/keystore/types';
import { AesSafeStorage } from './fake-safe-storage';

const KEY = 'ks-test-0123456789abcdef';
const ACCOUNT = 'http://127.0.0.1:1/api/v2';
const child = join(import.meta.dirname, 'open-chain-child.ts');

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'keystore-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

interface ChildResult { probed: KeyStoreStatus; after: KeyStoreStatus; setError: string | null; readBackMatches: boolean }

async function runChild(env: Record<string, string | undefined>, wrapper: string[] = []): Promise<{ result: ChildResult; secret: Buffer }> {
  const secret = Buffer.alloc(32, 7);
  const base: Record<string, string | undefined> = { ...process.env };
  delete base.DBUS_SESSION_BUS_ADDRESS;
  delete base.DISPLAY;
  delete base.CLOUDHPC_API_KEY;
  const fullEnv = { ...base, KS_DATA_DIR: join(dir, 'data'), KS_SECRET: secret.toString('hex'), KS_KEY: KEY, KS_TIMEOUT_MS: '3000', ...env };
  const cmd = [...wrapper, process.execPath, '--import', 'tsx', child];
  const p = spawn(cmd[0] as string, cmd.slice(1), { env: fullEnv as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = once(p, 'exit');
  // The child prints one JSON line. A keytar call hung on D-Bus keeps a libuv thread busy, and Node
  // joins its thread pool at exit, so such a child is killed once it has answered.
  const answered = new Promise<void>((resolve) => {
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('}\n')) resolve(); });
  });
  p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  await Promise.race([answered, exited]);
  if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await exited;
  const line = out.trim().split('\n').find((l) => l.startsWith('{')) ?? '';
  if (!line) throw new Error(`child gave no answer: ${err.slice(-2000)}`);
  return { result: JSON.parse(line) as ChildResult, secret };
}

/** The fallback file must exist, must not contain the key in clear, and must decrypt to it. */
async function expectKeyInFile(secret: Buffer): Promise<void> {
  const path = join(dir, 'data', KEY_FILE_NAME);
  expect(existsSync(path)).toBe(true);
  const raw = readFileSync(path, 'utf8');
  expect(raw).not.toContain(KEY);
  const restarted = await openKeyStore({ service: 'x', dataDir: join(dir, 'data'), safeStorage: new AesSafeStorage(secret), useKeychain: false, env: {} });
  expect(restarted.backend).toBe('safeStorage');
  expect(await restarted.get(ACCOUNT)).toBe(KEY);
}

describe('keychain unavailable: real keytar in a child process', () => {
  it('D-Bus address pointing to nothing: falls back to safeStorage and says why', async () => {
    const { result, secret } = await runChild({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-such-socket')}` });
    expect(result.probed.backend).toBe('safeStorage');
    expect(result.probed.skipped[0]?.backend).toBe('keychain');
    expect(result.probed.skipped[0]?.reason).toMatch(/DBUS_SESSION_BUS_ADDRESS\) points to nothing/);
    expect(result.setError).toBeNull();
    expect(result.readBackMatches).toBe(true);
    await expectKeyInFile(secret);
  });

  it('no D-Bus session at all: falls back and explains', async () => {
    const { result, secret } = await runChild({});
    expect(result.probed.backend).toBe('safeStorage');
    expect(result.probed.skipped[0]?.reason).toMatch(/No D-Bus session is running/);
    await expectKeyInFile(secret);
  });

  it('a D-Bus socket that never answers (keytar hangs): the probe times out and falls back', async () => {
    const sock = join(dir, 'silent.sock');
    const sockets = new Set<import('node:net').Socket>();
    const server: Server = createServer((s) => { sockets.add(s); s.on('error', () => {}); });
    server.listen(sock);
    await once(server, 'listening');
    try {
      const { result, secret } = await runChild({ DBUS_SESSION_BUS_ADDRESS: `unix:path=${sock}`, KS_TIMEOUT_MS: '1500' });
      expect(result.probed.backend).toBe('safeStorage');
      expect(result.probed.skipped[0]?.reason).toMatch(/did not answer within 1\.5 s/);
      await expectKeyInFile(secret);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  const hasKeyring = spawnSync('sh', ['-c', 'command -v dbus-run-session && command -v gnome-keyring-daemon']).status === 0;
  it.skipIf(!hasKeyring)('a locked keyring: the probe reads fine, the save fails, the chain moves to safeStorage for good', async () => {
    // A private D-Bus session whose gnome-keyring is started by D-Bus activation and never unlocked.
    const home = join(dir, 'home');
    mkdirSync(home);
    const { result, secret } = await runChild({ HOME: home, XDG_DATA_HOME: join(home, '.local/share'), XDG_RUNTIME_DIR: undefined }, ['dbus-run-session', '--']);
    expect(result.probed.backend).toBe('keychain');
    expect(result.setError).toBeNull();
    expect(result.after.backend).toBe('safeStorage');
    expect(result.after.skipped.at(-1)?.reason).toMatch(/keychain is locked/);
    expect(result.readBackMatches).toBe(true);
    await expectKeyInFile(secret);
  });
});

describe('fallback chain', () => {
  it('a keytar module that cannot be loaded (missing) is skipped with a clear reason', async () => {
    const missing = 'keytar-not-installed-here';
    const chain = await openKeyStore({ service: 's', dataDir: dir, safeStorage: new AesSafeStorage(), loadKeytar: () => import(missing), env: {} });
    expect(chain.backend).toBe('safeStorage');
    expect(chain.status.skipped).toEqual([{ backend: 'keychain', reason: expect.stringMatching(/keytar\) is missing.*keytar-not-installed-here/) }]);
  });

  it('safeStorage with only basic_text is refused without consent (memory, nothing on disk), used with it', async () => {
    const weak = new AesSafeStorage(undefined, 'basic_text');
    const refused = await openKeyStore({ service: 's', dataDir: dir, safeStorage: weak, useKeychain: false, env: {} });
    expect(refused.backend).toBe('memory');
    expect(refused.status.basicTextNeedsConsent).toBe(true);
    expect(refused.status.skipped.map((s) => s.backend)).toEqual(['keychain', 'basic_text']);
    await refused.set(ACCOUNT, KEY);
    expect(readdirSync(dir)).toEqual([]);

    const accepted = await openKeyStore({ service: 's', dataDir: dir, safeStorage: weak, useKeychain: false, allowBasicText: true, env: {} });
    expect(accepted.backend).toBe('basic_text');
    await accepted.set(ACCOUNT, KEY);
    const file = JSON.parse(readFileSync(join(dir, KEY_FILE_NAME), 'utf8')) as { storageBackend: string };
    expect(file.storageBackend).toBe('basic_text');
  });

  it('no safeStorage (headless) and no keychain: memory, with both reasons', async () => {
    const chain = await openKeyStore({ service: 's', dataDir: dir, useKeychain: false, env: {} });
    expect(chain.backend).toBe('memory');
    expect(chain.status.skipped.map((s) => s.reason).join(' ')).toMatch(/turned off in settings.*without Electron/);
  });

  it('CLOUDHPC_API_KEY takes precedence and is read-only', async () => {
    const chain = await openKeyStore({ service: 's', dataDir: dir, useKeychain: false, env: { CLOUDHPC_API_KEY: ` ${KEY} ` } });
    expect(chain.backend).toBe('env');
    expect(await chain.get(ACCOUNT)).toBe(KEY);
    await expect(chain.set(ACCOUNT, 'other-key-123')).rejects.toThrow(/CLOUDHPC_API_KEY environment variable/);
  });

  it('delete removes the key from the file; a second delete reports nothing deleted', async () => {
    const ss = new AesSafeStorage();
    const chain = await openKeyStore({ service: 's', dataDir: dir, safeStorage: ss, useKeychain: false, env: {} });
    await chain.set(ACCOUNT, KEY);
    await chain.set('https://other/api/v2', 'another-key-456');
    expect(await chain.delete(ACCOUNT)).toBe(true);
    expect(await chain.delete(ACCOUNT)).toBe(false);
    const file = JSON.parse(readFileSync(join(dir, KEY_FILE_NAME), 'utf8')) as { keys: Record<string, string> };
    expect(Object.keys(file.keys)).toEqual(['https://other/api/v2']);
    expect(await chain.get('https://other/api/v2')).toBe('another-key-456');
  });

  it('a damaged key file gives a clear error on read and is set aside (not lost) on the next save', async () => {
    writeFileSync(join(dir, KEY_FILE_NAME), '{"format":1,"keys":');
    const chain = await openKeyStore({ service: 's', dataDir: dir, safeStorage: new AesSafeStorage(), useKeychain: false, env: {} });
    await expect(chain.get(ACCOUNT)).rejects.toThrow(/is damaged: enter the API key again/);
    await chain.set(ACCOUNT, KEY);
    expect(await chain.get(ACCOUNT)).toBe(KEY);
    const aside = readdirSync(dir).filter((f) => f.includes('.damaged-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0] as string), 'utf8')).toBe('{"format":1,"keys":');
  });

  it('a key encrypted on another machine (different OS secret) is reported, not returned garbled', async () => {
    const first = await openKeyStore({ service: 's', dataDir: dir, safeStorage: new AesSafeStorage(), useKeychain: false, env: {} });
    await first.set(ACCOUNT, KEY);
    const other = await openKeyStore({ service: 's', dataDir: dir, safeStorage: new AesSafeStorage(), useKeychain: false, env: {} });
    const err = await other.get(ACCOUNT).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(KeyStoreError);
    expect((err as KeyStoreError).code).toBe('decrypt-failed');
    expect((err as Error).message).not.toContain(KEY);
  });
});

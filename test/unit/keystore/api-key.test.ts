// The API key flow against the emulator over real HTTP: a key is checked with view-cpu (the real API
// client) BEFORE it is stored, a rejected key is never stored, the provider CLI's key file is imported,
// the basic_text backend needs consent (asked before any API call is spent), and the key never shows up
// in a status, a log line or an error.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { ApiKeyManager, normaliseApiKey, readCliKeyFile, type KeyChecker } from '../../../src-main/node/keystore/api-key';
import { KEY_FILE_NAME } from '../../../src-main/node/keystore/encrypted-file-store';
import { KeyStoreError } from '../../../src-main/node/keystore/types';
import { AesSafeStorage } from './fake-safe-storage';

const GOOD = 'good-key-0123456789abcdef';
const WRONG = 'wrong-key-0123456789abcdef';

let emu: Emulator;
let dir: string;
const logs: string[] = [];

const checker: KeyChecker = async (baseUrl, key) => {
  const client = new CloudHpcClient({ baseUrl, apiKey: key });
  try { await client.checkKey(); } finally { await client.close(); }
};

beforeAll(async () => { emu = await startEmulator({ apiKey: GOOD }); });
afterAll(async () => { await emu.stop(); });
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'apikey-')); logs.length = 0; });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

function open(safeStorage = new AesSafeStorage(Buffer.alloc(32, 1)), cliKeyFile = join(dir, 'home', '.cfscloudhpc', 'apikey')): Promise<ApiKeyManager> {
  return ApiKeyManager.open({ service: 'cloudHPC Sync test', dataDir: join(dir, 'data'), safeStorage, useKeychain: false, env: {}, checker, cliKeyFile, log: (_l, m) => logs.push(m) });
}

function noKeyAnywhere(values: unknown[]): void {
  for (const v of values) {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    expect(text).not.toContain(GOOD);
    expect(text).not.toContain(WRONG);
  }
}

describe('ApiKeyManager', () => {
  it('a wrong key is refused by the service and not stored; the right one is checked, stored and read back after a restart', async () => {
    const m = await open();
    const before = await m.status(emu.url);
    expect(before).toMatchObject({ set: false, backend: 'none', valid: null, cliKeyAvailable: false, baseUrl: emu.url });

    const err = await m.setKey(emu.url, WRONG).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(KeyStoreError);
    expect((err as KeyStoreError).code).toBe('rejected');
    expect((err as Error).message).toMatch(/refused this API key/);
    expect(existsSync(join(dir, 'data', KEY_FILE_NAME))).toBe(false);
    expect((await m.status(emu.url)).set).toBe(false);

    const callsBefore = emu.calls(GOOD).total;
    const after = await m.setKey(`${emu.url}/`, `  ${GOOD}\n`);
    expect(emu.calls(GOOD).byEndpoint['GET /simulation/view-cpu']).toBeGreaterThanOrEqual(1);
    expect(emu.calls(GOOD).total - callsBefore).toBe(1);
    expect(after).toMatchObject({ set: true, backend: 'safeStorage', valid: true, warning: expect.stringMatching(/turned off in settings/) });
    expect(readFileSync(join(dir, 'data', KEY_FILE_NAME), 'utf8')).not.toContain(GOOD);

    const restarted = await open();
    expect(await restarted.getKey(emu.url)).toBe(GOOD);
    expect((await restarted.status(emu.url)).set).toBe(true);

    const forgotten = await restarted.forget(emu.url);
    expect(forgotten.set).toBe(false);
    expect(await (await open()).getKey(emu.url)).toBeNull();
    noKeyAnywhere([before, after, forgotten, (err as Error).message, (err as Error).stack, ...logs]);
  });

  it('imports the first line of ~/.cfscloudhpc/apikey, checked like a pasted key', async () => {
    const m = await open();
    await expect(m.importCliKey(emu.url)).rejects.toThrow(/No key found in .*apikey/);
    mkdirSync(join(dir, 'home', '.cfscloudhpc'), { recursive: true });
    writeFileSync(join(dir, 'home', '.cfscloudhpc', 'apikey'), `${GOOD}\nsecond line is ignored\n`);
    expect((await m.status(emu.url)).cliKeyAvailable).toBe(true);
    const s = await m.importCliKey(emu.url);
    expect(s).toMatchObject({ set: true, valid: true });
    expect(await m.getKey(emu.url)).toBe(GOOD);
    noKeyAnywhere([s, ...logs]);
  });

  it('basic_text needs consent, asked before any API call; once accepted it is remembered', async () => {
    const weak = new AesSafeStorage(Buffer.alloc(32, 2), 'basic_text');
    const m = await open(weak);
    const calls = emu.calls(GOOD).total;
    const err = await m.setKey(emu.url, GOOD).then(() => null, (e: unknown) => e);
    expect((err as KeyStoreError).code).toBe('insecure-storage');
    expect(emu.calls(GOOD).total).toBe(calls);

    const s = await m.setKey(emu.url, GOOD, { allowInsecureStorage: true });
    expect(s).toMatchObject({ set: true, backend: 'basic_text', warning: expect.stringMatching(/only obfuscated/) });
    const again = await open(weak);
    expect(again.storage.backend).toBe('basic_text');
    expect(await again.getKey(emu.url)).toBe(GOOD);
  });

  it('an unreachable service: the key is not stored and the message says it could not be checked', async () => {
    const m = await open();
    const err = await m.setKey('http://127.0.0.1:9/api/v2', GOOD).then(() => null, (e: unknown) => e);
    expect((err as KeyStoreError).code).toBe('offline');
    expect((err as Error).message).toMatch(/could not be checked/);
    expect(existsSync(join(dir, 'data', KEY_FILE_NAME))).toBe(false);
    noKeyAnywhere([(err as Error).message, ...logs]);
  });
});

describe('key input', () => {
  it('cleans a pasted key and refuses what cannot be a key, saying what to do', () => {
    expect(normaliseApiKey(`  "${GOOD}"\r\n`)).toBe(GOOD);
    expect(() => normaliseApiKey('   ')).toThrow(/empty: copy it from your cloudHPC profile page/);
    expect(() => normaliseApiKey('abc def ghi jkl')).toThrow(/spaces or line breaks/);
    expect(() => normaliseApiKey('short')).toThrow(/does not look like a cloudHPC key/);
  });

  it('reads only the first line of the CLI key file; an empty file is no key', () => {
    const f = join(dir, 'apikey');
    writeFileSync(f, '\n');
    expect(readCliKeyFile(f)).toBeNull();
    writeFileSync(f, `${GOOD}\r\nother`);
    expect(readCliKeyFile(f)).toBe(GOOD);
    expect(readCliKeyFile(join(dir, 'missing'))).toBeNull();
  });
});

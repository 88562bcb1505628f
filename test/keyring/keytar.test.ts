// Against a real Secret Service: gnome-keyring in a private D-Bus session, unlocked by
// scripts/with-keyring.sh (scripts/test.mjs runs this suite with KEYRING_SUITE=1 inside it).
// Stores, reads and deletes the key through keytar via the key store chain, and checks with keytar
// directly (a second client of the same Secret Service) that the item really is in the keyring.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import keytar from 'keytar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKeyStore } from '../../src-main/node/keystore/chain';
import { accountFor } from '../../src-main/node/keystore/api-key';

const SERVICE = `cloudhpc-sync-keyring-test-${process.pid}`;
const ACCOUNT = accountFor('https://cloud.cfdfeaservice.it/api/v2/');
const KEY = `keyring-test-${Date.now()}-abcdef`;

let dir: string;
beforeAll(() => {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) throw new Error('No D-Bus session: run this suite through scripts/with-keyring.sh (KEYRING_SUITE=1).');
  dir = mkdtempSync(join(tmpdir(), 'keyring-'));
});
afterAll(async () => {
  await keytar.deletePassword(SERVICE, ACCOUNT).catch(() => false);
  rmSync(dir, { recursive: true, force: true });
});

describe('keytar against gnome-keyring', () => {
  it('the chain picks the keychain, and stores, reads and deletes the key there', async () => {
    const chain = await openKeyStore({ service: SERVICE, dataDir: dir, env: {}, timeoutMs: 10_000 });
    expect(chain.backend).toBe('keychain');
    expect(chain.status.skipped).toEqual([]);
    expect(chain.status.reason).toMatch(/keychain/);

    expect(await chain.get(ACCOUNT)).toBeNull();
    await chain.set(ACCOUNT, KEY);
    // Another client of the Secret Service sees it: it is really in the keyring.
    expect(await keytar.getPassword(SERVICE, ACCOUNT)).toBe(KEY);
    expect(await keytar.findCredentials(SERVICE)).toEqual([{ account: ACCOUNT, password: KEY }]);

    // A restart (a fresh chain) reads it back.
    const again = await openKeyStore({ service: SERVICE, dataDir: dir, env: {}, timeoutMs: 10_000 });
    expect(await again.get(ACCOUNT)).toBe(KEY);

    expect(await again.delete(ACCOUNT)).toBe(true);
    expect(await keytar.getPassword(SERVICE, ACCOUNT)).toBeNull();
    expect(await again.get(ACCOUNT)).toBeNull();
    // Nothing was written to the app data folder: the key only ever lived in the keychain.
    expect(readdirSync(dir)).toEqual([]);
  });
});

// The fallback when the OS keychain is unusable: the key encrypted with Electron safeStorage (whose own
// key the OS protects: Keychain, DPAPI, or the Secret Service/KWallet on Linux), kept in one file in the
// app data folder. When safeStorage can only use its 'basic_text' backend (a hard-coded password, i.e.
// obfuscation, not protection) the store refuses unless the user accepted that.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync as writeFileAtomic } from '../project/atomic-write';
import { KeyStoreError, type KeyStore, type SafeStorageLike } from './types';

export const KEY_FILE_NAME = 'api-keys.enc.json';

interface KeyFile {
  format: 1;
  /** Which safeStorage backend encrypted the entries ('basic_text' is not real protection). */
  storageBackend: string;
  /** account (base URL) -> base64 of safeStorage.encryptString(key) */
  keys: Record<string, string>;
}

/** What safeStorage can offer here, and why not when it cannot. */
export type SafeStorageVerdict =
  | { usable: true; backend: 'safeStorage' | 'basic_text'; storageBackend: string }
  | { usable: false; reason: string; needsConsent: boolean };

export function judgeSafeStorage(safeStorage: SafeStorageLike | null | undefined, allowBasicText: boolean): SafeStorageVerdict {
  if (!safeStorage) return { usable: false, needsConsent: false, reason: 'Electron safeStorage is not available (the app runs without Electron).' };
  let available = false;
  try { available = safeStorage.isEncryptionAvailable(); } catch { available = false; }
  if (!available) return { usable: false, needsConsent: false, reason: 'Electron safeStorage reports that OS encryption is not available.' };
  let storageBackend = 'os';
  try { storageBackend = safeStorage.getSelectedStorageBackend?.() ?? 'os'; } catch { storageBackend = 'unknown'; }
  if (storageBackend === 'basic_text') {
    if (!allowBasicText) {
      return {
        usable: false,
        needsConsent: true,
        reason: 'Electron safeStorage has no secret store here (basic_text backend: the file would only be obfuscated, not protected). Accept that in settings, or install gnome-keyring or KWallet.',
      };
    }
    return { usable: true, backend: 'basic_text', storageBackend };
  }
  return { usable: true, backend: 'safeStorage', storageBackend };
}

export class EncryptedFileStore implements KeyStore {
  readonly path: string;
  constructor(
    dataDir: string,
    private readonly safeStorage: SafeStorageLike,
    readonly backend: 'safeStorage' | 'basic_text',
    private readonly storageBackend: string,
  ) {
    this.path = join(dataDir, KEY_FILE_NAME);
  }

  private read(): KeyFile {
    if (!existsSync(this.path)) return { format: 1, storageBackend: this.storageBackend, keys: {} };
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch {
      throw new KeyStoreError('unreadable-file', `The encrypted key file ${this.path} is damaged: enter the API key again (the damaged file will be set aside).`);
    }
    const f = parsed as Partial<KeyFile> | null;
    if (!f || f.format !== 1 || typeof f.keys !== 'object' || f.keys === null || Array.isArray(f.keys)) {
      throw new KeyStoreError('unreadable-file', `The encrypted key file ${this.path} is not in a format this app knows: enter the API key again (the file will be set aside).`);
    }
    const keys: Record<string, string> = {};
    for (const [k, v] of Object.entries(f.keys)) if (typeof v === 'string') keys[k] = v;
    return { format: 1, storageBackend: typeof f.storageBackend === 'string' ? f.storageBackend : 'unknown', keys };
  }

  /** Reads the file for an update; a damaged file is renamed aside (never silently overwritten). */
  private readForUpdate(): KeyFile {
    try {
      return this.read();
    } catch (err) {
      if (err instanceof KeyStoreError && err.code === 'unreadable-file') {
        renameSync(this.path, `${this.path}.damaged-${Date.now()}`);
        return { format: 1, storageBackend: this.storageBackend, keys: {} };
      }
      throw err;
    }
  }

  async get(account: string): Promise<string | null> {
    const entry = this.read().keys[account];
    if (entry === undefined) return null;
    try {
      return this.safeStorage.decryptString(Buffer.from(entry, 'base64'));
    } catch {
      throw new KeyStoreError('decrypt-failed', 'The stored API key could not be decrypted (the system encryption key may have changed): enter the API key again.');
    }
  }

  async set(account: string, key: string): Promise<void> {
    const file = this.readForUpdate();
    let encrypted: Buffer;
    try {
      encrypted = this.safeStorage.encryptString(key);
    } catch {
      throw new KeyStoreError('keychain-unavailable', 'Electron safeStorage could not encrypt the API key.');
    }
    file.keys[account] = encrypted.toString('base64');
    file.storageBackend = this.storageBackend;
    writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`);
  }

  async delete(account: string): Promise<boolean> {
    if (!existsSync(this.path)) return false;
    const file = this.readForUpdate();
    if (!(account in file.keys)) return false;
    delete file.keys[account];
    writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`);
    return true;
  }
}

// The API key store: where the cloudHPC API key lives between runs. Plain Node (no electron):
// the Electron shell injects safeStorage through SafeStorageLike.

/**
 * Which backend holds the key:
 * - keychain: the OS keychain through keytar (macOS Keychain, Windows Credential Manager, Secret Service on Linux);
 * - safeStorage: a file in the app data folder encrypted with Electron safeStorage (OS-protected key);
 * - basic_text: the same file, but safeStorage only obfuscates it with a hard-coded password (Linux without a
 *   secret store). Used only when the user accepted it;
 * - memory: nowhere on disk, for this session only;
 * - env: read from an environment variable (headless servers), read-only.
 */
export type KeyBackend = 'keychain' | 'safeStorage' | 'basic_text' | 'memory' | 'env';

export interface KeyStore {
  readonly backend: KeyBackend;
  /** The key stored for this account (the base URL), or null. */
  get(account: string): Promise<string | null>;
  set(account: string, key: string): Promise<void>;
  /** True when something was deleted. */
  delete(account: string): Promise<boolean>;
}

/** The part of Electron's safeStorage the key store uses (injected by the shell; faked in tests). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' | 'gnome_libsecret' | 'kwallet' | ... ; absent elsewhere. */
  getSelectedStorageBackend?(): string;
}

export type KeyStoreErrorCode =
  | 'keychain-unavailable'
  | 'timeout'
  | 'read-only'
  | 'unreadable-file'
  | 'decrypt-failed'
  | 'invalid-key'
  | 'rejected'
  | 'insecure-storage'
  | 'offline'
  | 'rate-limited'
  | 'no-cli-key';

/** Every key store failure: a message for a person. Never carries the key itself. */
export class KeyStoreError extends Error {
  readonly code: KeyStoreErrorCode;
  constructor(code: KeyStoreErrorCode, message: string) {
    super(message);
    this.name = 'KeyStoreError';
    this.code = code;
  }
}

/** A backend the chain did not use, and why (shown in settings). */
export interface SkippedBackend {
  backend: KeyBackend;
  reason: string;
}

// The OS keychain through keytar, loaded lazily (a missing or broken native module must not stop the
// app) and always called with a timeout.
import { describeKeychainError } from './keytar-errors';
import { withTimeout } from './timeout';
import { KeyStoreError, type KeyStore } from './types';

/** The three keytar calls used here. */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export type KeytarLoader = () => Promise<unknown>;

export const defaultKeytarLoader: KeytarLoader = () => import('keytar');

function isKeytar(v: unknown): v is KeytarLike {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.getPassword === 'function' && typeof o.setPassword === 'function' && typeof o.deletePassword === 'function';
}

/** Loads keytar (ESM namespace or CommonJS default export); throws a KeyStoreError with a clear reason. */
export async function loadKeytar(load: KeytarLoader = defaultKeytarLoader): Promise<KeytarLike> {
  let mod: unknown;
  try {
    mod = await load();
  } catch (err) {
    const line = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 200) ?? '';
    throw new KeyStoreError('keychain-unavailable', `The keychain module (keytar) is missing or was not built for this platform, so the system keychain cannot be used (${line}).`);
  }
  const candidate = isKeytar(mod) ? mod : (mod as { default?: unknown } | null)?.default;
  if (!isKeytar(candidate)) throw new KeyStoreError('keychain-unavailable', 'The keychain module (keytar) loaded but does not look like keytar, so the system keychain cannot be used.');
  return candidate;
}

export class KeychainStore implements KeyStore {
  readonly backend = 'keychain' as const;
  constructor(
    private readonly keytar: KeytarLike,
    private readonly service: string,
    private readonly timeoutMs: number,
  ) {}

  private async call<T>(what: string, run: () => Promise<T>, secret?: string): Promise<T> {
    try {
      return await withTimeout(run(), this.timeoutMs, what);
    } catch (err) {
      if (err instanceof KeyStoreError) throw err;
      throw new KeyStoreError('keychain-unavailable', describeKeychainError(err, secret).reason);
    }
  }

  get(account: string): Promise<string | null> {
    return this.call('read', () => this.keytar.getPassword(this.service, account));
  }

  set(account: string, key: string): Promise<void> {
    return this.call('save', () => this.keytar.setPassword(this.service, account, key), key);
  }

  delete(account: string): Promise<boolean> {
    return this.call('delete', () => this.keytar.deletePassword(this.service, account));
  }
}

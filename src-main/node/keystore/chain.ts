// The key store chain: environment variable (if set) > OS keychain (keytar, probed at start with a
// timeout) > Electron safeStorage file > memory. The chain says which backend holds the key and why the
// ones before it were skipped. If the keychain fails later (locked, D-Bus gone), the chain moves down
// once and reports it; a key saved in the file while the keychain was down is still found afterwards.
import { DEFAULT_KEY_ENV_VAR, EnvStore } from './env-store';
import { EncryptedFileStore, judgeSafeStorage } from './encrypted-file-store';
import { KeychainStore, loadKeytar, type KeytarLoader, defaultKeytarLoader } from './keychain-store';
import { MemoryStore } from './memory-store';
import { withTimeout } from './timeout';
import { describeKeychainError } from './keytar-errors';
import { KeyStoreError, type KeyBackend, type KeyStore, type SafeStorageLike, type SkippedBackend } from './types';

export interface OpenKeyStoreOptions {
  /** The keychain service name: the app's name. */
  service: string;
  /** The app data folder (the safeStorage file goes there). */
  dataDir: string;
  /** Electron's safeStorage, injected by the shell; absent in the headless mode. */
  safeStorage?: SafeStorageLike | null;
  /** The user accepted safeStorage's basic_text backend (obfuscation only). */
  allowBasicText?: boolean;
  /** Environment to read the key variable from (default process.env). */
  env?: Record<string, string | undefined>;
  envVar?: string;
  /** The account (base URL) the variable's key was given for; another account gets no key from it. */
  envAccount?: string;
  /** Deadline of every keychain call, ms (default 5000). */
  timeoutMs?: number;
  /** How keytar is imported (tests point it at a missing module). */
  loadKeytar?: KeytarLoader;
  /** Account read by the start probe (default: a probe account that never holds a key). */
  probeAccount?: string;
  /** false skips the OS keychain entirely (a setting). */
  useKeychain?: boolean;
  platform?: NodeJS.Platform;
}

export interface KeyStoreStatus {
  backend: KeyBackend;
  /** Why this backend holds the key, in one or two sentences. */
  reason: string;
  /** The backends tried before it, each with why it was not used. */
  skipped: SkippedBackend[];
  /** safeStorage could only offer basic_text and the user has not accepted it. */
  basicTextNeedsConsent: boolean;
}

function keychainName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'the macOS Keychain';
  if (platform === 'win32') return 'the Windows Credential Manager';
  return 'the system keychain (Secret Service)';
}

const chosenReason: Record<Exclude<KeyBackend, 'keychain' | 'env'>, string> = {
  safeStorage: 'The API key is kept encrypted with the operating system\'s protection (Electron safeStorage) in the app data folder.',
  basic_text: 'The API key is kept in the app data folder, only obfuscated (safeStorage basic_text), as you accepted: anyone who can read your files can recover it.',
  memory: 'The API key is kept in memory for this session only: it will be asked again at the next start.',
};

interface Candidate {
  store: KeyStore;
  reason: string;
}

/** Position in the chain. */
const rank: Record<KeyBackend, number> = { env: 0, keychain: 1, safeStorage: 2, basic_text: 2, memory: 3 };

function isUnavailable(err: unknown): boolean {
  return err instanceof KeyStoreError && (err.code === 'keychain-unavailable' || err.code === 'timeout');
}

export class KeyStoreChain implements KeyStore {
  private index = 0;
  /** The store the last get() found a key in (it may be a later one than the current backend). */
  private found: KeyBackend | null = null;
  private readonly listeners = new Set<(s: KeyStoreStatus) => void>();

  constructor(
    private readonly candidates: Candidate[],
    private readonly skipped: SkippedBackend[],
    private readonly basicTextNeedsConsent: boolean,
  ) {
    if (candidates.length === 0) throw new Error('KeyStoreChain needs at least one store');
  }

  private get current(): Candidate {
    return this.candidates[this.index] as Candidate;
  }

  get backend(): KeyBackend {
    return this.current.store.backend;
  }

  /** Skipped backends are listed only when they come before the current one in the chain. */
  get status(): KeyStoreStatus {
    const here = rank[this.backend];
    const skipped = this.skipped.filter((s) => rank[s.backend] < here);
    return { backend: this.backend, reason: this.current.reason, skipped, basicTextNeedsConsent: this.basicTextNeedsConsent };
  }

  /** Called whenever the chain moves to another backend. Returns an unsubscribe. */
  onStatusChange(cb: (s: KeyStoreStatus) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private demote(err: unknown): boolean {
    if (!isUnavailable(err) || this.index >= this.candidates.length - 1) return false;
    const reason = err instanceof Error ? err.message : String(err);
    this.skipped.push({ backend: this.current.store.backend, reason });
    this.index += 1;
    const s = this.status;
    for (const l of this.listeners) l(s);
    return true;
  }

  /** Where the last key read came from (null: none found yet). */
  get source(): KeyBackend | null {
    return this.found;
  }

  /**
   * With an environment variable the chain is [env, memory]: the variable's key serves the address it
   * was given for only; a key entered for another address is kept in memory for this session.
   */
  private otherAddressStore(account: string): KeyStore | null {
    const env = this.current.store;
    if (!(env instanceof EnvStore) || env.serves(account)) return null;
    return this.candidates[this.index + 1]?.store ?? null;
  }

  /** The variable's key exists but serves another address than `account` (the address it serves), else null. */
  envBoundElsewhere(account: string): { variable: string; account: string } | null {
    const env = this.current.store;
    return env instanceof EnvStore && !env.serves(account) && env.account !== undefined ? { variable: env.variable, account: env.account } : null;
  }

  /** The backend a key for `account` is kept in. */
  backendFor(account: string): KeyBackend {
    return this.otherAddressStore(account)?.backend ?? this.backend;
  }

  async get(account: string): Promise<string | null> {
    this.found = null;
    const other = this.otherAddressStore(account);
    if (other) {
      const v = await other.get(account);
      if (v !== null) this.found = other.backend;
      return v;
    }
    for (;;) {
      try {
        const v = await this.current.store.get(account);
        if (v !== null) {
          this.found = this.current.store.backend;
          return v;
        }
        break;
      } catch (err) {
        if (!this.demote(err)) throw err;
      }
    }
    // Not in the current store: a key saved in a later store while this one was down is still the user's key.
    for (const c of this.candidates.slice(this.index + 1)) {
      if (c.store.backend === 'memory') continue;
      try {
        const v = await c.store.get(account);
        if (v !== null) {
          this.found = c.store.backend;
          return v;
        }
      } catch {
        // an unreadable fallback file is reported when it is the current store; here it is just not a source
      }
    }
    return null;
  }

  async set(account: string, key: string): Promise<void> {
    const other = this.otherAddressStore(account);
    if (other) return other.set(account, key);
    for (;;) {
      try {
        await this.current.store.set(account, key);
        return;
      } catch (err) {
        if (!this.demote(err)) throw err;
      }
    }
  }

  /** Deletes the key from every store that has it (so no stale copy is found later). */
  async delete(account: string): Promise<boolean> {
    const other = this.otherAddressStore(account);
    if (other) return other.delete(account);
    if (this.current.store.backend === 'env') return this.current.store.delete(account);
    let deleted = false;
    let firstError: unknown = null;
    for (const c of this.candidates.slice(this.index)) {
      try {
        if (await c.store.delete(account)) deleted = true;
      } catch (err) {
        firstError ??= err;
      }
    }
    if (!deleted && firstError) throw firstError;
    return deleted;
  }
}

/** Builds the chain, probing the keychain once (with the timeout). Never throws: the memory store is always there. */
export async function openKeyStore(opts: OpenKeyStoreOptions): Promise<KeyStoreChain> {
  const platform = opts.platform ?? process.platform;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const env = opts.env ?? process.env;
  const envVar = opts.envVar ?? DEFAULT_KEY_ENV_VAR;
  const candidates: Candidate[] = [];
  const skipped: SkippedBackend[] = [];

  const fromEnv = env[envVar]?.trim();
  if (fromEnv) {
    // The variable wins and is read-only: the stores below are never read or written, so the
    // keychain is not probed (no D-Bus round trip, no unlock prompt) in scripts and CI.
    candidates.push({ store: new EnvStore(fromEnv, envVar, opts.envAccount), reason: `The API key comes from the ${envVar} environment variable, which takes precedence over any stored key.` });
    // A key entered for another address than the variable's: this session only.
    candidates.push({ store: new MemoryStore(), reason: chosenReason.memory });
    return new KeyStoreChain(candidates, skipped, false);
  }

  if (opts.useKeychain === false) {
    skipped.push({ backend: 'keychain', reason: 'The system keychain is turned off in settings.' });
  } else {
    try {
      const keytar = await withTimeout(loadKeytar(opts.loadKeytar ?? defaultKeytarLoader), timeoutMs, 'loading the keychain module');
      const store = new KeychainStore(keytar, opts.service, timeoutMs);
      await store.get(opts.probeAccount ?? '__cloudhpc-sync-probe__');
      candidates.push({ store, reason: `The API key is kept in ${keychainName(platform)}.` });
    } catch (err) {
      const reason = err instanceof KeyStoreError ? err.message : describeKeychainError(err).reason;
      skipped.push({ backend: 'keychain', reason });
    }
  }

  const verdict = judgeSafeStorage(opts.safeStorage, opts.allowBasicText ?? false);
  if (verdict.usable && opts.safeStorage) {
    candidates.push({ store: new EncryptedFileStore(opts.dataDir, opts.safeStorage, verdict.backend, verdict.storageBackend), reason: chosenReason[verdict.backend] });
  } else if (!verdict.usable) {
    skipped.push({ backend: verdict.needsConsent ? 'basic_text' : 'safeStorage', reason: verdict.reason });
  }

  candidates.push({ store: new MemoryStore(), reason: chosenReason.memory });

  return new KeyStoreChain(candidates, skipped, !verdict.usable && verdict.needsConsent);
}

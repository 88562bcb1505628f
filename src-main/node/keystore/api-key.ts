// The API key's life: entered once (or imported from the provider CLI's ~/.cfscloudhpc/apikey), checked
// against the service (one view-cpu call) BEFORE it is stored, stored in the key store chain under the
// account = base URL, handed to the core only. The UI only ever sees KeyStatus (never the key).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ErrorCode, KeyStatus } from '../../common/contract';
import { CloudHpcError } from '../api/errors';
import { registerSecret, safeLog, type LogSink } from '../api/redact';
import { openKeyStore, type KeyStoreChain, type KeyStoreStatus, type OpenKeyStoreOptions } from './chain';
import { KEY_FILE_NAME } from './encrypted-file-store';
import { KeyStoreError, type KeyBackend } from './types';

/** Throws when the service refuses the key (CloudHpcError kind 'unauthorized') or cannot be asked. */
export type KeyChecker = (baseUrl: string, key: string) => Promise<void>;

export function defaultCliKeyFile(home = homedir()): string {
  return join(home, '.cfscloudhpc', 'apikey');
}

/** The account a key is stored under: the base URL without trailing slashes. */
export function accountFor(baseUrl: string): string {
  return baseUrl.trim().replace(/\/+$/, '');
}

/** A pasted key, cleaned up (surrounding spaces/quotes, a trailing newline), or a clear error. */
export function normaliseApiKey(input: string): string {
  let k = input.trim();
  if (/^(["']).*\1$/.test(k)) k = k.slice(1, -1).trim();
  if (k === '') throw new KeyStoreError('invalid-key', 'The API key is empty: copy it from your cloudHPC profile page and paste it here.');
  if (/[\s\u0000-\u001f\u007f]/.test(k)) throw new KeyStoreError('invalid-key', 'The API key contains spaces or line breaks: paste only the key itself (one line, from your cloudHPC profile page).');
  if (k.length < 8 || k.length > 512) throw new KeyStoreError('invalid-key', `The API key has ${k.length} characters, which does not look like a cloudHPC key: copy the whole key from your cloudHPC profile page.`);
  return k;
}

/** The first line of the provider CLI's key file, or null when there is none. */
export function readCliKeyFile(path = defaultCliKeyFile()): string | null {
  if (!existsSync(path)) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const first = (text.split(/\r?\n/)[0] ?? '').trim();
  return first === '' ? null : first;
}

/** The contract error code for a key store failure. */
export function keyErrorCode(err: unknown): ErrorCode {
  if (!(err instanceof KeyStoreError)) return 'internal';
  switch (err.code) {
    case 'rejected': return 'key-rejected';
    case 'insecure-storage': return 'insecure-storage';
    case 'offline': return 'offline';
    case 'rate-limited': return 'rate-limited';
    case 'invalid-key':
    case 'no-cli-key': return 'invalid-input';
    default: return 'key-storage';
  }
}

export function backendLabel(backend: KeyBackend, platform: NodeJS.Platform = process.platform, envVar = 'CLOUDHPC_API_KEY'): string {
  switch (backend) {
    case 'keychain': return platform === 'darwin' ? 'OS keychain (macOS Keychain)' : platform === 'win32' ? 'OS keychain (Windows Credential Manager)' : 'OS keychain (Secret Service)';
    case 'safeStorage': return 'encrypted with Electron safeStorage in the app data folder';
    case 'basic_text': return 'app data folder, obfuscated only (safeStorage basic_text)';
    case 'memory': return 'memory only (asked again at the next start)';
    case 'env': return envVar;
  }
}

export interface ApiKeyManagerOptions extends Omit<OpenKeyStoreOptions, 'allowBasicText'> {
  checker: KeyChecker;
  /** Default ~/.cfscloudhpc/apikey. */
  cliKeyFile?: string;
  log?: LogSink;
}

export class ApiKeyManager {
  private chain!: KeyStoreChain;
  /** Last check result per account in this session. */
  private readonly valid = new Map<string, boolean>();
  private readonly log: LogSink;

  private constructor(private readonly opts: ApiKeyManagerOptions) {
    this.log = safeLog(opts.log);
  }

  /** Opens the key store chain (probing the keychain once) and reports which backend it chose. */
  static async open(opts: ApiKeyManagerOptions): Promise<ApiKeyManager> {
    const m = new ApiKeyManager(opts);
    // A key file written with basic_text means the user accepted that backend earlier.
    await m.reopen(m.basicTextAcceptedBefore());
    return m;
  }

  private basicTextAcceptedBefore(): boolean {
    try {
      const f = JSON.parse(readFileSync(join(this.opts.dataDir, KEY_FILE_NAME), 'utf8')) as { storageBackend?: unknown };
      return f.storageBackend === 'basic_text';
    } catch {
      return false;
    }
  }

  private async reopen(allowBasicText: boolean): Promise<void> {
    this.chain = await openKeyStore({ ...this.opts, allowBasicText });
    this.chain.onStatusChange((s) => this.log('warn', `API key storage moved to ${s.backend}: ${s.skipped.at(-1)?.reason ?? ''}`));
    const s = this.chain.status;
    this.log('info', `API key storage: ${s.backend}. ${s.reason}${s.skipped.map((k) => ` (${k.backend} not used: ${k.reason})`).join('')}`);
  }

  get storage(): KeyStoreStatus {
    return this.chain.status;
  }

  /** The store the last getKey() found the key in (null when none was found). */
  get source(): KeyBackend | null {
    return this.chain.source;
  }

  private warning(): string | null {
    const s = this.chain.status;
    if (s.backend === 'keychain' || s.backend === 'env') return null;
    const why = s.skipped.map((k) => k.reason).join(' ');
    if (s.backend === 'basic_text') return `${s.reason} ${why}`.trim();
    if (s.backend === 'memory') return `${s.reason} ${why}`.trim();
    return why || null;
  }

  /** The key for the core (API client). Never give this to the UI. */
  async getKey(baseUrl: string): Promise<string | null> {
    const key = await this.chain.get(accountFor(baseUrl));
    if (key) registerSecret(key);
    return key;
  }

  async status(baseUrl: string): Promise<KeyStatus> {
    const account = accountFor(baseUrl);
    let set = false;
    let readProblem: string | null = null;
    try {
      set = (await this.chain.get(account)) !== null;
    } catch (err) {
      readProblem = err instanceof Error ? err.message : String(err);
    }
    const backend = set ? (this.chain.source ?? this.chain.backendFor(account)) : this.chain.backendFor(account);
    const elsewhere = this.chain.envBoundElsewhere(account);
    const bound = elsewhere ? `The key in ${elsewhere.variable} is for ${elsewhere.account}, not this address: enter the key for ${account} (kept for this session only).` : null;
    const warning = [readProblem, bound, this.warning()].filter((w): w is string => !!w).join(' ') || null;
    return {
      set,
      backend: set ? backend : 'none',
      backendLabel: set ? backendLabel(backend) : `no key yet; it will be kept in: ${backendLabel(backend)}`,
      valid: this.valid.get(account) ?? null,
      warning,
      cliKeyAvailable: readCliKeyFile(this.opts.cliKeyFile ?? defaultCliKeyFile()) !== null,
      baseUrl: account,
    };
  }

  /** The core saw the service refuse the stored key (any call answered Unauthorized). */
  markRejected(baseUrl: string): void {
    this.valid.set(accountFor(baseUrl), false);
  }

  private async check(baseUrl: string, key: string): Promise<void> {
    try {
      await this.opts.checker(accountFor(baseUrl), key);
    } catch (err) {
      if (err instanceof CloudHpcError) {
        if (err.kind === 'unauthorized') throw new KeyStoreError('rejected', `cloudHPC refused this API key: ${err.userMessage}`);
        if (err.kind === 'rate-limited') throw new KeyStoreError('rate-limited', `The key could not be checked now: ${err.userMessage} It was not saved.`);
        throw new KeyStoreError('offline', `The key could not be checked with cloudHPC, so it was not saved: ${err.userMessage}`);
      }
      throw new KeyStoreError('offline', 'The key could not be checked with cloudHPC, so it was not saved: try again in a moment.');
    }
  }

  /** Checks the key against the service, then stores it. A rejected key is not stored. */
  async setKey(baseUrl: string, input: string, options: { allowInsecureStorage?: boolean } = {}): Promise<KeyStatus> {
    const key = normaliseApiKey(input);
    registerSecret(key);
    const s = this.chain.status;
    if (this.chain.backendFor(accountFor(baseUrl)) === 'env') throw new KeyStoreError('read-only', 'The API key comes from the CLOUDHPC_API_KEY environment variable: change it there (or unset it to store a key in the app).');
    if (s.backend === 'memory' && s.basicTextNeedsConsent) {
      if (!options.allowInsecureStorage) {
        throw new KeyStoreError('insecure-storage', 'There is no secure place for the API key on this computer (no system keychain, and Electron safeStorage can only obfuscate it). Accept storing it obfuscated in the app data folder, or keep it for this session only.');
      }
      await this.reopen(true);
    }
    await this.check(baseUrl, key);
    const account = accountFor(baseUrl);
    await this.chain.set(account, key);
    this.valid.set(account, true);
    this.log('info', `API key for ${account} checked and stored (${this.chain.backend}).`);
    return this.status(baseUrl);
  }

  /** Imports the first line of ~/.cfscloudhpc/apikey (the provider CLI's key file), checked like a pasted key. */
  async importCliKey(baseUrl: string, options: { allowInsecureStorage?: boolean } = {}): Promise<KeyStatus> {
    const path = this.opts.cliKeyFile ?? defaultCliKeyFile();
    const key = readCliKeyFile(path);
    if (key === null) throw new KeyStoreError('no-cli-key', `No key found in ${path} (the cloudHPC command-line client's key file): paste the key from your cloudHPC profile page instead.`);
    return this.setKey(baseUrl, key, options);
  }

  async forget(baseUrl: string): Promise<KeyStatus> {
    const account = accountFor(baseUrl);
    await this.chain.delete(account);
    this.valid.delete(account);
    this.log('info', `API key for ${account} removed.`);
    return this.status(baseUrl);
  }
}

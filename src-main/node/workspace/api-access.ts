// The way to the service: the API key (the key store chain: CLOUDHPC_API_KEY, then the OS keychain,
// then the fallbacks), the one CallBudget, and the current API client behind a proxy. The engines
// hold the proxy, so a new key or base URL takes effect without rebuilding them; every call through
// it also says whether the service is reachable (offline state) and whether the key was refused.
// The key chain is opened on first need: a command that makes no API call never touches the keychain.
import type { KeyStatus } from '../../common/contract';
import { CallBudget } from '../api/budget';
import { CloudHpcClient } from '../api/client';
import { ServiceClock } from '../api/service-clock';
import type { UnavailableFeature } from '../api/types';
import { isCloudHpcError } from '../api/errors';
import type { LogSink } from '../api/redact';
import { accountFor, ApiKeyManager, backendLabel, type SafeStorageLike } from '../keystore';
import { NO_KEY_MESSAGE, WorkspaceError } from './errors';

/** The keychain service name: the app and the command line store and find the key under it. */
export const APP_SERVICE_NAME = 'cloudHPC Sync';

export interface ApiAccessOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  /** The service base URL now (settings; CLOUDHPC_API_URL wins). */
  baseUrl: () => string;
  safeStorage?: SafeStorageLike | null;
  cliKeyFile?: string;
  keychainTimeoutMs?: number;
  useKeychain?: boolean;
  log: LogSink;
  /** Every API call and transfer stops when this aborts (the CLI's Ctrl-C and --timeout). */
  signal?: AbortSignal;
  /** The service became unreachable (a message) or answered again (null). */
  onOffline: (message: string | null) => void;
  /** The service refused the stored key. */
  onKeyRejected: (message: string) => void;
  /** The list of endpoints this key may not use changed ("Unauthorized." on one endpoint only). */
  onFeaturesChanged?: (features: UnavailableFeature[]) => void;
}

/** Where the key in use came from, for people (`--verbose`, settings). */
export interface KeySource {
  backend: KeyStatus['backend'];
  /** e.g. "OS keychain (Secret Service)", "CLOUDHPC_API_KEY". */
  label: string;
  /** Why that store, and why the ones before it were not used. */
  detail: string;
}

export class ApiAccess {
  readonly budget = new CallBudget();
  /** The service's clock offset, learnt from a run we created; shared by every client. */
  readonly serviceClock = new ServiceClock();
  /** What the engines hold: always reaches the current client. */
  readonly cloud: CloudHpcClient;
  private keys: ApiKeyManager | null = null;
  private opening: Promise<ApiKeyManager> | null = null;
  private client: CloudHpcClient | null = null;
  private statusCache: KeyStatus | null = null;
  private offline = false;
  private unsubFeatures: (() => void) | null = null;

  constructor(private readonly o: ApiAccessOptions) {
    this.cloud = this.proxy();
  }

  private baseUrl(): string {
    return this.o.baseUrl().replace(/\/+$/, '');
  }

  /** The key manager, opening the key store chain (and probing the keychain) on first use. */
  private manager(): Promise<ApiKeyManager> {
    if (this.keys) return Promise.resolve(this.keys);
    this.opening ??= ApiKeyManager.open({
      service: APP_SERVICE_NAME,
      dataDir: this.o.home,
      safeStorage: this.o.safeStorage ?? null,
      env: this.o.env,
      // CLOUDHPC_API_KEY serves the address in use now only (a changed address needs its own key)
      envAccount: accountFor(this.baseUrl()),
      cliKeyFile: this.o.cliKeyFile,
      timeoutMs: this.o.keychainTimeoutMs,
      useKeychain: this.o.useKeychain,
      log: this.o.log,
      checker: async (baseUrl, key) => {
        const probe = new CloudHpcClient({ baseUrl, apiKey: key, budget: this.budget, signal: this.o.signal });
        try {
          await probe.checkKey();
        } finally {
          await probe.close();
        }
      },
    }).then((m) => (this.keys = m));
    return this.opening;
  }

  /** (Re)creates the API client from the stored key; returns whether there is one now. */
  async connect(): Promise<boolean> {
    await this.client?.close();
    this.client = null;
    const keys = await this.manager();
    let key: string | null = null;
    try {
      key = await keys.getKey(this.baseUrl());
    } catch (err) {
      this.o.log('warn', `API key could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.unsubFeatures?.();
    this.unsubFeatures = null;
    if (key) {
      const c = new CloudHpcClient({ baseUrl: this.baseUrl(), apiKey: key, budget: this.budget, serviceClock: this.serviceClock, log: this.o.log, signal: this.o.signal });
      this.client = c;
      this.unsubFeatures = c.onFeaturesChange((list) => this.o.onFeaturesChanged?.(list));
    }
    this.o.onFeaturesChanged?.([]);
    this.statusCache = null;
    return this.client !== null;
  }

  get connected(): boolean {
    return this.client !== null;
  }

  requireClient(): CloudHpcClient {
    if (!this.client) throw new WorkspaceError('no-key', NO_KEY_MESSAGE);
    return this.client;
  }

  /** Where the key in use came from (null when there is none). */
  keySource(): KeySource | null {
    const keys = this.keys;
    const backend = keys?.source;
    if (!keys || !backend || !this.client) return null;
    const st = keys.storage;
    const skipped = st.skipped.map((s) => ` (${backendLabel(s.backend)} not used: ${s.reason})`).join('');
    const detail = backend === st.backend ? `${st.reason}${skipped}` : `found in ${backendLabel(backend)}, kept there from an earlier session.`;
    return { backend, label: backendLabel(backend), detail };
  }

  /** KeyStatus, cached: reading the keychain on every state snapshot would cost a D-Bus call each time. */
  async keyStatus(refresh = false): Promise<KeyStatus> {
    if (refresh || !this.statusCache) this.statusCache = await (await this.manager()).status(this.baseUrl());
    return this.statusCache;
  }

  /** Checks the key with the service (one view-cpu call), stores it, and connects with it. */
  async setKey(key: string, allowInsecureStorage?: boolean): Promise<KeyStatus> {
    const s = await (await this.manager()).setKey(this.baseUrl(), key, { allowInsecureStorage });
    await this.connect();
    return s;
  }

  async importCliKey(allowInsecureStorage?: boolean): Promise<KeyStatus> {
    const s = await (await this.manager()).importCliKey(this.baseUrl(), { allowInsecureStorage });
    await this.connect();
    return s;
  }

  async forgetKey(): Promise<KeyStatus> {
    const s = await (await this.manager()).forget(this.baseUrl());
    await this.connect();
    return s;
  }

  /** Endpoints the current key may not use (the client learns them; everything else keeps working). */
  unavailableFeatures(): UnavailableFeature[] {
    return this.client?.unavailableFeatures() ?? [];
  }

  /**
   * A failed call: offline on a network failure, key rejected when the key check itself is refused
   * (the client reports "Unauthorized." on one endpoint only as 'feature-unavailable': that feature is
   * listed and syncing goes on).
   */
  noteFailure(err: unknown): void {
    if (!isCloudHpcError(err)) return;
    if (err.kind === 'network') this.setOffline(err.userMessage);
    if (err.kind === 'unauthorized') {
      this.keys?.markRejected(this.baseUrl());
      this.statusCache = null;
      this.o.onKeyRejected(err.userMessage);
    }
  }

  /** Anything that proves the service answers (a poll, a call) clears the offline state. */
  setOffline(message: string | null): void {
    const offline = message !== null;
    if (offline === this.offline) return;
    this.offline = offline;
    this.o.onOffline(message);
  }

  async close(): Promise<void> {
    this.unsubFeatures?.();
    this.unsubFeatures = null;
    await this.client?.close();
    this.client = null;
  }

  private proxy(): CloudHpcClient {
    return new Proxy({} as CloudHpcClient, {
      get: (_t, prop) => {
        if (prop === 'budget') return this.budget;
        if (prop === 'serviceClock') return this.serviceClock;
        if (prop === 'baseUrl') return this.baseUrl();
        const c = this.requireClient();
        const v: unknown = Reflect.get(c, prop, c);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          const r: unknown = (v as (...a: unknown[]) => unknown).apply(c, args);
          if (r instanceof Promise) r.then(() => this.setOffline(null), (err: unknown) => this.noteFailure(err));
          return r;
        };
      },
    });
  }
}

// The emulator's state: keys (each with storage, call counter), simulations, clock, faults,
// signing secret, and persistence in a data folder (metadata JSON written atomically).
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EmulatorOptions, EmulatorProfile, SimulationStartEvent } from './types';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from './archive';
import { SimClock } from './clock';
import { Faults } from './faults';
import { DEFAULT_CPUS, DEFAULT_RAMS, DEFAULT_SCRIPTS } from './options';
import { CallCounter, type CounterState } from './rate-limit';
import { SimulationEngine, type Durations, type SimState } from './simulations';
import { KeyStorage, type ItemMeta } from './storage';
import { randomSecret, safeKeyId, writeFileAtomic } from './util';

export interface KeyState {
  key: string;
  keyId: string;
  userId: number;
  bucket: string;
  storage: KeyStorage;
  counter: CallCounter;
  viewUrlCalls: number;
  /** Route names this key may not use (answered 403 "Unauthorized."). */
  denied: Set<string>;
}

interface PersistedKey {
  items: [string, ItemMeta][];
  counter: CounterState;
  viewUrlCalls: number;
}

interface PersistedState {
  version: 1;
  secret: string;
  nextStorageId: number;
  nextSimulationId: number;
  clockMs: number;
  /** Explicit clock advances so far (signed-URL clock), ms. */
  advancedMs?: number;
  keys: Record<string, PersistedKey>;
  simulations: SimState[];
}

export interface ResolvedOptions {
  host: string;
  port: number;
  profile: EmulatorProfile;
  pageSize: number;
  mediaLinkDelaySeconds: number;
  urlTtlSeconds: number;
  cacheTtlSeconds: number;
  emptyMediaLinkCalls: number;
  control: boolean;
  cpus: number[];
  rams: string[];
  scripts: string[];
  durations: Durations;
  logWarnings: string[];
  serviceWritesRefreshCache: boolean;
  archiveLimits: ArchiveLimits;
}

const STATE_DIR = '.emulator';

export class Core {
  readonly keys = new Map<string, KeyState>();
  readonly byKeyId = new Map<string, KeyState>();
  readonly byBucket = new Map<string, KeyState>();
  readonly faults: Faults;
  readonly engine: SimulationEngine;
  readonly listeners = new Set<(e: SimulationStartEvent) => void>();
  origin = '';
  secret = randomSecret();
  private nextStorageId = 1;
  private saveTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private persisted: PersistedState | undefined;

  private constructor(
    readonly opts: ResolvedOptions,
    readonly clock: SimClock,
    readonly baseDir: string,
    readonly tmpDir: string,
    readonly persistent: boolean,
  ) {
    this.faults = new Faults();
    this.engine = new SimulationEngine({
      nowMs: () => this.clock.nowMs(),
      durations: opts.durations,
      logWarnings: opts.logWarnings,
      serviceWritesRefreshCache: opts.serviceWritesRefreshCache,
      archiveLimits: opts.archiveLimits,
      storage: (keyId) => {
        const k = this.byKeyId.get(keyId);
        if (!k) throw new Error('unknown key');
        return k.storage;
      },
      tmpDir,
      origin: () => this.origin,
      keyOf: (keyId) => this.byKeyId.get(keyId)?.key ?? '',
      started: (e) => {
        for (const l of this.listeners) l(e);
      },
      hasListeners: () => this.listeners.size > 0,
      changed: () => this.changed(),
    });
  }

  static async create(o: EmulatorOptions): Promise<Core> {
    const keys = [...(o.keys ?? [])];
    if (o.apiKey && !keys.some((k) => k.key === o.apiKey)) keys.unshift({ key: o.apiKey });
    if (keys.length === 0) throw new Error('cloudHPC emulator: give at least one API key (apiKey or keys)');
    const seen = new Set<string>();
    for (const k of keys) {
      if (!k.key || /[\r\n]/.test(k.key)) throw new Error('cloudHPC emulator: an API key must be a non-empty single line');
      if (seen.has(k.key)) throw new Error('cloudHPC emulator: the same API key was given twice');
      seen.add(k.key);
    }
    const d = o.durations ?? {};
    const profile: EmulatorProfile = o.profile ?? 'evidence';
    if (profile !== 'evidence' && profile !== 'classic') throw new Error(`cloudHPC emulator: unknown profile "${String(profile)}" (evidence or classic)`);
    const evidence = profile === 'evidence';
    const opts: ResolvedOptions = {
      host: o.host ?? '127.0.0.1',
      port: o.port ?? 0,
      profile,
      pageSize: Math.max(1, o.pageSize ?? (evidence ? 100 : 20)),
      mediaLinkDelaySeconds: Math.max(0, o.mediaLinkDelaySeconds ?? (evidence ? 1 : 0)),
      urlTtlSeconds: o.urlTtlSeconds ?? 900,
      cacheTtlSeconds: o.cacheTtlSeconds ?? 600,
      emptyMediaLinkCalls: o.emptyMediaLinkCalls ?? 0,
      control: o.control ?? false,
      cpus: o.cpus ?? DEFAULT_CPUS,
      rams: o.rams ?? DEFAULT_RAMS,
      scripts: o.scripts ?? DEFAULT_SCRIPTS,
      durations: { pendingSeconds: d.pendingSeconds ?? 30, runSeconds: d.runSeconds ?? 180, stoppingSeconds: d.stoppingSeconds ?? 20 },
      logWarnings: o.logWarnings ?? [],
      serviceWritesRefreshCache: o.serviceWritesRefreshCache ?? true,
      archiveLimits: { ...DEFAULT_ARCHIVE_LIMITS, ...o.archiveLimits },
    };
    const persistent = o.dataDir !== undefined;
    const baseDir = persistent ? resolve(o.dataDir as string) : await fsp.mkdtemp(join(tmpdir(), 'cloudhpc-emulator-'));
    await fsp.mkdir(join(baseDir, STATE_DIR, 'tmp'), { recursive: true });
    const tmpDir = join(baseDir, STATE_DIR, 'tmp');
    let saved: PersistedState | undefined;
    if (persistent) {
      try {
        saved = JSON.parse(await fsp.readFile(join(baseDir, STATE_DIR, 'state.json'), 'utf8')) as PersistedState;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cloudHPC emulator: cannot read ${join(baseDir, STATE_DIR, 'state.json')}: ${(e as Error).message}`);
      }
    }
    const start = o.startTime ?? (saved ? new Date(saved.clockMs) : new Date());
    const clock = new SimClock(start, o.timeScale ?? 1);
    const core = new Core(opts, clock, baseDir, tmpDir, persistent);
    core.persisted = saved;
    if (saved) {
      clock.advancedMs = saved.advancedMs ?? 0;
      core.secret = saved.secret;
      core.nextStorageId = saved.nextStorageId;
      core.engine.load(saved.simulations, saved.nextSimulationId);
    }
    core.faults.set(o.faults ?? {});
    let userId = 1;
    for (const k of keys) {
      const keyId = safeKeyId(k.key);
      const root = join(baseDir, keyId);
      await fsp.mkdir(root, { recursive: true });
      const storage = new KeyStorage(root, {
        nextId: () => core.nextStorageId++,
        nowMs: () => core.clock.nowMs(),
        urlNowMs: () => core.clock.urlNowMs(),
        cacheTtlMs: opts.cacheTtlSeconds * 1000,
        changed: () => core.changed(),
      });
      const counter = new CallCounter({ hourly: k.hourlyLimit ?? 500, daily: k.dailyLimit ?? 0 }, evidence ? 'sliding' : 'fixed');
      const pk = saved?.keys[keyId];
      if (pk) {
        for (const [p, m] of pk.items) storage.items.set(p, m);
        counter.state = pk.counter;
      }
      const ks: KeyState = { key: k.key, keyId, userId: userId++, bucket: `cloudhpc-${keyId}`, storage, counter, viewUrlCalls: pk?.viewUrlCalls ?? 0, denied: new Set(k.deniedEndpoints ?? []) };
      core.keys.set(k.key, ks);
      core.byKeyId.set(keyId, ks);
      core.byBucket.set(ks.bucket, ks);
      await storage.scan();
    }
    return core;
  }

  /** Marks state as changed; persistent runs write it soon (atomically). */
  changed(): void {
    if (!this.persistent || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.flush();
    }, 25);
    this.saveTimer.unref();
  }

  async flush(): Promise<void> {
    if (!this.persistent) return;
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    const keys: Record<string, PersistedKey> = { ...(this.persisted?.keys ?? {}) };
    for (const k of this.keys.values()) {
      keys[k.keyId] = { items: [...k.storage.items.entries()], counter: k.counter.state, viewUrlCalls: k.viewUrlCalls };
    }
    const state: PersistedState = {
      version: 1,
      secret: this.secret,
      nextStorageId: this.nextStorageId,
      nextSimulationId: this.engine.nextSimulationId,
      clockMs: this.clock.nowMs(),
      advancedMs: this.clock.advancedMs,
      keys,
      simulations: this.engine.sims,
    };
    const text = JSON.stringify(state);
    this.saving = this.saving.then(() => writeFileAtomic(join(this.baseDir, STATE_DIR, 'state.json'), text)).catch(() => undefined);
    await this.saving;
  }

  keyFor(key: string): KeyState {
    const k = this.keys.get(key);
    if (!k) throw new Error('cloudHPC emulator: unknown API key');
    return k;
  }

  /** Runs every due lifecycle transition and waits for it. */
  async tick(): Promise<void> {
    await this.engine.exclusive(() => this.engine.tick());
  }

  private inflight: Promise<void> | undefined;

  /**
   * For API calls and the background ticker: run due transitions, but when a tick is already under way
   * (e.g. a large input archive being extracted) answer from the current state instead of waiting,
   * as the real service keeps answering while a machine prepares a case.
   */
  async tickUnlessBusy(): Promise<void> {
    if (this.inflight) return;
    this.inflight = this.tick().finally(() => (this.inflight = undefined));
    await this.inflight;
  }

  async close(): Promise<void> {
    await this.engine.exclusive(async () => undefined);
    await this.flush();
    if (!this.persistent) await fsp.rm(this.baseDir, { recursive: true, force: true });
    else await fsp.rm(this.tmpDir, { recursive: true, force: true });
  }
}

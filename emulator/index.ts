// Public, programmatic face of the cloudHPC API v2 emulator (see emulator/README.md).
// Other suites (API client, sync engine, simulations, UI, benchmarks) start it with startEmulator():
// a real HTTP server on loopback, port 0 by default. Keep this surface stable; add to it, never break it.

/** One API key the emulator accepts; each key has its own storage and simulations. */
export interface EmulatorKey {
  key: string;
  /** API calls per simulated hour; default 500; 0 = no limit. */
  hourlyLimit?: number;
  /** API calls per simulated day; default 0 = no limit. */
  dailyLimit?: number;
}

export interface FaultConfig {
  /** Milliseconds added to every API call. */
  latencyMs?: number;
  /** 0..1 share of API calls answered HTTP 500 {"errors":["..."]} (seeded RNG). */
  error500Rate?: number;
  /** 0..1 share of API calls PROCESSED, then the socket destroyed before the reply. */
  dropReplyRate?: number;
  /** e.g. ['POST /simulation/add']: the next matching call is processed, then its reply dropped (once per entry). */
  dropReplyFor?: string[];
  /** 0..1 share of signed-URL PUT/GET whose connection is destroyed mid-body. */
  dropTransferRate?: number;
  /** Where to cut a dropped transfer (default: half the body, at most 4 MiB). */
  dropTransferAfterBytes?: number;
  /** The next N signed URLs issued are already expired. */
  expireNextUrls?: number;
  /** Throttle signed-URL transfers to this many bytes per second. */
  transferBytesPerSec?: number;
  /** Seed of the fault RNG (default 1). */
  seed?: number;
}

export interface EmulatorOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  keys?: EmulatorKey[];
  /** Shorthand for keys: [{ key: apiKey }]. */
  apiKey?: string;
  /** Simulated seconds per real second, default 1; 0 = frozen, only clock.advance() moves it. */
  timeScale?: number;
  /** Persist state here (each key's storage a plain tree <dataDir>/<safe key id>/...); default: a temp dir removed on stop. */
  dataDir?: string;
  /** Items per listing page, default 20. */
  pageSize?: number;
  /** Signed URL lifetime in seconds, default 900: wall-clock time plus explicit clock.advance() (time scale ignored). */
  urlTtlSeconds?: number;
  /** Listing cache lifetime in simulated seconds; default 600. */
  cacheTtlSeconds?: number;
  /**
   * Files the service itself writes (inputs extracted at start, results) refresh that key's listing
   * cache at once; default true (the provider's own client lists results without delete-cache).
   * false: they wait for delete-cache or the cache lifetime, like uploads.
   */
  serviceWritesRefreshCache?: boolean;
  /** view-url answers an empty mediaLink for the first N calls (per key); default 0. */
  emptyMediaLinkCalls?: number;
  /** Serve the test-only control surface under /__emulator/; default false. */
  control?: boolean;
  cpus?: number[];
  rams?: string[];
  scripts?: string[];
  /** Simulated durations of the lifecycle phases (defaults: 30 s pending, 180 s running, 20 s stopping). */
  durations?: { pendingSeconds?: number; runSeconds?: number; stoppingSeconds?: number };
  /** Extra '@@@ ...' lines written into logs while running. */
  logWarnings?: string[];
  faults?: FaultConfig;
  /** Simulated clock start; default: now. */
  startTime?: Date;
}

import type { SimulationStatusCode } from './status';
export { SimulationStatus, type SimulationStatusCode } from './status';

/** A simulation as the emulator holds it; the API replies are projections of this (see README). */
export interface SimulationRecord {
  id: number;
  user_id: number;
  cpu: number;
  ram: string;
  nopre: number;
  folder: string;
  mesh: string;
  script: string;
  clean: number;
  /** "YYYY-MM-DD HH:MM:SS" (simulated clock). */
  idate: string;
  /** "" until the run ends. */
  edate: string;
  /** "" until the run ends, then a number. */
  cpu_hrs: number | '';
  /** EUR; "" until the run ends, then a number. */
  cost: number | '';
  status: SimulationStatusCode;
  /** Short log (last lines). */
  logs: string;
  images: string[];
  /** Set while RUNNING, "" otherwise. */
  vnc_url: string;
  /** Set while RUNNING, "" otherwise. */
  ip_address: string;
  /** Full output log text. */
  output: string;
}

export interface FileDigest {
  size: number;
  sha256: string;
}

export interface CallCounts {
  hourly: number;
  daily: number;
  total: number;
  /** e.g. { 'GET /simulation/view-short': 3 } (ids replaced by their route pattern). */
  byEndpoint: Record<string, number>;
}

export interface SimulationStartEvent {
  key: string;
  simulation: SimulationRecord;
  /** Snapshot of the case folder AFTER input extraction, relative paths. */
  files: Record<string, FileDigest>;
}

export interface Emulator {
  /** http://127.0.0.1:<port>/api/v2 */
  url: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  clock: {
    now(): Date;
    /** Moves simulated time forward and runs every lifecycle transition that falls due. */
    advance(seconds: number): Promise<void>;
  };
  /** Replace the fault configuration at run time. */
  setFaults(f: FaultConfig): void;
  calls(key: string): CallCounts;
  /** Plain directory tree of that key's storage. */
  storageDir(key: string): string;
  seedFile(key: string, path: string, data: string | Buffer): Promise<void>;
  /** Files under a storage folder ('' = whole storage), keyed by path relative to that folder. */
  files(key: string, folder: string): Promise<Record<string, FileDigest>>;
  simulations(key: string): SimulationRecord[];
  onSimulationStart(cb: (e: SimulationStartEvent) => void): () => void;
  stop(): Promise<void>;
}

export { startEmulator } from './server';

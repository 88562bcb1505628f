// The emulator's public types (see README.md). Kept apart from index.ts so the emulator's own modules
// import types from here and nothing imports the entry point (which pulls in the server): no import circles.
import type { SimulationStatusCode } from './status';

/** One API key the emulator accepts; each key has its own storage and simulations. */
export interface EmulatorKey {
  key: string;
  /** API calls per simulated hour; default 500; 0 = no limit. */
  hourlyLimit?: number;
  /** API calls per simulated day; default 0 = no limit. */
  dailyLimit?: number;
  /**
   * Endpoints this key may not use, by route name (e.g. 'GET /storage/view-url/{id}'): they answer
   * 403 "Unauthorized." (the provider's MCP client reads that text as "invalid key or not enabled for
   * this endpoint"). The call is counted.
   */
  deniedEndpoints?: string[];
}

/**
 * How the emulator answers where the real service's behaviour is only known from evidence:
 * - 'evidence' (default): what the provider's clients, their recorded replies and the matching PHP
 *   framework show: every error is HTTP 403 with the service's text, the rate limit included (no
 *   Retry-After, sliding 60-minute and 24-hour windows); 100 rows per page and page 1 again past the
 *   last page; `nopre: ""` accepted (stored as NULL, replied as ""); `mediaLink: ""` for the first
 *   second of a new file.
 * - 'classic': the emulator's first reading: 400/404/405/413/429/500 by cause, 429 with Retry-After
 *   over fixed clock hours and days, 20 rows per page and an empty page past the last one.
 */
export type EmulatorProfile = 'evidence' | 'classic';

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
  /**
   * Fields replaced in the replies about one simulation (by id), e.g. { "10002": { "status": "" } }:
   * models NULL columns sent as "" and damaged rows. The stored record is untouched.
   */
  simulationPatches?: Record<string, Record<string, unknown>>;
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
  /** Behaviour profile, default 'evidence' (see EmulatorProfile). */
  profile?: EmulatorProfile;
  /** Items per listing page; default 100 ('evidence') or 20 ('classic'). */
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
  /**
   * view-url answers an empty mediaLink while a file is younger than this many seconds, on both the
   * simulated clock and the signed-URL clock (wall time plus explicit advances); default 1 ('evidence')
   * or 0 ('classic').
   */
  mediaLinkDelaySeconds?: number;
  /** Serve the test-only control surface under /__emulator/; default false. */
  control?: boolean;
  cpus?: number[];
  rams?: string[];
  scripts?: string[];
  /** What the input archives of one run may expand to (default: 200× their size past 64 MiB, 8 GiB in all; see archive.ts). */
  archiveLimits?: Partial<{ maxRatio: number; maxTotalBytes: number; ratioFloorBytes: number }>;
  /** Simulated durations of the lifecycle phases (defaults: 30 s pending, 180 s running, 20 s stopping). */
  durations?: { pendingSeconds?: number; runSeconds?: number; stoppingSeconds?: number };
  /** Extra '@@@ ...' lines written into logs while running. */
  logWarnings?: string[];
  faults?: FaultConfig;
  /** Simulated clock start; default: now. */
  startTime?: Date;
}

/** A simulation as the emulator holds it; the API replies are projections of this (see README). */
export interface SimulationRecord {
  id: number;
  user_id: number;
  cpu: number;
  ram: string;
  /** 1 REGULAR, 0 SPOT; "" when the client sent "" (NULL in the service's database). */
  nopre: number | '';
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
  /** The behaviour profile it runs with. */
  profile: EmulatorProfile;
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

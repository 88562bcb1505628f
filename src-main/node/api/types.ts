// The API client's public surface: what the sync engine, simulations and UI may rely on.
// The implementation (client.ts, budget.ts, transfer.ts, errors.ts) lives beside this file.
// Everything here is plain Node: no electron import.

/** Simulation status codes of cloudHPC (reference: "Simulation status codes"). */
export const SimStatus = {
  COMPLETED: 10,
  PENDING: 20,
  RUNNING: 30,
  STOPPING: 40,
  STOPPED: 50,
  ERROR: 60,
} as const;
export type SimStatusCode = (typeof SimStatus)[keyof typeof SimStatus];
export const ACTIVE_STATUSES: readonly number[] = [SimStatus.PENDING, SimStatus.RUNNING, SimStatus.STOPPING];
export const TERMINAL_STATUSES: readonly number[] = [SimStatus.COMPLETED, SimStatus.STOPPED, SimStatus.ERROR];

/** A simulation as the client returns it: normalised ("" becomes null, numeric strings become numbers). */
export interface Simulation {
  id: number;
  cpu: number;
  ram: string;
  /** 1 = REGULAR instance, 0 = SPOT. */
  nopre: number;
  folder: string;
  mesh: string;
  script: string;
  status: number;
  /** "YYYY-MM-DD HH:MM:SS" as the service sends it; null when empty. */
  idate: string | null;
  edate: string | null;
  cpuHours: number | null;
  /** EUR, when the run has ended. */
  cost: number | null;
  vncUrl: string | null;
  ipAddress: string | null;
  /** The output log (view/{id} only); null from the short forms. */
  output: string | null;
  logs: string | null;
}

/** One storage item (file or folder). `name` is the full path inside the storage. */
export interface StorageItem {
  id: number;
  name: string;
  basename: string;
  dirname: string;
  type: 'dir' | 'file';
  size: number | null;
  timeCreated: string | null;
}

export interface NewSimulation {
  cpu: number;
  ram: string;
  script: string;
  /** A top-level folder of the user's storage. */
  folder: string;
  mesh?: string;
  /** true = REGULAR (nopre 1), false = SPOT (nopre 0). */
  regular?: boolean;
}

export type StopSignal = 'SIGTSTP' | 'SIGINT';

/**
 * Who is asking for an API call. `user` calls (stop, launch, key check: what the user asked for
 * right now) may use the reserve; `background` calls (polling, pulls, pushes) wait when the
 * budget is low, they do not fail.
 */
export type Priority = 'user' | 'background';

export interface CallOptions {
  priority?: Priority;
  signal?: AbortSignal;
  /**
   * Called once for every request the service answered on this call's behalf (retries and repeated
   * asks included, as the service counts them), so a result can say what it really cost.
   */
  onCall?: () => void;
  /** The listing calls the whole operation may still make (see listing-allowance.ts); none: no cap. */
  listing?: ListingBudget;
}

/** The listing calls of one operation (ListingAllowance): `spend` before each page throws once they are used up. */
export interface ListingBudget {
  spend(endpoint: string, what: string): void;
}

export interface BudgetState {
  /** False until a reply carried x-ratelimit-* headers (another server may send none). */
  known: boolean;
  hourlyLimit: number; // 0 = no limit
  hourlyUsed: number;
  dailyLimit: number; // 0 = no limit
  dailyUsed: number;
  /** Calls kept back for user actions. */
  reserve: number;
  /** Calls left this hour (Infinity when unlimited or unknown). */
  hourlyLeft: number;
  /** Background callers currently waiting for budget. */
  waiting: number;
  /** When background work may go again, if it is paused (epoch ms). */
  pausedUntil: number | null;
  /** One line for the UI: "412 of 500 API calls left this hour". */
  summary: string;
}

export interface TransferProgress {
  bytes: number;
  total: number | null;
  /** Bytes per second over the last few seconds. */
  rate: number;
}

export interface TransferOptions {
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
  priority?: Priority;
}

/** Why a transfer (kind 'transfer') failed: the storage refused the link, the connection dropped or stalled, a 5xx, the body was longer than listed, it missed its deadline. */
export type TransferFailure = 'refused' | 'dropped' | 'stalled' | 'server' | 'too-large' | 'too-slow' | 'fatal';

/**
 * `unauthorized`: the key itself is refused (view-cpu answered "Unauthorized."). `feature-unavailable`:
 * the key works but may not use one endpoint ("Unauthorized." there only).
 */
export type ErrorKind = 'unauthorized' | 'feature-unavailable' | 'not-found-or-forbidden' | 'rate-limited' | 'network' | 'server' | 'bad-reply' | 'transfer' | 'cancelled';

/** An endpoint the key may not use, as the service said it. */
export interface UnavailableFeature {
  /** In words: "downloads", "the list of simulations"… */
  feature: string;
  /** "GET /storage/view-url/{id}" style. */
  endpoint: string;
  /** The service's text (plain). */
  serviceText: string;
  /** When it was first refused (epoch ms). */
  since: number;
}

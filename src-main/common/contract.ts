// The one contract between the UI and the core. Two transports implement it: Electron IPC
// (src-main/electron-main + src-preload) and the headless HTTP/WebSocket server
// (src-main/node/headless). The renderer imports this file as TYPES ONLY (`import type`).
//
// Rules every transport keeps:
// - Every request takes ONE plain-JSON params object and answers a Reply (never throws across
//   the boundary): { ok: true, value } or { ok: false, error: { code, message } }. The message is
//   written for a person (what happened, what to do) and never carries the API key, a signed
//   URL's query string or a stack.
// - Events are plain JSON payloads pushed from the core to every connected UI.
// - The API key never travels core → UI: the UI learns only KeyStatus.
// - Params are validated by the core (src-main/node/app/validate.ts), not by the transport.
//
// Electron: the preload exposes `window.cloudhpc` of type CloudHpcBridge (an intent function per
// request, `onX(cb)` per event returning an unsubscribe, and getPathForFile from webUtils).
// Suggested IPC channels: `cloudhpc:req:<name>` (invoke/handle) and `cloudhpc:evt:<name>` (send).
// REQUEST_NAMES / EVENT_NAMES below let the preload and the server build those tables at run time.

import type { InsightWarningView, RunInsightView } from './insight';

// ---------------------------------------------------------------------------------------------
// Errors and replies

export type ErrorCode =
  | 'invalid-params' // the request itself is malformed (a bug or a hostile caller)
  | 'not-found' // project, simulation, conflict or plan id unknown
  | 'no-key' // no API key stored yet: show onboarding
  | 'key-rejected' // the service refused the key (view-cpu answered Unauthorized)
  | 'key-storage' // the key could not be stored/read (keychain locked, no backend)
  | 'insecure-storage' // only an unencrypted backend is available: ask the user, then retry with allowInsecureStorage
  | 'offline' // the service cannot be reached
  | 'rate-limited' // the API call budget is used up for now
  | 'preflight-failed' // launch refused: see error.preflight
  | 'needs-confirmation' // repeat with confirmed: true after asking the user (hard stop, mass delete)
  | 'not-allowed' // the action makes no sense now (stop a finished run, open a path outside a project)
  | 'busy' // the same action is already in flight (a second click does nothing)
  | 'invalid-input' // user input is wrong (bad folder name, missing folder): message says what to do
  | 'internal'; // anything else; message is still readable

export interface ContractError {
  code: ErrorCode;
  /** For a person: what happened and what to do. */
  message: string;
  /** A corrected value to offer (e.g. a valid storage folder name). */
  suggestion?: string;
  /** Set when code is 'preflight-failed'. */
  preflight?: PreflightReport;
}

export type Reply<T> = { ok: true; value: T } | { ok: false; error: ContractError };

// ---------------------------------------------------------------------------------------------
// Shared value types

/** Same names as src-main/node/keystore/types.ts KeyBackend, plus 'none' (no key stored). */
export type KeyBackend = 'keychain' | 'safeStorage' | 'basic_text' | 'memory' | 'env' | 'none';

export interface KeyStatus {
  /** A key is stored (or given through CLOUDHPC_API_KEY). */
  set: boolean;
  backend: KeyBackend;
  /** e.g. "OS keychain (Secret Service)", "encrypted with Electron safeStorage", "CLOUDHPC_API_KEY". */
  backendLabel: string;
  /** The last check against the service: null = never checked in this session. */
  valid: boolean | null;
  /** A warning about the backend (unencrypted file, keychain unavailable, ...). */
  warning: string | null;
  /** ~/.cfscloudhpc/apikey exists and can be imported. */
  cliKeyAvailable: boolean;
  /** The service base URL the key belongs to. */
  baseUrl: string;
}

export type ProjectStateName = 'idle' | 'scanning' | 'pushing' | 'pulling' | 'paused' | 'error' | 'offline';

export interface TransferProgressView {
  direction: 'push' | 'pull';
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Bytes per second. */
  rate: number;
  /** Seconds left, null when unknown. */
  etaSeconds: number | null;
  /** What is being transferred now (a relative path or "upload.tar.gz"). */
  current: string | null;
}

export interface ActionCost {
  /** e.g. "push 3 changed files", "push snapshot archive", "pull results". */
  action: string;
  /** API calls the action will cost. */
  calls: number;
  /** e.g. "3 files one by one (3 calls + 1 cache refresh)". */
  explanation: string;
}

/** Why the cloud file could not take the local file's place (the pull's typed reason). */
export type ConflictCode = 'local-differs' | 'changed-both' | 'folder-in-the-way' | 'link-in-the-way';

export interface ConflictView {
  id: string;
  /** Relative path of the local file. */
  path: string;
  /** Relative path of the cloud copy written beside it, e.g. "a.cloudhpc-20261126-101500.txt". */
  cloudCopyPath: string;
  code: ConflictCode;
  /** The reason in words, for a person. */
  reason: string;
  detectedAt: string; // ISO 8601
}

export interface ActivityEntry {
  at: string; // ISO 8601
  kind: 'pushed' | 'pulled' | 'conflict' | 'deleted' | 'error' | 'info' | 'launched' | 'dropped';
  message: string;
  /** Relative paths concerned (may be truncated to a few). */
  paths?: string[];
}

/** A file or folder of the case that cannot be synced, and why (issue 16: never "up to date" while one is left out). */
export interface LeftOutView {
  /** Relative path; bytes that are not valid UTF-8 shown as \xNN. */
  path: string;
  code: 'name-not-utf8' | 'symlink' | 'special-file';
  /** Why, and what to do, for a person. */
  reason: string;
}

// ---------------------------------------------------------------------------------------------
// Attentions and their fixes (issue 11): every problem shown to the person carries what resolves it,
// typed; the UI turns each fix into a button and never parses a sentence. An attention is computed
// from the current state, so it disappears by itself once it no longer holds.

/** A fix the UI turns into a button. The core performs it (`applyFix`) unless it only opens a place in the UI. */
export type FixAction =
  /** Push again now (a failure that is also retried by itself). */
  | { kind: 'retry-now' }
  /** UI: the mass-delete review dialog (then `resolveDeletes`). */
  | { kind: 'review-deletes' }
  /** UI: the project's conflicts. */
  | { kind: 'resolve-conflicts' }
  /** Append these lines to the case's .cloudhpcignore (lines already there are not added twice). */
  | { kind: 'add-to-ignore'; lines: string[] }
  /** Rename a file or folder of the case (relative paths; never over an existing one). */
  | { kind: 'rename'; path: string; to: string }
  /** UI (launch dialog): choose this vCPU count, one the service offers. */
  | { kind: 'set-cpu'; cpu: number }
  /** Resume the paused project. */
  | { kind: 'resume' }
  /** UI: enter a new API key. */
  | { kind: 'enter-key' };

export type FixKind = FixAction['kind'];
/** The fixes `applyFix` performs; the others only open a place in the UI. */
export const CORE_FIXES = ['retry-now', 'add-to-ignore', 'rename', 'resume'] as const satisfies readonly FixKind[];

export type AttentionCode =
  | 'mass-delete' // the deletion guard holds deletions until the person decides
  | 'conflicts' // pulls left cloud versions beside local files
  | 'push-failed' | 'pull-failed' | 'scan-failed'
  | 'offline' // the service cannot be reached (transfers resume by themselves)
  | 'files-to-retry' // some files could not be pushed (retried by themselves)
  | 'paused'
  | 'watch-fallback' // the folder watcher could not cover the tree: periodic rescans
  | 'left-out'; // files or folders that cannot be synced (a name not valid UTF-8, a link, a special file)

export interface AttentionView {
  code: AttentionCode;
  /** 'error' in red (it needs the person), 'warning' (it resolves by itself or can wait), 'info'. */
  severity: 'error' | 'warning' | 'info';
  /** What holds, for a person (the fix is a button, not a sentence to follow). */
  message: string;
  /** The first is the main one. */
  fixes: FixAction[];
  /** ISO 8601, when known. */
  since: string | null;
}

/** The deletions the mass-delete guard holds: the review dialog lists them and offers both answers. */
export interface MassDeleteView {
  count: number;
  /** The rule's limit: over the count, over the share of the case (from 10 deletions), over half of the case. */
  limit: number;
  rule: 'count' | 'share' | 'half';
  /** The paths (at most MASS_DELETE_LISTED), sorted. */
  paths: string[];
  /** Paths not listed. */
  more: number;
  /** API calls of "Delete from the cloud" (2 per file in storage) and of "Restore locally". */
  deleteCalls: number;
  restoreCalls: number;
}

export const MASS_DELETE_LISTED = 500;

/** What the launch dialog knows about the case before anything is chosen (no API call). */
export interface LaunchContextView {
  /** The solver family the case's files show ("OpenFOAM", "FDS", …); null when none is recognised. */
  family: string | null;
  /** The file that shows it ("system/controlDict", "room_fire.fds"). */
  evidence: string | null;
  /** The preselection: the family's newest offered script (the project's last one when still offered), a vCPU count that fits the case. */
  suggested: { script: string | null; cpu: number | null; ram: string | null };
  /** Runs pending, running or stopping on the project's storage folder (a second one would share it). */
  activeRuns: { id: number; statusName: SimulationStatusName; script: string }[];
  /** EUR per vCPU hour by RAM class, learnt from the account's finished runs (cost / CPU hours). */
  pricePerCpuHour: Record<string, number>;
  /** The project's newest finished run with a cost (the "last comparable run"). */
  lastRun: { id: number; script: string; cpu: number; ram: string; cost: number; elapsedSeconds: number | null } | null;
}

// ---------------------------------------------------------------------------------------------

export interface ProjectView {
  id: string;
  name: string;
  /** Absolute local folder. */
  dir: string;
  storageFolder: string;
  state: ProjectStateName;
  /** One line for the list, e.g. "Up to date", "Pushing 3 of 12 files". */
  stateText: string;
  paused: boolean;
  progress: TransferProgressView | null;
  /** Local changes not yet pushed. */
  pendingFiles: number;
  nextAction: ActionCost | null;
  lastError: { message: string; at: string } | null;
  conflicts: ConflictView[];
  /** Newest first, bounded (e.g. 50). */
  activity: ActivityEntry[];
  lastPushAt: string | null;
  lastPullAt: string | null;
  /** 'watching' normally; 'rescan' when the watcher cannot cover the tree (periodic rescans). */
  watchMode: 'watching' | 'rescan' | 'stopped';
  /** What the last scan left out of the push (at most 100 listed; the count in leftOutCount). */
  leftOut: LeftOutView[];
  leftOutCount: number;
  /** What needs the person (or is worth knowing), each with its fixes; empty when all is well. */
  attentions: AttentionView[];
  /** Set while the mass-delete guard holds deletions. */
  massDelete: MassDeleteView | null;
  /** The last push or pull that went through (ISO 8601): "synced 2 min ago". */
  syncedAt: string | null;
}

/** Simulation status codes of cloudHPC ('UNKNOWN': a code this version does not know). */
export type SimulationStatusName = 'COMPLETED' | 'PENDING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'ERROR' | 'UNKNOWN';

export interface DiagnosisView {
  severity: 'error' | 'warning' | 'info';
  code: string;
  /** 1-based line in the output log, when known. */
  line: number | null;
  /** The matching log text. */
  text: string;
  cause: string;
  fix: string;
}

export interface SimulationView {
  id: number;
  /** The project whose storage folder this simulation runs on; null when none matches. */
  projectId: string | null;
  folder: string;
  mesh: string;
  script: string;
  cpu: number;
  ram: string;
  /** true = REGULAR instance, false = SPOT. */
  regular: boolean;
  status: number;
  statusName: SimulationStatusName;
  active: boolean;
  /** ISO 8601 (converted from the service's "YYYY-MM-DD HH:MM:SS"), null when unknown. */
  startedAt: string | null;
  endedAt: string | null;
  /** Seconds since start (until end for finished runs), computed by the core. */
  elapsedSeconds: number | null;
  cpuHours: number | null;
  /** EUR, when the run has ended. */
  cost: number | null;
  /** COMPLETED but the log shows a solver failure. */
  completedWithErrors: boolean;
  /** Short diagnosis headline when known. */
  diagnosisSummary: string | null;
  vncUrl: string | null;
  sshCommand: string | null;
  /** Which controls make sense now. */
  can: { softStop: boolean; hardStop: boolean; sync: boolean };
  /** A control request currently in flight. */
  pending: 'soft-stop' | 'hard-stop' | 'sync' | null;
  /** True while the UI watches it (faster polling, log follow). */
  watched: boolean;
  /** Run insight: percent and ETA on the solver's clock while it is known (see RunProgressBriefView). */
  progress: RunProgressBriefView | null;
}

export interface BudgetView {
  /** False until a reply carried the rate-limit headers. */
  known: boolean;
  hourlyLimit: number; // 0 = no limit
  hourlyUsed: number;
  /** null = unlimited or unknown. */
  hourlyLeft: number | null;
  dailyLimit: number;
  dailyUsed: number;
  /** Background work waits until then (ISO 8601). */
  pausedUntil: string | null;
  /** True when background work is being held back. */
  low: boolean;
  /** "412 of 500 API calls left this hour". */
  summary: string;
}

export interface OfflineView {
  offline: boolean;
  since: string | null;
  message: string | null;
}

export type TrayIconState = 'idle' | 'syncing' | 'attention' | 'running';

export interface TraySummary {
  icon: TrayIconState;
  /** One line: tooltip in Electron, summary bar in the browser. */
  line: string;
  /** Running simulations for the tray menu (soft/hard stop items); percent from run insight, when known. */
  running: { id: number; label: string; percent: number | null }[];
  allPaused: boolean;
}

/** A feature the API key may not use: the service answered "Unauthorized." there while the key works. */
export interface UnavailableFeatureView {
  /** In words: "downloads", "the list of simulations"… */
  feature: string;
  /** The service's own text. */
  message: string;
  /** ISO 8601. */
  since: string;
}

export interface AppState {
  /** Monotonic; a UI ignores a snapshot older than the one it has. */
  seq: number;
  transport: 'electron' | 'headless';
  key: KeyStatus;
  projects: ProjectView[];
  /** Newest first. */
  simulations: SimulationView[];
  budget: BudgetView;
  offline: OfflineView;
  tray: TraySummary;
  /** The simulation the UI watches, if any. */
  watchedSimulation: number | null;
  /** Features the key may not use (everything else goes on). */
  unavailableFeatures: UnavailableFeatureView[];
  /** `npm run demo` only: the embedded emulator's key, shown and pre-filled in onboarding (never a real key). */
  demoKey: string | null;
}

export interface Settings {
  baseUrl: string;
  /** 0.05..0.9: share of the hourly API budget simulation polling may use (default 1/3). */
  pollingShare: number;
  /** Pull everything new in the storage folder instead of result files only (default for new projects). */
  pullAll: boolean;
  /** Extract result archives in place (default true). */
  extractArchives: boolean;
  notifications: {
    simulationEnded: boolean;
    resultsPulled: boolean;
    conflict: boolean;
    keyRejected: boolean;
    /** Run insight: a run may be diverging, has stopped advancing, or its solver crashed. */
    simulationWarning: boolean;
  };
  /** Electron only. */
  startAtLogin: boolean;
  /** Electron only: closing the window hides it to the tray. */
  closeToTray: boolean;
}

export interface LaunchOptionsView {
  cpus: number[];
  rams: { value: string; description: string }[];
  scripts: { value: string; family: string }[];
  /** What REGULAR vs SPOT means. */
  instanceHelp: { regular: string; spot: string };
  fetchedAt: string;
  /** True when served from the day-long cache (0 API calls). */
  cached: boolean;
  /** The lists are the last known ones because the service could not be asked now (see `problem`). */
  stale: boolean;
  /** Why the lists could not be asked now (offline, budget), for a person; null when they are fresh. */
  problem: string | null;
}

export interface LaunchRequest {
  cpu: number;
  ram: string;
  script: string;
  /** Another storage folder whose polyMesh/triSurface are copied in (OpenFOAM); '' = none. */
  mesh: string;
  /** REGULAR (true) or SPOT (false). */
  regular: boolean;
}

export interface PreflightFinding {
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  fix: string;
  /** Relative path concerned. */
  path?: string;
  /** The one-click fix, when there is one (rename, add to .cloudhpcignore, choose an offered vCPU count). */
  action?: FixAction;
}

export interface PreflightReport {
  solverFamily: string;
  findings: PreflightFinding[];
  /** Any error: launch is refused. */
  blocking: boolean;
  /** Warnings only: launch needs acceptWarnings. */
  needsConfirmation: boolean;
}

/**
 * A drop source. Electron: `path` (from webUtils.getPathForFile in the preload; the core re-checks it).
 * Browser (headless): `staged` (files uploaded first to the server, see headless/README.md;
 * `name` is the top-level file or folder name as dropped).
 */
export type DropSource = { kind: 'path'; path: string } | { kind: 'staged'; stagingId: string; name: string };

export interface DropPlanItem {
  /** Relative path inside the case, as dropped. */
  path: string;
  /** Copied under this path instead: the dropped name holds characters cloudHPC refuses (spaces, parentheses…). */
  renamedTo?: string;
  size: number;
  action: 'add' | 'replace' | 'same';
}

export interface DropPlan {
  planId: string;
  /** Target project; null when the drop creates a new project (a folder dropped outside any project). */
  projectId: string | null;
  /** Set when the drop creates a project. */
  newProject: { dir: string; storageFolder: string } | null;
  items: DropPlanItem[];
  totalBytes: number;
  /** Items with action 'replace': the UI asks before replacing. */
  replaceCount: number;
  warnings: string[];
  /** Valid until (ISO 8601); confirmDrop after that fails with not-found. */
  expiresAt: string;
}

export interface DropResult {
  projectId: string;
  copied: number;
  replaced: number;
  skipped: number;
}

export type OpenTarget =
  | { kind: 'project-folder'; projectId: string }
  | { kind: 'project-file'; projectId: string; path: string }
  | { kind: 'conflict'; projectId: string; conflictId: string; side: 'local' | 'cloud' }
  | { kind: 'external-url'; url: string };

export interface OpenResult {
  /** True when the core opened it (Electron). Headless: false, with the path to open by hand. */
  opened: boolean;
  /** The absolute path (or URL) concerned. */
  target: string;
  message: string | null;
}

export interface LogChunk {
  id: number;
  /** Offset (characters) this chunk starts at. */
  fromOffset: number;
  text: string;
  /** Pass as fromOffset next time. */
  nextOffset: number;
  /** The simulation has ended and the log is final. */
  complete: boolean;
  /** Findings over the whole log so far. */
  diagnosis: DiagnosisView[];
  completedWithErrors: boolean;
}

export type NotificationKind = 'simulation-ended' | 'simulation-warning' | 'results-pulled' | 'conflict' | 'key-rejected' | 'error' | 'info';

export interface NotificationPayload {
  kind: NotificationKind;
  title: string;
  body: string;
  projectId?: string;
  simulationId?: number;
  /** 'simulation-warning': what was seen and the options (soft stop, SYNC, open the log). */
  warning?: InsightWarningView;
  at: string;
}

// ---------------------------------------------------------------------------------------------
// Run insight (issue 12): progress with ETA, cost so far and at the end, convergence charts and early
// warnings of a run, built by the core from the log reads it already makes (no API call of its own).
// The views are in ./insight.ts (RunInsightView); the requests and events below carry them:
// - getRunInsight { id } → RunInsightView (no API call: what was read so far);
// - event runInsight: the RunInsightView of the watched run after each read of its log;
// - SimulationView.progress and TraySummary.running[].percent: percent and ETA of every followed run;
// - notification kind 'simulation-warning' with the warning (setting notifications.simulationWarning).

/** Percent and ETA of a run on its solver's clock, for lists and the tray. */
export interface RunProgressBriefView {
  percent: number | null;
  /** Remaining wall-clock seconds, null until the log showed the solver clock moving. */
  etaSeconds: number | null;
  etaUncertaintySeconds: number | null;
}

// ---------------------------------------------------------------------------------------------
// Requests: name → { params, result }

type Empty = Record<string, never>;

export interface Requests {
  getState: { params: Empty; result: AppState };
  /** Whether a key is set and where; never the key. */
  keyStatus: { params: Empty; result: KeyStatus };
  /** Checked against the service (view-cpu) BEFORE it is stored; a wrong key is not stored. */
  setApiKey: { params: { key: string; allowInsecureStorage?: boolean }; result: KeyStatus };
  /** Reads ~/.cfscloudhpc/apikey (first line), checks it, stores it. */
  importCliKey: { params: { allowInsecureStorage?: boolean }; result: KeyStatus };
  forgetApiKey: { params: Empty; result: KeyStatus };

  addProject: { params: { dir: string; storageFolder?: string }; result: ProjectView };
  /** Stops syncing it; never deletes local or cloud files. */
  removeProject: { params: { projectId: string }; result: null };
  pauseProject: { params: { projectId: string }; result: ProjectView };
  resumeProject: { params: { projectId: string }; result: ProjectView };
  pauseAll: { params: Empty; result: null };
  resumeAll: { params: Empty; result: null };
  pushNow: { params: { projectId: string; confirmed?: boolean }; result: ProjectView };
  pullNow: { params: { projectId: string }; result: ProjectView };
  resolveConflict: { params: { projectId: string; conflictId: string; keep: 'local' | 'cloud' }; result: ProjectView };
  /** The core decides what may be opened (paths inside projects, allow-listed URLs). */
  openPath: { params: { target: OpenTarget }; result: OpenResult };

  /** Phase 1 of a drop: what would be copied where; nothing is written yet. */
  dropFiles: { params: { projectId: string | null; sources: DropSource[] }; result: DropPlan };
  /** Phase 2: copy (replacing only what the user accepted), then push at once. */
  confirmDrop: { params: { planId: string; replace: 'all' | 'none' | string[] }; result: DropResult };
  cancelDrop: { params: { planId: string }; result: null };

  launchOptions: { params: { refresh?: boolean }; result: LaunchOptionsView };
  preflight: { params: { projectId: string; options: LaunchRequest }; result: PreflightReport };
  /** Waits for the push to complete, then one simulation/add. Errors: preflight-failed (with report). */
  /** `force`: launch although a run is active on the project's storage folder (else refused with not-allowed). */
  launchSimulation: {
    params: { projectId: string; options: LaunchRequest; acceptWarnings: boolean; force?: boolean };
    result: { simulation: SimulationView; report: PreflightReport };
  };
  /** Hard stop without confirmed: true answers needs-confirmation. */
  stopSimulation: { params: { id: number; mode: 'soft' | 'hard'; confirmed: boolean }; result: SimulationView };
  syncSimulation: { params: { id: number }; result: SimulationView };
  /** The tracker polls faster while one is watched; null = none. */
  watchSimulation: { params: { id: number | null }; result: null };
  /** Output log from fromOffset (fetched within the budget; may answer cached text). */
  getLog: { params: { id: number; fromOffset: number }; result: LogChunk };
  /** Run insight of a known simulation: what its log read so far shows (no API call). */
  getRunInsight: { params: { id: number }; result: RunInsightView };

  // Issue 11: resolving attentions where they are shown, and a launch dialog that knows the case.
  /** The mass-delete guard's two answers: delete the listed files from the cloud, or restore them locally from it. */
  resolveDeletes: { params: { projectId: string; decision: 'delete' | 'restore' }; result: ProjectView };
  /** Performs a fix the core owns (CORE_FIXES); the others are refused with not-allowed. */
  applyFix: { params: { projectId: string; fix: FixAction }; result: ProjectView };
  launchContext: { params: { projectId: string }; result: LaunchContextView };

  getSettings: { params: Empty; result: Settings };
  setSettings: { params: { settings: Partial<Settings> }; result: Settings };
  /** Hidden windows slow polling down. */
  windowVisibility: { params: { visible: boolean }; result: null };
}

// ---------------------------------------------------------------------------------------------
// Events: name → payload

export interface Events {
  /** Full snapshot; sent on connect and on any change (coalesced). */
  state: AppState;
  projectState: ProjectView;
  /**
   * previousStatus: null when the simulation is seen for the first time; its former status on a
   * status change; equal to `simulation.status` when something else changed (a control in flight, its outcome).
   */
  simulationChanged: { simulation: SimulationView; previousStatus: number | null };
  transferProgress: { projectId: string; progress: TransferProgressView };
  logAppended: LogChunk;
  /** Run insight of the watched simulation, after each read of its log. */
  runInsight: RunInsightView;
  notification: NotificationPayload;
  keyRejected: { message: string };
}

// ---------------------------------------------------------------------------------------------
// The whole cloud storage (issue 15): browse it (listings cached with their age and what they cost),
// download files and folders to a chosen place, delete in it, open a case from it as a project, and
// get the results of runs started elsewhere. Two-phase like drops: a plan (what, where, cost: nothing
// transferred yet), then the transfer, whose progress and outcome come as `storageTransfer` events.

export interface StorageItemView {
  /** Full storage path, e.g. "caseA/system/controlDict". */
  path: string;
  name: string;
  type: 'dir' | 'file';
  /** Bytes; a folder: the total below it once every level below is listed, else null. */
  size: number | null;
  /** ISO 8601 when the service gives it. */
  createdAt: string | null;
  /** The project syncing this item's top-level folder, if any. */
  projectId: string | null;
}

export interface StorageListingView {
  /** '' for the storage root. */
  path: string;
  items: StorageItemView[];
  /** Names the service listed that do not fit under this folder: left out. */
  refused: number;
  /** When the listing was made (ISO 8601): it is kept until refreshed. */
  listedAt: string;
  /** Served from the cache: this request made no call. */
  cached: boolean;
  /** API calls this request made. */
  calls: number;
  /** Total size of the files at this level. */
  filesSize: number;
  /** API calls browsing made: this session, and in the last hour. */
  browsing: { session: number; lastHour: number };
}

export type StorageTransferKind = 'download' | 'results' | 'open';

export interface StorageTransferPlanView {
  planId: string;
  kind: StorageTransferKind;
  /** The storage paths (the folder opened, the sources, the run's folder). */
  sources: string[];
  /** The local folder (absolute). */
  dest: string;
  files: number;
  bytes: number;
  /** API calls the transfer will cost (one per file; opening: plus replacing other input archives). */
  calls: number;
  /** API calls spent listing to make this plan (already spent). */
  listingCalls: number;
  /** What the person should know before starting (input archives, merge, names refused). */
  notes: string[];
  /** Opening: the local folder holds files and they are all kept. */
  merge: boolean;
  /** Valid until (ISO 8601). */
  expiresAt: string;
}

export interface StorageTransferResultView {
  dest: string;
  downloaded: number;
  written: number;
  bytes: number;
  upToDate: number;
  conflicts: { path: string; copy: string; reason: string }[];
  refused: { name: string; reason: string }[];
  failed: { name: string; message: string }[];
  warnings: string[];
  apiCalls: number;
  /** Opening: the new project. */
  projectId: string | null;
}

export interface StorageTransferView {
  /** The plan's id. */
  id: string;
  kind: StorageTransferKind;
  /** e.g. "caseA → /home/me/cases/caseA". */
  title: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  progress: TransferProgressView | null;
  result: StorageTransferResultView | null;
  error: ContractError | null;
}

export interface StorageDeletePlanView {
  planId: string;
  path: string;
  type: 'dir' | 'file';
  /** Files that go (a folder: every file below it). */
  files: number;
  bytes: number;
  /** The first paths that go. */
  sample: string[];
  calls: number;
  listingCalls: number;
  /** In a project's storage folder: its files that go, those pushed again, its mass-delete guard. */
  project: { projectId: string; name: string; files: number; pushedAgain: number; massDelete: { count: number; limit: number } | null } | null;
  expiresAt: string;
}

export interface StorageDeleteResultView {
  path: string;
  files: number;
  apiCalls: number;
  alreadyGone: boolean;
  projectId: string | null;
  pushedAgain: number;
}

export interface Requests {
  /** A storage folder ('' = root): cached, or listed now; `refresh` asks the service afresh (+1 call). */
  listStorage: { params: { path: string; refresh?: boolean }; result: StorageListingView };
  planStorageDownload: { params: { paths: string[]; dest: string; extract: boolean }; result: StorageTransferPlanView };
  /** The result files of a run's storage folder (e.g. a run started elsewhere), into `dest`. */
  planRunResults: { params: { id: number; dest: string; extract: boolean }; result: StorageTransferPlanView };
  /** A top-level storage folder into a new or empty local folder (or one whose files are kept: merge). */
  planOpenFromCloud: { params: { folder: string; dir: string; merge: boolean }; result: StorageTransferPlanView };
  /** Starts a planned transfer; its progress and outcome come as storageTransfer events. */
  startStorageTransfer: { params: { planId: string }; result: StorageTransferView };
  cancelStorageTransfer: { params: { id: string }; result: null };
  planStorageDelete: { params: { path: string }; result: StorageDeletePlanView };
  /** needs-confirmation when it trips a project's mass-delete guard without confirmMassDelete. */
  confirmStorageDelete: { params: { planId: string; confirmMassDelete?: boolean }; result: StorageDeleteResultView };
  /** One look at the account's simulations now (1 call): runs started elsewhere appear. */
  refreshSimulations: { params: Empty; result: null };
}

export interface Events {
  storageTransfer: StorageTransferView;
}

const STORAGE_REQUEST_NAMES = [
  'listStorage', 'planStorageDownload', 'planRunResults', 'planOpenFromCloud', 'startStorageTransfer', 'cancelStorageTransfer',
  'planStorageDelete', 'confirmStorageDelete', 'refreshSimulations',
] as const;
const STORAGE_EVENT_NAMES = ['storageTransfer'] as const;

export type RequestName = keyof Requests;
export type EventName = keyof Events;
export type ParamsOf<K extends RequestName> = Requests[K]['params'];
export type ResultOf<K extends RequestName> = Requests[K]['result'];

/** What a core implements (AppCore). Handlers throw AppError; the transport turns it into a Reply. */
export type CoreHandlers = { [K in RequestName]: (params: ParamsOf<K>) => Promise<ResultOf<K>> };

/** What the renderer uses, whichever transport is underneath. */
export interface Transport {
  kind: 'electron' | 'headless';
  request<K extends RequestName>(name: K, params: ParamsOf<K>): Promise<Reply<ResultOf<K>>>;
  on<E extends EventName>(name: E, cb: (payload: Events[E]) => void): () => void;
}

/** `window.cloudhpc` in Electron (exposed by the preload through contextBridge). */
export type CloudHpcBridge = { [K in RequestName]: (params: ParamsOf<K>) => Promise<Reply<ResultOf<K>>> } & {
  [E in EventName as `on${Capitalize<E>}`]: (cb: (payload: Events[E]) => void) => () => void;
} & {
  /** webUtils.getPathForFile: the absolute path of a dropped File ('' when it has none). */
  getPathForFile(file: File): string;
};

/** Run-time name lists (for the preload and the server); checked against the maps below. */
export const REQUEST_NAMES = [
  'getState', 'keyStatus', 'setApiKey', 'importCliKey', 'forgetApiKey',
  'addProject', 'removeProject', 'pauseProject', 'resumeProject', 'pauseAll', 'resumeAll',
  'pushNow', 'pullNow', 'resolveConflict', 'openPath',
  'dropFiles', 'confirmDrop', 'cancelDrop',
  'launchOptions', 'preflight', 'launchSimulation', 'stopSimulation', 'syncSimulation', 'watchSimulation', 'getLog',
  'getRunInsight',
  'getSettings', 'setSettings', 'windowVisibility',
  'resolveDeletes', 'applyFix', 'launchContext',
  ...STORAGE_REQUEST_NAMES,
] as const satisfies readonly RequestName[];

export const EVENT_NAMES = [
  'state', 'projectState', 'simulationChanged', 'transferProgress', 'logAppended', 'notification', 'keyRejected',
  'runInsight',
  ...STORAGE_EVENT_NAMES,
] as const satisfies readonly EventName[];

// Compile-time check that the lists cover the maps exactly.
type Missing<All, Listed> = Exclude<All, Listed>;
const _allRequestsListed: Missing<RequestName, (typeof REQUEST_NAMES)[number]> extends never ? true : never = true;
const _allEventsListed: Missing<EventName, (typeof EVENT_NAMES)[number]> extends never ? true : never = true;
void _allRequestsListed;
void _allEventsListed;

export function isRequestName(name: string): name is RequestName {
  return (REQUEST_NAMES as readonly string[]).includes(name);
}

export function isEventName(name: string): name is EventName {
  return (EVENT_NAMES as readonly string[]).includes(name);
}

/** `onProjectState` for 'projectState'. */
export function eventListenerName<E extends EventName>(name: E): `on${Capitalize<E>}` {
  return `on${name.charAt(0).toUpperCase()}${name.slice(1)}` as `on${Capitalize<E>}`;
}

export const STATUS_NAMES: Record<number, SimulationStatusName> = {
  10: 'COMPLETED', 20: 'PENDING', 30: 'RUNNING', 40: 'STOPPING', 50: 'STOPPED', 60: 'ERROR',
};

/** The name of a simulation status code (the UI and the command line show the same). */
export function statusName(code: number): SimulationStatusName {
  return STATUS_NAMES[code] ?? 'UNKNOWN';
}

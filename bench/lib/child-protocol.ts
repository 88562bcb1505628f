// Messages between the benchmark runner and the engine child (bench/engine-child.ts).

export type ChildCommand =
  | { cmd: 'init'; url: string; apiKey: string; home?: string; script?: string }
  | { cmd: 'upload-file'; path: string; dirname: string; filename: string }
  | { cmd: 'upload-each'; root: string; files: string[]; storageFolder: string; concurrency: number }
  | { cmd: 'add-project'; dir: string; storageFolder: string; settings?: Record<string, unknown> }
  | { cmd: 'sync-now'; projectId: string }
  | { cmd: 'ensure-pushed'; projectId: string; timeoutMs: number }
  | { cmd: 'watch-until-idle'; projectId: string; timeoutMs: number }
  | { cmd: 'edit'; path: string; content: string; timeoutMs: number }
  | { cmd: 'note-sim-running'; projectId: string }
  | { cmd: 'pull'; projectId: string }
  | { cmd: 'close' };

export interface ChildReply {
  ok: boolean;
  error?: string;
  ready?: boolean;
  ms?: number;
  readyMs?: number;
  bytes?: number;
  failed?: number;
  projectId?: string;
  strategy?: string | null;
  plannedCalls?: number;
  uploaded?: number;
  detail?: string;
  kind?: string;
  watch?: string;
  /** Large files the push sent beside its archive. */
  beside?: number;
  /** Watcher backend in use (from the engine's log). */
  backend?: string;
}

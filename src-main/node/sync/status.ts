// The per-project state the UI and the CLI show, and the events the engine emits.
import type { ActivityEntry } from './index-store';
import type { LeftOut } from './left-out';
import type { MassDeleteRule, PushCost } from './planner';
import type { TransferProgress } from './progress';

export type SyncState = 'idle' | 'scanning' | 'pushing' | 'pulling' | 'paused' | 'error' | 'offline' | 'attention';

export interface SyncProblem {
  /** What happened, in words. */
  message: string;
  /** What the user can do about it. */
  action: string;
  at: number;
  /** What was going on (a later success of the same work, or any answer for 'network', clears it). */
  during?: 'scan' | 'push' | 'pull';
  /** The client's error kind ('network', 'server', 'rate-limited', …) when it came from the service; 'partial': some files failed, the rest went through. */
  kind?: string;
}

export interface ProjectStatus {
  projectId: string;
  localDir: string;
  storageFolder: string;
  state: SyncState;
  /** One line: "Pushing 3 files", "Waiting for 2 files to settle", ... */
  detail: string;
  /** Transfer progress while pushing or pulling. */
  progress: TransferProgress | null;
  /** What the next push would cost (known after a scan). */
  nextPush: PushCost | null;
  /** Files changing right now (waiting for the quiet period). */
  pendingFiles: number;
  /** 'watching' (chokidar), 'polling' (the watcher failed: periodic rescans only), 'off'. */
  watch: 'watching' | 'polling' | 'off';
  /** Set while state is 'attention': the mass-delete guard is waiting for a confirmation (or a restore). */
  attention: { kind: 'mass-delete'; count: number; limit: number; rule: MassDeleteRule; paths: string[]; message: string } | null;
  lastError: SyncProblem | null;
  /** Notices that are not errors (e.g. the watcher fell back to polling). */
  notice: string | null;
  /** What the last scan left out of the push (names not valid UTF-8, links, special files): at most 100, the count in leftOutCount. */
  leftOut: LeftOut[];
  leftOutCount: number;
  lastPushAt: number | null;
  lastPullAt: number | null;
  paused: boolean;
}

export interface SyncEvents {
  state: ProjectStatus;
  activity: ActivityEntry & { projectId: string };
}

export type Unsubscribe = () => void;

/** A tiny typed event hub: on() returns its own unsubscribe. */
export class Emitter<E extends object> {
  private readonly handlers = new Map<keyof E, Set<(v: never) => void>>();

  on<K extends keyof E>(event: K, cb: (v: E[K]) => void): Unsubscribe {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    const h = cb as (v: never) => void;
    set.add(h);
    return () => { set.delete(h); };
  }

  emit<K extends keyof E>(event: K, value: E[K]): void {
    for (const h of [...(this.handlers.get(event) ?? [])]) {
      try {
        (h as (v: E[K]) => void)(value);
      } catch {
        // a listener's failure never stops the engine
      }
    }
  }
}

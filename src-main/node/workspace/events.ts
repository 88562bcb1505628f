// What the workspace tells its front ends (AppCore → the UI's contract events; the CLI → lines or
// JSON). Typed payloads only: nobody reads a sentence to learn what happened.
import type { InsightWarningView } from '../../common/insight';
import type { Simulation, UnavailableFeature } from '../api/types';
import type { ControlAction } from '../simulation/control';
import type { Diagnosis, Outcome } from '../simulation/diagnosis';
import type { Finished } from '../simulation/tracker';
import type { ActivityEntry } from '../sync/index-store';
import type { PullResult } from '../sync/pull';
import type { ProjectStatus } from '../sync/status';
import type { PullReason } from './results-schedule';

/** A simulation as the workspace knows it: the service's record, its project, how it ended. */
export interface RunInfo {
  simulation: Simulation;
  /** The project whose storage folder it runs on; null when none matches. */
  projectId: string | null;
  /** Once it ended (and its log was read, when the budget allowed). */
  outcome: Outcome | null;
  /** The log diagnosis's main finding, when there is one. */
  cause: Diagnosis | null;
  /** A stop or SYNC request in flight. */
  pending: ControlAction | null;
  /** When this process first saw it RUNNING (epoch ms, local clock); null when it has not. */
  seenRunningAt: number | null;
}

export interface WorkspaceEvents {
  /** A project's sync state changed. */
  projectState: ProjectStatus;
  /** A line was added to a project's activity history (for display). */
  activity: ActivityEntry & { projectId: string };
  /**
   * A run was seen for the first time (`from` null: launched here, discovered, or found at start),
   * changed status (`from` its previous status), or changed otherwise (`from` equal to its status:
   * a control request started or ended, its outcome became known).
   */
  run: { run: RunInfo; from: number | null };
  /** Once per run: it ended. `finished.diagnosed` is false when the log could not be read yet. */
  runEnded: { run: RunInfo; finished: Finished };
  /** The diagnosis of a run whose runEnded came without one. */
  runDiagnosed: { run: RunInfo; finished: Finished };
  /** A run's insight changed: a log read was fed to it, or its status changed (`runs.insight(id)` gives the view). */
  runInsight: { id: number; projectId: string | null; status: number };
  /** Once per warning and run: what the log shows (may be diverging, stopped advancing, crashed). */
  runWarning: { run: RunInfo; warning: InsightWarningView };
  /** A pull finished (whatever asked for it). */
  resultsPulled: { projectId: string; reason: PullReason; result: PullResult };
  /** Background work failed (a poll, a scheduled pull, a push); it goes on by itself. */
  problem: { what: string; error: unknown };
  /** Tracking polled the service (it answers). */
  polled: { runs: number };
  /** The service became unreachable (message) or answers again (null). */
  offline: { message: string | null };
  /** The service refused the stored API key. */
  keyRejected: { message: string };
  /** The endpoints this key may not use changed (the key itself still works). */
  featuresChanged: { features: UnavailableFeature[] };
}

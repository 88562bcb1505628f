// The application layer (see README.md): what AppCore and the CLI import.
export { APP_SERVICE_NAME, type KeySource } from './api-access';
export type { OpenResult } from './cloud-storage';
export type { Keep } from './conflicts';
export { NO_KEY_MESSAGE, WorkspaceError, type WorkspaceErrorCode } from './errors';
export type { RunInfo, WorkspaceEvents } from './events';
export { DEFAULT_SYNC_PULL_DELAYS_MS, type PullReason } from './results-schedule';
export type { LaunchHooks, RunChoice, RunTuning, RunWaited } from './runs';
export type { RunProgressBrief } from './run-insights';
export { SettingsPatchSchema, SettingsSchema } from './settings';
export { Workspace, type WorkspaceOptions } from './workspace';

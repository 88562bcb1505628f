// The pull side of the sync engine (cloud → local). See README.md.
export { pullProject, planProjectPull, DEFAULT_PULL_SETTINGS } from './pull';
export type { PullClient, PullSettings, PullOptions, PullProgress, PullLog } from './pull';
export { broughtNew, pullComplete } from './result';
export type { ConflictCode, PullConflict, PullResult, RefusalCode, Refused } from './result';
export { pullText } from './messages';
export { planPull, isDefaultResult, isResultArchive, isSkipped, familyOfScript } from './selection';
export type { PullPlan, Strategy, SolverFamily } from './selection';
// What a restore of deleted inputs reuses (sync/restore.ts): placing and extracting exactly as a pull does.
export { extractArchive } from './extract';
export { placeFile, type PlaceOutcome } from './place';
export { PendingRecords } from './records';

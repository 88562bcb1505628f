// The pull side of the sync engine (cloud → local). See README.md.
export { pullProject, planProjectPull, DEFAULT_PULL_SETTINGS } from './pull';
export type { PullClient, PullSettings, PullOptions, PullProgress, PullLog } from './pull';
export { broughtNew, pullComplete } from './result';
export type { ConflictCode, PullConflict, PullFailure, PullFailureCode, PullResult, RefusalCode, Refused } from './result';
export { pullText } from './messages';
export { extractArchive, type ExtractResult } from './extract';
export { planPull, isDefaultResult, isResultArchive, isSkipped, familyOfScript } from './selection';
export type { PullPlan, Strategy, SolverFamily } from './selection';
// What a restore of deleted inputs (sync/restore.ts) and storage downloads reuse: placing exactly as a pull does.
export { placeFile, type PlaceOutcome } from './place';
export { PendingRecords } from './records';

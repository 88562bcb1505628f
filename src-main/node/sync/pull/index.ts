// The pull side of the sync engine (cloud → local). See README.md.
export { pullProject, planProjectPull, DEFAULT_PULL_SETTINGS } from './pull';
export type { PullClient, PullSettings, PullOptions, PullResult, PullConflict, PullProgress, PullLog } from './pull';
export { PullScheduler, realClock, broughtNew } from './scheduler';
export type { PullReason, SchedulerClock, TimerHandle, PullSchedulerOptions } from './scheduler';
export { planPull, isDefaultResult, isResultArchive, isSkipped, familyOfScript } from './selection';
export type { PullPlan, Strategy, SolverFamily } from './selection';
export { checkRemoteName } from './names';
export type { Refusal } from './extract';

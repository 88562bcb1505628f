// Types for bin/launch.js (plain JavaScript: it runs before anything is built).
export interface LaunchFacts {
  bundleMtimeMs: number | null;
  newestSourceMtimeMs: number | null;
  tsxAvailable: boolean;
}
export type LaunchPlan = { kind: 'bundle'; warning: string | null } | { kind: 'tsx' } | { kind: 'none'; message: string };
export function chooseLaunch(f: LaunchFacts): LaunchPlan;
export function newestSourceMtime(projectRoot: string, dirs: string[]): number | null;
export function launch(cmd: { bundle: string; sources: string[]; source: string; start: (mod: unknown) => void; name: string }): Promise<void>;
/** Under npm run, stops the process (as on SIGTERM) once its parent is gone: no orphan after npm's shell ends. */
export function stopWithParent(env?: NodeJS.ProcessEnv): void;

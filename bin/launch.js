// How bin/cloudhpc-sync.js and `npm run emulator` run a command: the bundle built by
// `npm run build` (scripts/build-cli.mjs) with plain node, no TypeScript loader. In a source checkout a
// bundle older than the sources would run yesterday's code (a developer who edits src-main/ and runs
// `npx vitest` without building), so there the sources run through tsx, a devDependency, instead.
// Plain JavaScript: it must run before anything is built.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @typedef {{ bundleMtimeMs: number | null, newestSourceMtimeMs: number | null, tsxAvailable: boolean }} LaunchFacts
 * bundleMtimeMs: null when the bundle is missing; newestSourceMtimeMs: null when there are no sources
 * (an installed package).
 * @typedef {{ kind: 'bundle', warning: string | null } | { kind: 'tsx' } | { kind: 'none', message: string }} LaunchPlan
 */

/** @param {LaunchFacts} f @returns {LaunchPlan} */
export function chooseLaunch(f) {
  const fresh = f.bundleMtimeMs !== null && (f.newestSourceMtimeMs === null || f.bundleMtimeMs >= f.newestSourceMtimeMs);
  if (fresh) return { kind: 'bundle', warning: null };
  if (f.newestSourceMtimeMs !== null && f.tsxAvailable) return { kind: 'tsx' };
  if (f.bundleMtimeMs !== null) return { kind: 'bundle', warning: 'the sources changed since the last build, and tsx is not installed to run them: running the last build (`npm run build` updates it)' };
  return { kind: 'none', message: f.newestSourceMtimeMs === null ? 'this installation has no built command line: reinstall cloudHPC Sync' : 'the command line is not built and tsx is not installed: run `npm install` then `npm run build`' };
}

/** Newest modification time of the .ts files under `dirs` and of the lock file; null when none exist. */
export function newestSourceMtime(projectRoot, dirs) {
  let newest = null;
  const consider = (file) => {
    const m = statSync(file).mtimeMs;
    if (newest === null || m > newest) newest = m;
  };
  for (const d of dirs) {
    const dir = join(projectRoot, d);
    if (!existsSync(dir)) continue;
    for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (e.isFile() && e.name.endsWith('.ts')) consider(join(e.parentPath ?? e.path, e.name));
    }
  }
  if (newest !== null && existsSync(join(projectRoot, 'package-lock.json'))) consider(join(projectRoot, 'package-lock.json'));
  return newest;
}

function tsxAvailable() {
  try {
    createRequire(import.meta.url).resolve('tsx/package.json');
    return true;
  } catch {
    return false;
  }
}

/**
 * Under `npm run`, a command runs as npm → sh → node, and a SIGTERM sent to npm reaches sh only: sh
 * ends and node would go on as an orphan (an emulator or a demo nobody can stop). So a command that
 * npm started stops as on SIGTERM once its parent is gone (POSIX: it was re-parented; Windows: the
 * parent's id no longer runs). Checked twice a second; the timer never keeps the process alive. Not
 * outside npm: `cloudhpc-sync serve &` under nohup must outlive its shell.
 * @param {NodeJS.ProcessEnv} [env]
 */
export function stopWithParent(env = process.env) {
  if (!env.npm_lifecycle_event) return;
  const parent = process.ppid;
  const timer = setInterval(() => {
    let gone = process.ppid !== parent;
    if (!gone) {
      try {
        process.kill(parent, 0);
      } catch (e) {
        gone = /** @type {NodeJS.ErrnoException} */ (e).code === 'ESRCH';
      }
    }
    if (gone) {
      clearInterval(timer);
      process.kill(process.pid, 'SIGTERM');
    }
  }, 500);
  timer.unref();
}

/**
 * Runs one command: `bundle` (relative to the project root) or, per chooseLaunch, `source` through tsx
 * (`start` receives the imported source module).
 * @param {{ bundle: string, sources: string[], source: string, start: (mod: any) => void, name: string }} cmd
 */
export async function launch(cmd) {
  stopWithParent();
  const bundle = join(root, cmd.bundle);
  const plan = chooseLaunch({
    bundleMtimeMs: existsSync(bundle) ? statSync(bundle).mtimeMs : null,
    newestSourceMtimeMs: newestSourceMtime(root, cmd.sources),
    tsxAvailable: tsxAvailable(),
  });
  if (plan.kind === 'none') {
    process.stderr.write(`${cmd.name}: ${plan.message}\n`);
    process.exit(1);
  }
  if (plan.kind === 'bundle') {
    if (plan.warning) process.stderr.write(`${cmd.name}: ${plan.warning}\n`);
    createRequire(import.meta.url)(bundle);
    return;
  }
  const { register } = await import('tsx/esm/api');
  register();
  cmd.start(await import(pathToFileURL(join(root, cmd.source)).href));
}

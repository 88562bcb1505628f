// chokidar 5 on the case folder. chokidar has no globs: ignore rules are applied through the
// function form of `ignored`. Events only mark the tree dirty (the engine rescans after the quiet
// period): the scan is the truth, the watcher just makes it prompt. When the watcher fails (inotify
// limits: ENOSPC, EMFILE) it is closed and `onFail` tells the engine to rely on periodic rescans.
import { type FSWatcher, watch } from 'chokidar';
import { relative } from 'node:path';
import type { IgnoreRules } from './ignore-rules';
import { toPosix } from './paths';

export interface WatchHandle {
  close(): Promise<void>;
  /** Resolves once the initial tree walk is done (events after this are real changes). */
  ready: Promise<void>;
}

export interface WatchOptions {
  root: string;
  rules: () => IgnoreRules;
  onChange: (rel: string) => void;
  onFail: (message: string) => void;
}

function limitMessage(code: string | undefined): string {
  if (code === 'ENOSPC') {
    return 'The system limit of watched folders is reached (inotify), so changes are found by periodic rescans instead of instantly. To watch again, raise it: sudo sysctl fs.inotify.max_user_watches=524288';
  }
  if (code === 'EMFILE') return 'Too many open files to watch this folder, so changes are found by periodic rescans instead. Raise the open-file limit (ulimit -n) to watch again.';
  return 'Watching the folder failed, so changes are found by periodic rescans instead.';
}

export function watchTree(opts: WatchOptions): WatchHandle {
  let failed = false;
  const w: FSWatcher = watch(opts.root, {
    ignoreInitial: true,
    followSymlinks: false,
    persistent: true,
    ignored: (abs: string, stats?: { isDirectory(): boolean }) => {
      const rel = toPosix(relative(opts.root, abs));
      if (rel === '' || rel.startsWith('..')) return false;
      const rules = opts.rules();
      if (rules.ignores(rel, false)) return true;
      return stats ? stats.isDirectory() && rules.ignores(rel, true) : false;
    },
  });
  const ready = new Promise<void>((resolve) => {
    w.once('ready', () => resolve());
    w.once('error', () => resolve());
  });
  w.on('all', (_event: string, abs: string) => {
    const rel = toPosix(relative(opts.root, abs));
    opts.onChange(rel);
  });
  w.on('error', (err: unknown) => {
    if (failed) return;
    failed = true;
    const code = (err as { code?: string }).code;
    void w.close();
    opts.onFail(limitMessage(code));
  });
  return { ready, close: () => w.close() };
}

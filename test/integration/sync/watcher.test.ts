// The watcher backends on real folders (one watch per folder: @parcel/watcher, chokidar on folders
// only), the fallback from one to the other, and the fallback to periodic rescans when the system's
// watch limit is reached (a backend stub that fails with ENOSPC, as inotify does).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IndexStore } from '../../../src-main/node/sync/index-store';
import { ProjectEngine } from '../../../src-main/node/sync/engine';
import { IgnoreRules } from '../../../src-main/node/sync/ignore-rules';
import type { ProjectStatus } from '../../../src-main/node/sync/status';
import { type WatchHandle, type Watcher, chokidarWatcher, nativeWatcher, watchTree } from '../../../src-main/node/sync/watcher';
import { type Env, KEY, startEnv, withTimeout } from './harness';

let dir: string;
const handles: WatchHandle[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'watch-'));
  mkdirSync(join(dir, 'processor0', '0.1'), { recursive: true });
  writeFileSync(join(dir, 'processor0', '0.1', 'U'), 'u0');
  mkdirSync(join(dir, '.git'));
});
afterEach(async () => {
  for (const h of handles.splice(0)) await h.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts watching; `next(pred)` resolves with the first changed path matching pred. */
function watch(backends?: readonly Watcher[]) {
  const seen: string[] = [];
  const waiters: Array<{ pred: (p: string) => boolean; resolve: (p: string) => void }> = [];
  const failures: string[] = [];
  const infos: string[] = [];
  const h = watchTree({
    root: dir,
    rules: () => IgnoreRules.load(dir),
    onChange: (rel) => {
      seen.push(rel);
      for (const w of [...waiters]) if (w.pred(rel)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(rel); }
    },
    onFail: (m) => failures.push(m),
    onInfo: (m) => infos.push(m),
  }, backends);
  handles.push(h);
  const next = (pred: (p: string) => boolean, what: string): Promise<string> => {
    const hit = seen.find(pred);
    if (hit) return Promise.resolve(hit);
    return withTimeout(new Promise<string>((resolve) => waiters.push({ pred, resolve })), 10_000, what);
  };
  return { h, seen, failures, infos, next };
}

const stub = (name: 'native' | 'chokidar', start: Watcher['start']): Watcher => ({ name, start });
const enospc = (): Error => Object.assign(new Error('inotify_add_watch on /case/processor9 failed: No space left on device'), { code: undefined });

describe.each([
  ['native (@parcel/watcher)', [nativeWatcher], 'native'],
  ['chokidar, folders only', [chokidarWatcher], 'chokidar'],
] as const)('%s', (_label, backends, name) => {
  it('reports edits, new files and new folders by path, and not ignored ones', async () => {
    const w = watch(backends);
    expect(await w.h.ready).toBe(name);
    writeFileSync(join(dir, '.git', 'index'), 'ignored');
    writeFileSync(join(dir, 'processor0', '0.1', 'U'), 'u1');
    await w.next((p) => p === 'processor0/0.1/U', 'the edit of an existing file');
    mkdirSync(join(dir, 'processor1', '0.2'), { recursive: true });
    await w.next((p) => p.startsWith('processor1'), 'the new folder');
    // A file in a folder created after the start is reported too (its folder is watched in turn).
    let n = 0;
    const writes = setInterval(() => writeFileSync(join(dir, 'processor1', '0.2', 'p'), `p${n++}`), 100);
    try {
      await w.next((p) => p === 'processor1/0.2/p', 'the file in the new folder');
    } finally {
      clearInterval(writes);
    }
    expect(w.seen.filter((p) => p.startsWith('.git'))).toEqual([]);
    expect(w.failures).toEqual([]);
  });
});

describe('watcher fallbacks', () => {
  it('falls back to chokidar when the native module cannot load', async () => {
    const broken = stub('native', () => Promise.reject(new Error("Cannot find module '@parcel/watcher-linux-x64-glibc'")));
    const w = watch([broken, chokidarWatcher]);
    expect(await w.h.ready).toBe('chokidar');
    expect(w.infos.join('\n')).toMatch(/native watcher cannot watch here.*Cannot find module/);
    writeFileSync(join(dir, 'processor0', '0.1', 'U'), 'u2');
    await w.next((p) => p === 'processor0/0.1/U', 'an edit through the fallback');
  });

  it('the watch limit (ENOSPC) at start stops watching with what to do, without trying further backends', async () => {
    let tried = false;
    const w = watch([stub('native', () => Promise.reject(enospc())), stub('chokidar', () => { tried = true; return Promise.reject(new Error('not reached')); })]);
    expect(await w.h.ready).toBe('failed');
    expect(tried).toBe(false);
    expect(w.failures).toHaveLength(1);
    expect(w.failures[0]).toMatch(/periodic rescans.*fs\.inotify\.max_user_watches/);
  });

  it('the watch limit hit later (a new folder) closes the watcher and says so once', async () => {
    let report: ((e: unknown) => void) | null = null;
    let closed = 0;
    const w = watch([stub('native', (_root, _onPath, onError) => {
      report = onError;
      return Promise.resolve({ close: async () => { closed++; } });
    })]);
    expect(await w.h.ready).toBe('native');
    const r = report as unknown as (e: unknown) => void;
    r(Object.assign(new Error('watch failed'), { code: 'ENOSPC' }));
    r(Object.assign(new Error('watch failed'), { code: 'ENOSPC' }));
    expect(w.failures).toHaveLength(1);
    expect(closed).toBe(1);
  });
});

describe('engine without a watcher (inotify limit reached)', () => {
  let env: Env;
  beforeEach(async () => { env = await startEnv(); });
  afterEach(async () => { await env.close(); });

  it('turns to polling with a clear notice, and still pushes changes by periodic rescans', async () => {
    const caseDir = env.caseDir('limited');
    writeFileSync(join(caseDir, 'a.txt'), 'a');
    const project = env.registry.add(caseDir, { settings: { quietPeriodMs: 0, rescanIntervalMs: 1000 } });
    const index = IndexStore.open(env.registry.indexPath(project.id));
    const engine = new ProjectEngine({ project, index, cloud: env.client, stateDir: env.registry.projectDir(project.id), watchers: [stub('native', () => Promise.reject(enospc()))] });
    try {
      const polling = new Promise<ProjectStatus>((resolve) => {
        const off = engine.events.on('state', (s) => { if (s.watch === 'polling') { off(); resolve(s); } });
      });
      await engine.startWatching();
      const s = await withTimeout(polling, 10_000, 'the polling state');
      expect(s.notice).toMatch(/max_user_watches/);
      const uploads = (): number => env.emu.calls(KEY).byEndpoint['POST /storage/upload-url'] ?? 0;
      const pushedFirst = new Promise<void>((resolve) => {
        const off = engine.events.on('state', (st) => { if (st.state === 'idle' && uploads() >= 1) { off(); resolve(); } });
      });
      await withTimeout(pushedFirst, 15_000, 'the first push');
      const before = uploads();
      writeFileSync(join(caseDir, 'b.txt'), 'b');
      const pushedAgain = new Promise<void>((resolve) => {
        const off = engine.events.on('state', (st) => { if (st.state === 'idle' && uploads() > before) { off(); resolve(); } });
      });
      await withTimeout(pushedAgain, 15_000, 'the push found by a rescan');
      expect((await env.emu.files(KEY, 'limited'))['upload.tar.gz']).toBeDefined();
    } finally {
      await engine.close();
      index.close();
    }
  });
});

// The watcher options side by side (not part of `npm run bench`; run by hand):
//   npx tsx bench/compare-watchers.ts [files=100000]
// Generates a tree of small files in processor/time folders of 100 files each (bench/lib/fixtures),
// then, each in its own process (so RSS and CPU are its own): time until the watcher is live, RSS
// once live, CPU over 10 s of idle, and whether an edit of an existing file deep in the tree is
// reported. Options: @parcel/watcher (native), chokidar on folders only (files `ignored`, children
// learnt from their folder's raw events), chokidar on every file (what the engine used before).
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTree } from './lib/fixtures';

type Mode = 'parcel' | 'chokidar-folders' | 'chokidar-files';

const rss = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
const cpu = (): number => {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(f[11]) + Number(f[12])) / 100;
};

async function measure(mode: Mode, root: string): Promise<Record<string, unknown>> {
  let onEvent: (p: string) => void = () => undefined;
  let close: () => Promise<void>;
  const t0 = performance.now();
  if (mode === 'parcel') {
    const parcel = (await import('@parcel/watcher')).default;
    const sub = await parcel.subscribe(root, (_err, events) => { for (const e of events) onEvent(e.path); });
    close = () => sub.unsubscribe();
  } else {
    const { watch } = await import('chokidar');
    const folders = mode === 'chokidar-folders';
    const w = watch(root, { ignoreInitial: true, followSymlinks: false, ignored: folders ? (_p: string, st?: { isDirectory(): boolean }) => !!st && !st.isDirectory() : undefined });
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
    w.on('all', (_e: string, p: string) => onEvent(p));
    if (folders) w.on('raw', (_e: string, name: string, d: unknown) => onEvent(`${(d as { watchedPath?: string }).watchedPath}/${name}`));
    close = () => w.close();
  }
  const readyMs = Math.round(performance.now() - t0);
  const liveRss = rss();
  const c0 = cpu();
  await new Promise((r) => setTimeout(r, 10_000));
  const idleCpu10s = cpu() - c0;
  const target = join(root, 'processor5', '0', 'f7');
  const seen = new Promise<boolean>((resolve) => {
    onEvent = (p) => { if (p.endsWith('processor5/0/f7')) resolve(true); };
    setTimeout(() => resolve(false), 5000);
  });
  writeFileSync(target, `edited ${Date.now()}`);
  const editSeen = await seen;
  await close();
  return { mode, readyMs, rssMiB: Math.round(liveRss / 1048576), idleCpu10s: Number(idleCpu10s.toFixed(2)), editSeen };
}

async function main(): Promise<void> {
  const [role, mode, root] = process.argv.slice(2);
  if (role === '--child') {
    process.send?.(await measure(mode as Mode, root as string));
    return;
  }
  const files = Number(role ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'watchers-'));
  try {
    const tree = await makeTree(join(dir, 'tree'), files);
    console.log(`tree: ${tree.files} files in ${Math.ceil(tree.files / 100)} folders`);
    for (const m of ['parcel', 'chokidar-folders', 'chokidar-files'] as const) {
      const child = fork(fileURLToPath(import.meta.url), ['--child', m, join(dir, 'tree')], { execArgv: ['--import', 'tsx'] });
      console.log(JSON.stringify(await new Promise((resolve) => child.once('message', resolve))));
      await new Promise((resolve) => child.once('exit', resolve));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();

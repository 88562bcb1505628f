// 4b. Restart on a tree of many small files and 5. idle cost while watching it.
// The tree is pushed once first (preparation, timed for information). Then each run starts a new
// engine process on the same index and watches: time to the first idle, API calls, files re-hashed
// (index records rewritten) and bytes read. The last process then stays idle, watching, for the
// idle window: its RSS is sampled every second and its CPU time (utime+stime) is read at both ends.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineChild } from '../lib/child-host';
import { API_KEY, type Ctx, type Row, benchEmulator, met, totalCalls } from '../lib/context';
import { makeTree } from '../lib/fixtures';
import { fmtBytes, fmtSeconds, fmtTime, summarize } from '../lib/stats';
import { hashedSince } from './case';

const RESCAN_GOAL_MS = 2000;
const IDLE_RSS_GOAL = 250 * 1024 * 1024;
const IDLE_CPU_GOAL_S = 1;

export async function benchTree(ctx: Ctx): Promise<Row[]> {
  const { sizes } = ctx;
  const dir = join(ctx.tmp, 'benchtree');
  const home = join(ctx.tmp, 'home-tree');
  ctx.log(`4b. tree: generating ${sizes.treeFiles} small files`);
  const tree = await makeTree(dir, sizes.treeFiles);
  await mkdir(home, { recursive: true });
  const emu = await benchEmulator();
  const rows: Row[] = [];
  try {
    let projectId = '';
    let prepMs = 0;
    const prep = await EngineChild.start(ctx.launcher);
    try {
      await prep.send({ cmd: 'init', url: emu.url, apiKey: API_KEY, home });
      projectId = (await prep.send({ cmd: 'add-project', dir, storageFolder: 'benchtree' })).projectId as string;
      const c0 = totalCalls(emu);
      const r = await prep.send({ cmd: 'ensure-pushed', projectId, timeoutMs: 3_600_000 });
      prepMs = r.ms as number;
      if (totalCalls(emu) - c0 < 1 || r.strategy === 'none') throw new Error(`the initial push of the tree did nothing (${r.strategy}, ${totalCalls(emu) - c0} calls)`);
      ctx.log(`  initial push of the tree: ${fmtSeconds(prepMs)} (${r.strategy})`);
    } finally {
      await prep.stop();
    }

    const ms: number[] = [];
    const readyMs: number[] = [];
    const calls: number[] = [];
    const hashed: number[] = [];
    const read: number[] = [];
    const scanMs: number[] = [];
    const scanCpu: number[] = [];
    const scanCalls: number[] = [];
    let records = 0;
    let watchMode = '';
    let idle: { rssMax: number; hwm: number; cpu: number; seconds: number; calls: number } | null = null;
    for (let i = 0; i < sizes.treeRuns; i++) {
      const since = Date.now();
      const last = i === sizes.treeRuns - 1;
      const child = await EngineChild.start(ctx.launcher);
      try {
        await child.send({ cmd: 'init', url: emu.url, apiKey: API_KEY, home });
        const before = child.sample();
        const c0 = totalCalls(emu);
        const r = await child.send({ cmd: 'watch-until-idle', projectId, timeoutMs: 600_000 });
        calls.push(totalCalls(emu) - c0);
        read.push(child.sample().rchar - before.rchar);
        ms.push(r.ms as number);
        readyMs.push(r.readyMs as number);
        watchMode = `${r.watch}${r.backend ? `: ${r.backend}` : ''}`;
        // One more cycle while watching: what each periodic full rescan (default every 5 min) costs.
        const a = child.sample();
        const c2 = totalCalls(emu);
        const scan = await child.send({ cmd: 'sync-now', projectId });
        const b = child.sample();
        scanMs.push(scan.ms as number);
        scanCpu.push(b.cpuSeconds - a.cpuSeconds);
        scanCalls.push(totalCalls(emu) - c2);
        ctx.log(`  restart ${i + 1}: idle after ${fmtSeconds(r.ms as number)} (watcher ready ${fmtSeconds(r.readyMs as number)}, ${r.watch}), ${calls[calls.length - 1]} calls; a rescan while watching: ${fmtSeconds(scan.ms as number)}`);
        if (last) {
          ctx.log(`5. idle: watching for ${sizes.idleSeconds} s`);
          const s0 = child.sample();
          const c1 = totalCalls(emu);
          let rssMax = s0.rss;
          const t0 = Date.now();
          while (Date.now() - t0 < sizes.idleSeconds * 1000) {
            await new Promise((res) => setTimeout(res, 1000));
            rssMax = Math.max(rssMax, child.sample().rss);
          }
          const s1 = child.sample();
          idle = { rssMax, hwm: s1.peakRss, cpu: s1.cpuSeconds - s0.cpuSeconds, seconds: (Date.now() - t0) / 1000, calls: totalCalls(emu) - c1 };
        }
      } finally {
        await child.stop();
      }
      const h = hashedSince(home, projectId, since);
      hashed.push(h.hashed);
      records = h.records;
    }
    const s = summarize(ms);
    const sr = summarize(readyMs);
    const scale = 100_000 / tree.files;
    const callsMax = Math.max(...calls, ...scanCalls);
    const ss = summarize(scanMs);
    const rescanCpu = summarize(scanCpu);
    const hashedMax = Math.max(...hashed);
    const goalHere = tree.files >= 100_000 ? s.median < RESCAN_GOAL_MS : null;
    rows.push({
      id: '4b',
      benchmark: `4b. Restart on a ${tree.files.toLocaleString('en-US')}-file tree (${fmtBytes(tree.bytes)}), watching (${watchMode})`,
      engine: `${fmtTime(s)}; of which watcher ready ${fmtSeconds(sr.median)}; a full rescan while watching ${fmtTime(ss)}`,
      baseline: '—',
      ratio: '—',
      calls: `${callsMax}`,
      goal: '< 2 s for 100,000 files; 0 calls; no unchanged file re-hashed',
      met: met(goalHere === null ? null : goalHere && callsMax === 0 && hashedMax === 0),
      notes: [
        `Re-hashed files (index records rewritten; the engine exposes no hash counter): ${hashedMax} of ${records}; bytes read during the restart: ${fmtBytes(Math.max(...read))} (tree: ${fmtBytes(tree.bytes)}).`,
        `Initial push of the tree (preparation): ${fmtSeconds(prepMs)}.`,
        `"Time to idle" is from watch() to the first idle state with the watcher live: the watcher's start (one watch per folder) and the first scan cycle run at the same time. The rescan is one syncNow() cycle while watching (no watcher start-up).`,
        ...(tree.files < 100_000 ? [`--quick: ${tree.files} files, not 100,000 — scaled linearly the time to idle would be about ${fmtSeconds(s.median * scale)}; the time goal is judged on the full run only.`] : []),
      ],
      data: { files: tree.files, bytes: tree.bytes, ms: s, watcherReadyMs: sr, calls, hashed, readBytes: read, records, prepMs },
    });
    if (idle) {
      const cpu60 = idle.cpu * (60 / idle.seconds);
      // The periodic full rescan (default every 5 min) averaged over its period, included in the goal.
      const withRescan = cpu60 + rescanCpu.median / 5;
      rows.push({
        id: '5',
        benchmark: `5. Idle ${Math.round(idle.seconds)} s watching the ${tree.files.toLocaleString('en-US')}-file tree`,
        engine: `RSS ${fmtBytes(idle.rssMax)} (peak since start ${fmtBytes(idle.hwm)}); CPU ${idle.cpu.toFixed(2)} s${idle.seconds < 59 ? ` (×${(60 / idle.seconds).toFixed(1)} = ${cpu60.toFixed(2)} s per 60 s)` : ''}; with the periodic rescan averaged ${withRescan.toFixed(2)} s per 60 s`,
        baseline: '—',
        ratio: '—',
        calls: `${idle.calls}`,
        goal: 'RSS < 250 MB; CPU < 1 s per 60 s (periodic rescan included, averaged)',
        met: met(idle.rssMax < IDLE_RSS_GOAL && withRescan < IDLE_CPU_GOAL_S),
        notes: [
          'RSS is the largest VmRSS sampled each second in the window; the peak since start (VmHWM) includes the initial scan.',
          `The periodic full rescan (default every 5 min, not in the window) costs ${rescanCpu.median.toFixed(2)} s CPU each (median, see 4b), i.e. ${(rescanCpu.median / 5).toFixed(2)} s per minute on average: with the window, ${withRescan.toFixed(2)} s per minute (what the goal is judged on).`,
          ...(tree.files < 100_000 ? ['--quick: smaller tree; RSS grows with the number of watched files.'] : []),
        ],
        data: { ...idle, cpuPer60s: cpu60, files: tree.files },
      });
    }
  } finally {
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  }
  return rows;
}

// 6. Pull: a solver result archive (OPENFOAM-solution.tar.gz) placed in the emulator's storage, pulled
// by the engine (SyncService.pull: look up the result names, download to the app area, extract in
// place, record in the index) into an empty case folder, vs the provider's way with processes:
// curl view-by-path, curl download/{id}, `curl -o` of the signed URL, `tar -xzf`.
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineChild } from '../lib/child-host';
import { API_KEY, type Ctx, type Row, benchEmulator, met, totalCalls } from '../lib/context';
import { makeResultArchive } from '../lib/fixtures';
import { runTimed } from '../lib/proc';
import { fmtBytes, fmtRate, fmtRatio, fmtSeconds, fmtTime, summarize } from '../lib/stats';
import { curlApi } from './case';

const FOLDER = 'pullcase';
const ARCHIVE = 'OPENFOAM-solution.tar.gz';

/** Regular files under dir (skipping the app's own .cloudhpc-sync area) and their total size. */
async function tally(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    if (p.includes('/.cloudhpc-sync/') || e.name === ARCHIVE) continue;
    files++;
    bytes += (await stat(p)).size;
  }
  return { files, bytes };
}

export async function benchPull(ctx: Ctx): Promise<Row[]> {
  const { sizes } = ctx;
  const emu = await benchEmulator();
  const storageArchive = join(emu.storageDir(API_KEY), FOLDER, ARCHIVE);
  ctx.log(`6. pull: writing a ${fmtBytes(sizes.pullArchive)} result archive into the emulator's storage`);
  const made = await makeResultArchive(storageArchive, sizes.pullArchive);
  const eng: number[] = [];
  const engCalls: number[] = [];
  const engRss: number[] = [];
  const base: number[] = [];
  let check = '';
  try {
    for (let i = 0; i < sizes.pullRuns; i++) {
      const home = join(ctx.tmp, `home-pull-${i}`);
      const dir = join(ctx.tmp, `pull-engine-${i}`);
      await mkdir(home, { recursive: true });
      await mkdir(dir, { recursive: true });
      const child = await EngineChild.start(ctx.launcher);
      try {
        await child.send({ cmd: 'init', url: emu.url, apiKey: API_KEY, home, script: 'openFoam-v2406' });
        const p = await child.send({ cmd: 'add-project', dir, storageFolder: FOLDER });
        const c0 = totalCalls(emu);
        const r = await child.send({ cmd: 'pull', projectId: p.projectId as string });
        engCalls.push(totalCalls(emu) - c0);
        eng.push(r.ms as number);
        engRss.push(child.sample().peakRss);
        const t = await tally(dir);
        check = `${t.files} of ${made.members} members written by the engine`;
        ctx.log(`  engine pull ${i + 1}: ${fmtSeconds(r.ms as number)}, ${engCalls[engCalls.length - 1]} calls; ${check}; ${r.detail}`);
      } finally {
        await child.stop();
        await rm(dir, { recursive: true, force: true });
        await rm(home, { recursive: true, force: true });
      }

      const bdir = join(ctx.tmp, `pull-base-${i}`);
      await mkdir(bdir, { recursive: true });
      try {
        const t0 = performance.now();
        const item = (await curlApi(emu, 'POST', '/storage/view-by-path', { path: `${FOLDER}/${ARCHIVE}` })) as { id: number };
        const dl = await curlApi(emu, 'GET', `/storage/download/${item.id}`);
        const url = typeof dl === 'string' ? dl : String((dl as { url: unknown }).url);
        await runTimed('curl', ['-sS', '-f', '-o', join(bdir, ARCHIVE), url]);
        await runTimed('tar', ['-xzf', ARCHIVE], { cwd: bdir });
        base.push(performance.now() - t0);
        ctx.log(`  curl + tar -xzf ${i + 1}: ${fmtSeconds(base[base.length - 1] as number)}`);
      } finally {
        await rm(bdir, { recursive: true, force: true });
      }
    }
  } finally {
    await emu.stop();
  }
  const e = summarize(eng);
  const b = summarize(base);
  const ratio = b.median / e.median;
  return [{
    id: '6',
    benchmark: `6. Pull and extract a ${fmtBytes(made.size)} result archive (${made.members} members)`,
    engine: `${fmtTime(e)}, ${fmtRate(made.size, e.median)}; peak RSS ${fmtBytes(Math.max(...engRss))}`,
    baseline: `curl + tar -xzf: ${fmtTime(b)}, ${fmtRate(made.size, b.median)}`,
    ratio: `${fmtRatio(ratio)} (throughput)`,
    calls: `${Math.max(...engCalls)} (baseline: 2)`,
    goal: 'ratio ≥ 0.9',
    met: met(ratio >= 0.9),
    notes: [
      `Members are binary (random) data, which gzip stores uncompressed at any level; ${check}.`,
      'The engine finds the results with its frugal lookup (calls above), downloads to its temp area (fsync + rename), extracts every member through a temp file that is fsynced and moved into place, and records each file in the index; the baseline writes without fsync and keeps the archive.',
    ],
    data: { archiveBytes: made.size, members: made.members, engineMs: e, engineCalls: engCalls, baselineMs: b, ratio, peakRssBytes: engRss },
  }];
}

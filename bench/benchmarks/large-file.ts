// 1. Large file push: one big binary file through the engine vs `curl -T` of the same file to an
// upload URL of the same emulator. Two engine paths are measured:
//  - the sync engine (SyncService.ensurePushed on a project holding only that file, the user's
//    first push): a large file goes beside the archive as a single upload, so it is hashed and sent;
//  - the engine's transfer layer (CloudHpcClient.uploadFile, what single-file pushes use).
// Each engine run is a fresh child process; its peak RSS is VmHWM from /proc/<pid>/status. Each
// engine row checks that the storage holds the file's bytes afterwards (else it is invalid).
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineChild } from '../lib/child-host';
import { API_KEY, type Ctx, type Row, benchClient, benchEmulator, met, totalCalls } from '../lib/context';
import { ageTree, makeRandomFile } from '../lib/fixtures';
import { checkPushed, localDigests, type PushCheck } from '../lib/verify';
import { runTimed } from '../lib/proc';
import { fmtBytes, fmtRate, fmtRatio, fmtTime, summarize } from '../lib/stats';

const RSS_GOAL = 200 * 1024 * 1024;

export async function benchLargeFile(ctx: Ctx): Promise<Row[]> {
  const { sizes } = ctx;
  const dir = join(ctx.tmp, 'large');
  const file = join(dir, 'big.bin');
  ctx.log(`1. large file: writing ${fmtBytes(sizes.largeFile)} of random bytes`);
  await makeRandomFile(file, sizes.largeFile);
  await ageTree(dir); // a file that was on disk before the push (settled)
  const expected = await localDigests(dir, ['big.bin']);
  let upCheck: PushCheck = { ok: false, problems: ['not run'] };
  let snapCheck: PushCheck = { ok: false, problems: ['not run'] };
  let strategy = '';
  const emu = await benchEmulator();
  const client = benchClient(emu);
  const curlMs: number[] = [];
  const upMs: number[] = [];
  const upRss: number[] = [];
  const upCalls: number[] = [];
  const snapMs: number[] = [];
  const snapRss: number[] = [];
  const snapCalls: number[] = [];
  try {
    for (let i = 0; i < sizes.largeRuns; i++) {
      const url = await client.uploadUrl({ dirname: 'largefile', filename: 'curl.bin' });
      const c = await runTimed('curl', ['-sS', '-f', '-T', file, '-H', 'Content-Type: application/octet-stream', '-o', '/dev/null', url]);
      curlMs.push(c.ms);
      ctx.log(`  curl -T run ${i + 1}: ${(c.ms / 1000).toFixed(2)} s`);

      const child = await EngineChild.start(ctx.launcher);
      try {
        await child.send({ cmd: 'init', url: emu.url, apiKey: API_KEY });
        const c0 = totalCalls(emu);
        const r = await child.send({ cmd: 'upload-file', path: file, dirname: 'largefile-engine', filename: 'big.bin' });
        upCalls.push(totalCalls(emu) - c0);
        if (i === 0) upCheck = await checkPushed(emu, 'largefile-engine', expected, upCalls[0] as number);
        upMs.push(r.ms as number);
        upRss.push(child.sample().peakRss);
        ctx.log(`  client.uploadFile run ${i + 1}: ${((r.ms as number) / 1000).toFixed(2)} s, peak RSS ${fmtBytes(upRss[upRss.length - 1] as number)}`);
      } finally {
        await child.stop();
      }

      if (i < sizes.largeSnapshotRuns) {
        const home = join(ctx.tmp, `home-large-${i}`);
        await mkdir(home, { recursive: true });
        const sc = await EngineChild.start(ctx.launcher);
        try {
          await sc.send({ cmd: 'init', url: emu.url, apiKey: API_KEY, home });
          const p = await sc.send({ cmd: 'add-project', dir, storageFolder: 'largecase' });
          const c0 = totalCalls(emu);
          const r = await sc.send({ cmd: 'ensure-pushed', projectId: p.projectId as string, timeoutMs: 3_600_000 });
          snapCalls.push(totalCalls(emu) - c0);
          strategy = r.strategy === 'singles' ? `${r.beside} single upload${r.beside === 1 ? '' : 's'}, no archive` : `${r.strategy}, ${r.beside} beside the archive`;
          snapCheck = await checkPushed(emu, 'largecase', expected, snapCalls[snapCalls.length - 1] as number);
          snapMs.push(r.ms as number);
          snapRss.push(sc.sample().peakRss);
          ctx.log(`  SyncService first push (${r.strategy}) run ${i + 1}: ${((r.ms as number) / 1000).toFixed(2)} s, peak RSS ${fmtBytes(snapRss[snapRss.length - 1] as number)}`);
        } finally {
          await sc.stop();
          await rm(home, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await client.close();
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
  }

  const size = sizes.largeFile;
  const base = summarize(curlMs);
  const up = summarize(upMs);
  const snap = summarize(snapMs);
  const upRatio = base.median / up.median;
  const snapRatio = base.median / snap.median;
  const upPeak = Math.max(...upRss);
  const snapPeak = Math.max(...snapRss);
  const label = fmtBytes(size);
  return [
    {
      id: '1a',
      benchmark: `1a. Large file push, ${label}: sync engine's first push (${strategy}: large files go beside the archive)`,
      engine: `${fmtTime(snap)}, ${fmtRate(size, snap.median)}; peak RSS ${fmtBytes(snapPeak)}`,
      baseline: `curl -T: ${fmtTime(base)}, ${fmtRate(size, base.median)}`,
      ratio: `${fmtRatio(snapRatio)} (throughput)`,
      calls: `${Math.max(...snapCalls)}`,
      goal: 'ratio ≥ 0.9; peak RSS < 200 MB',
      met: snapCheck.ok ? met(snapRatio >= 0.9 && snapPeak < RSS_GOAL) : 'invalid',
      notes: [
        'The engine\'s first push sends files of 16 MiB and more beside the archive as single uploads (here the only file, so no archive at all). A large file with nothing in the cloud is not hashed by the scan: it is streamed at once and recorded with the sha256 of the bytes sent (one read; only if its size and mtime did not move); curl sends the raw bytes.',
        `RSS goal ${snapPeak < RSS_GOAL ? 'met' : 'missed'} (${fmtBytes(snapPeak)}); throughput goal ${snapRatio >= 0.9 ? 'met' : 'missed'}.`,
        snapCheck.ok ? 'Checked: the storage holds the file with its sha256.' : `**Invalid**: ${snapCheck.problems.join('; ')}.`,
      ],
      data: { bytes: size, engineMs: snap, baselineMs: base, ratio: snapRatio, peakRssBytes: snapRss, calls: snapCalls },
    },
    {
      id: '1b',
      benchmark: `1b. Large file push, ${label}: engine transfer layer (client.uploadFile)`,
      engine: `${fmtTime(up)}, ${fmtRate(size, up.median)}; peak RSS ${fmtBytes(upPeak)}`,
      baseline: `curl -T: ${fmtTime(base)}, ${fmtRate(size, base.median)}`,
      ratio: `${fmtRatio(upRatio)} (throughput)`,
      calls: `${Math.max(...upCalls)}`,
      goal: 'ratio ≥ 0.9; peak RSS < 200 MB',
      met: upCheck.ok ? met(upRatio >= 0.9 && upPeak < RSS_GOAL) : 'invalid',
      notes: [
        'uploadFile streams the file with its exact length and computes its sha256 on the way (what a single-file push does).',
        upCheck.ok ? 'Checked: the storage holds the file with its sha256.' : `**Invalid**: ${upCheck.problems.join('; ')}.`,
      ],
      data: { bytes: size, engineMs: up, baselineMs: base, ratio: upRatio, peakRssBytes: upRss, calls: upCalls },
    },
  ];
}

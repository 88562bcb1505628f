// npm run bench [-- --quick] [-- --only=1,2,...]
// Runs the benchmarks against the cloudHPC emulator on loopback, each with its baseline measured in
// the same run, prints ONE markdown table, writes bench/results.json (and, for a full run of every
// benchmark, bench/RESULTS.md). See bench/README.md.
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBudget } from './benchmarks/budget';
import { benchCase } from './benchmarks/case';
import { benchLargeFile } from './benchmarks/large-file';
import { benchPull } from './benchmarks/pull';
import { benchTree } from './benchmarks/tree';
import { prepareLauncher } from './lib/child-host';
import { type Ctx, FULL, GiB, QUICK, type Row } from './lib/context';
import { fmtBytes } from './lib/stats';

const here = dirname(fileURLToPath(import.meta.url));

interface Bench {
  /** Benchmark numbers of the issue this covers (for --only). */
  covers: number[];
  name: string;
  run: (ctx: Ctx) => Promise<Row[]>;
}

// Cheapest and most telling first: a full run that is cut short still leaves the earlier groups in
// RESULTS.md (written after every group, marked partial until the end).
const BENCHES: Bench[] = [
  { covers: [7], name: 'budget', run: benchBudget },
  { covers: [2, 3, 4], name: 'case push, small edit, restart on the case', run: benchCase },
  { covers: [4, 5], name: 'restart on the tree, idle', run: benchTree },
  { covers: [6], name: 'pull', run: benchPull },
  { covers: [1], name: 'large file push', run: benchLargeFile },
  { covers: [8], name: 'run insight', run: async (ctx) => (await import('./benchmarks/insight')).benchInsight(ctx) },
];

function parseArgs(argv: string[]): { quick: boolean; only: number[] | null } {
  let quick = false;
  let only: number[] | null = null;
  for (const a of argv) {
    if (a === '--quick') quick = true;
    else if (a.startsWith('--only=')) only = a.slice(7).split(',').map(Number).filter((n) => Number.isInteger(n));
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench [-- --quick] [-- --only=1,2,...]   (see bench/README.md)');
      process.exit(0);
    } else {
      console.error(`Unknown option ${a}. Use --quick and/or --only=1,2,... (benchmark numbers 1-7).`);
      process.exit(2);
    }
  }
  return { quick, only };
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function machine(): Record<string, string | number> {
  const c = cpus();
  return {
    cores: c.length,
    cpu: c[0]?.model.trim() ?? 'unknown',
    memory: fmtBytes(totalmem()),
    node: process.version,
    date: new Date().toISOString(),
    loadAverageAtStart: loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

function table(rows: Row[], m: Record<string, string | number>, quick: boolean, wallSeconds: number): string {
  const lines: string[] = [];
  lines.push(`Machine: ${m.cores} cores, ${m.cpu}, ${m.memory} RAM, Node ${m.node}; ${m.date}; load average at start ${m.loadAverageAtStart}.`);
  lines.push(`Mode: ${quick ? '--quick (smaller sizes, fewer runs: see each row)' : 'full'}; whole run ${Math.round(wallSeconds)} s. Times: median (min–max, n = runs).`);
  lines.push('');
  lines.push('| benchmark | engine | baseline | ratio | API calls | goal | met? |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const r of rows) lines.push(`| ${cell(r.benchmark)} | ${cell(r.engine)} | ${cell(r.baseline)} | ${cell(r.ratio)} | ${cell(r.calls)} | ${cell(r.goal)} | ${r.met === 'yes' ? 'yes' : r.met === 'no' ? '**no**' : r.met === 'invalid' ? '**invalid**' : 'n/a'} |`);
  const notes = rows.filter((r) => r.notes.length > 0);
  if (notes.length > 0) {
    lines.push('');
    lines.push('Notes:');
    for (const r of notes) lines.push(`- ${r.id}: ${r.notes.join(' ')}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { quick, only } = parseArgs(process.argv.slice(2));
  const sizes = quick ? QUICK : FULL;
  const selected = BENCHES.filter((b) => only === null || b.covers.some((n) => only.includes(n)));
  const base = tmpdir();
  const need = quick ? 3 * GiB : 16 * GiB;
  const fs = statfsSync(base);
  const free = fs.bavail * fs.bsize;
  if (free < need) {
    console.error(`Only ${fmtBytes(free)} free in ${base}; the ${quick ? 'quick' : 'full'} benchmark needs about ${fmtBytes(need)}. Free some space or set TMPDIR to a larger disk.`);
    process.exit(1);
  }
  const tmp = mkdtempSync(join(base, 'cloudhpc-bench-'));
  const cleanup = (): void => rmSync(tmp, { recursive: true, force: true });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      cleanup();
      process.exit(130);
    });
  }
  const started = Date.now();
  const m = machine();
  const log = (s: string): void => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${s}`);
  const rows: Row[] = [];
  const failures: string[] = [];
  try {
    const launcher = await prepareLauncher(tmp);
    log(`engine child runs as: ${launcher.mode}; temp folder ${tmp} (${fmtBytes(free)} free)`);
    const ctx: Ctx = { quick, sizes, tmp, launcher, log };
    const write = (done: boolean): string => {
      const wall = (Date.now() - started) / 1000;
      const md = table([...rows].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true })), m, quick, wall);
      const json = { machine: m, mode: quick ? 'quick' : 'full', engineChild: launcher.mode, sizes, wallSeconds: wall, complete: done, rows, failures };
      writeFileSync(join(here, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
      if (!quick && only === null) {
        const state = done && failures.length === 0 ? '' : `\n**Partial run**: ${done ? 'finished with failures' : 'still running or cut short'}; groups done: ${groupsDone} of ${selected.length}.${failures.length ? ` Failed: ${failures.join('; ')}` : ''}\n`;
        writeFileSync(join(here, 'RESULTS.md'), `# Benchmark results (latest full run)\n\nProduced by \`npm run bench\` (see README.md in this folder). Engine child: ${launcher.mode}.\n${state}\n${md}\n`);
      }
      return md;
    };
    let groupsDone = 0;
    for (const b of selected) {
      try {
        const got = await b.run(ctx);
        rows.push(...got.filter((r) => only === null || only.includes(Number.parseInt(r.id, 10))));
      } catch (e) {
        const msg = `${b.name}: ${e instanceof Error ? e.message : String(e)}`;
        failures.push(msg);
        log(`FAILED ${msg}`);
      }
      groupsDone++;
      if (groupsDone < selected.length) write(false);
    }
    const md = write(true);
    console.log(md);
    if (failures.length > 0) {
      console.log(`\nFailed benchmarks (not in the table): ${failures.join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    cleanup();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

// cloudhpc-sync wait <id>: follow a simulation until it ends (within the call budget), pull its
// results into the project's folder, and print the outcome with the log diagnosis. The same run
// lifecycle as the app: a run seen running tells the project's sync engine, so later edits go as
// single files.
import { statusName } from '../../common/contract';
import { ACTIVE_STATUSES } from '../../node/api/types';
import { remoteAccess } from '../../node/simulation/run-summary';
import { errorText } from '../../node/sync/cloud-port';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { formatDuration } from '../../common/format';
import { pullJson, pullLines, sayOver } from '../render';
import { outcomeExit, printFinished, simulationId, simulationJson } from './simulations-shared';

/** Without a terminal, a "still RUNNING" line at most this often. */
const STILL_EVERY_MS = 5 * 60_000;

export const wait: Command = {
  name: 'wait',
  summary: 'Wait for a simulation to end, pull its results and diagnose its log',
  usage: `cloudhpc-sync wait <id> [--verbose] [--json]
Polls within the API call budget (one index-short per poll, view-short for this run), then pulls the
results into the case folder of the project that syncs with the run's storage folder. Each change of
state is printed as it is seen; on a terminal a line below says how long it has been in that state
(elsewhere a "still RUNNING" line every few minutes).
Exit code 0 when the run completed or was stopped, 1 when it ended in ERROR or its log shows a failure.
  --verbose   show the service's informational log lines too (and where the API key came from)`,
  examples: [
    'cloudhpc-sync wait 12345          # follow it, pull its results, say how it ended',
    'cloudhpc-sync wait 12345 --json   # one JSON document at the end, for scripts',
  ],
  async run(args, ctx, signal) {
    const id = simulationId(args, 'wait');
    const ws = await ctx.workspace({ api: true });
    let first: { status: number } | null = null;
    let shownAccess = false;
    // The state as it changes: one line per change; on a terminal a live line says for how long.
    let current: { status: number; since: number } | null = null;
    let lastLine = Date.now();
    const liveLine = (): void => {
      if (!ctx.tty || !current) return;
      const cols = Math.max(40, (ctx.stdout.columns ?? 80) - 1);
      ctx.stdout.write(`\r${`Simulation ${id}: ${statusName(current.status)} for ${formatDuration((Date.now() - current.since) / 1000)} (seen here)`.slice(0, cols).padEnd(cols)}`);
    };
    const ticker = ctx.tty && !ctx.json ? setInterval(liveLine, 1000) : null;
    ctx.onClose(async () => { if (ticker) clearInterval(ticker); });
    const offRun = ws.on('run', ({ run, from }) => {
      const s = run.simulation;
      if (s.id !== id || ctx.json) return;
      const before = from ?? first?.status ?? current?.status ?? s.status;
      if (current === null || current.status !== s.status) current = { status: s.status, since: Date.now() };
      if (before !== s.status) {
        sayOver(ctx, `Simulation ${id}: ${statusName(before)} -> ${statusName(s.status)}`);
        lastLine = Date.now();
      }
      const access = remoteAccess(s);
      if (access && !shownAccess) {
        shownAccess = true;
        if (access.vncUrl) sayOver(ctx, `  remote desktop: ${access.vncUrl}`);
        if (access.ssh) sayOver(ctx, `  ssh: ${access.ssh}`);
      }
      liveLine();
    });
    // Not on a terminal: a line every few minutes while nothing changes, so a log shows it is alive.
    const offPolled = ws.on('polled', () => {
      if (ctx.json || ctx.tty || !current || Date.now() - lastLine < STILL_EVERY_MS) return;
      lastLine = Date.now();
      ctx.out(`Simulation ${id}: still ${statusName(current.status)} (${formatDuration((Date.now() - current.since) / 1000)} in this state, seen here)`);
    });
    const offProblem = ws.on('problem', ({ what, error }) => { if (!ctx.json) ctx.err(`${what}: ${errorText(error)}`); });
    try {
      const w = await ws.runs.wait(id, signal);
      first = w.first;
      current ??= { status: w.first.status, since: Date.now() };
      if (ACTIVE_STATUSES.includes(w.first.status) && !ctx.json) ctx.out(`Simulation ${id}: ${statusName(w.first.status)} on "${w.first.folder}" (${w.first.script}, ${w.first.cpu} vCPU ${w.first.ram})`);
      liveLine();
      const r = await w.done;
      if (ticker) clearInterval(ticker);
      if (ctx.tty) sayOver(ctx, `Simulation ${id}: ${statusName(r.finished.simulation.status)}.`);
      const project = r.projectId ? ws.registry.get(r.projectId) : undefined;
      const f = r.finished;
      if (ctx.json) {
        ctx.printJson({
          ...simulationJson(f.simulation), outcome: f.outcome, diagnosed: f.diagnosed, diagnoses: f.diagnoses,
          projectId: r.projectId, pull: project && r.pull ? pullJson(project, r.pull) : null, pullError: r.pullError ? errorText(r.pullError) : null,
        });
      } else {
        if (!project) ctx.out(`No local project syncs with the storage folder "${f.simulation.folder}": the results stay in the storage.`);
        else if (r.pull) {
          ctx.out(`Results pulled into ${project.localDir}:`);
          for (const line of pullLines(project.storageFolder, r.pull)) ctx.out(`  ${line}`);
        } else ctx.err(`The results could not be pulled: ${errorText(r.pullError)} Run cloudhpc-sync pull ${project.localDir} to try again.`);
        printFinished(ctx, f.simulation, f.outcome, f.diagnoses, ctx.verbose, f.diagnosed);
      }
      return outcomeExit(f.outcome) === EXIT.OK ? EXIT.OK : EXIT.FAILURE;
    } finally {
      if (ticker) clearInterval(ticker);
      offRun();
      offPolled();
      offProblem();
    }
  },
};

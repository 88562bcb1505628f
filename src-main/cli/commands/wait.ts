// cloudhpc-sync wait <id>: follow a simulation until it ends (within the call budget), pull its
// results into the project's folder, and print the outcome with the log diagnosis. The same run
// lifecycle as the app: a run seen running tells the project's sync engine, so later edits go as
// single files. While it runs, its progress (run insight, from the replies the tracking already
// gets): one line redrawn on a terminal, a plain line per change otherwise, JSON lines with --json
// (`{"event":"status"|"progress"|"warning"}`, then the result with `"event":"result"`).
import { statusName } from '../../common/contract';
import { progressLine, type InsightWarningView, type RunInsightView } from '../../common/insight';
import { ACTIVE_STATUSES, SimStatus } from '../../node/api/types';
import { remoteAccess } from '../../node/simulation/run-summary';
import { errorText } from '../../node/sync/cloud-port';
import { pullComplete } from '../../node/sync/pull';
import type { Workspace } from '../../node/workspace';
import type { Command } from '../command';
import type { CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { pullJson, pullLines } from '../render';
import { outcomeExit, printFinished, simulationId, simulationJson } from './simulations-shared';

export const wait: Command = {
  name: 'wait',
  summary: 'Wait for a simulation to end, pull its results and diagnose its log',
  usage: `cloudhpc-sync wait <id> [--verbose] [--json]
Polls within the API call budget (one index-short per poll, view-short for this run), then pulls the
results into the case folder of the project that syncs with the run's storage folder.
While it runs: percent on the solver's clock, solver time, ETA and cost so far (when the log and the
local case tell them), and early warnings (diverging, stalled) with what you can do.
Exit code 0 when the run completed or was stopped, 1 when it ended in ERROR or its log shows a failure,
6 when its results could not all be pulled (run cloudhpc-sync pull <dir> to retry).
  --verbose   show the service's informational log lines too (and where the API key came from)
  --json      one JSON line per event (status, progress, warning), then the result ("event": "result")`,
  examples: [
    'cloudhpc-sync wait 12345          # follow it, pull its results, say how it ended',
    'cloudhpc-sync wait 12345 --json   # one JSON line per event, then the result',
  ],
  async run(args, ctx, signal) {
    const id = simulationId(args, 'wait');
    const ws = await ctx.workspace({ api: true });
    let first: { status: number } | null = null;
    let shownAccess = false;
    const progress = new ProgressLines(ctx, ws, id);
    const offRun = ws.on('run', ({ run, from }) => {
      const s = run.simulation;
      if (s.id !== id || from === s.status) return;
      const before = from ?? first?.status ?? s.status;
      if (ctx.json) {
        if (before !== s.status) ctx.printJson({ event: 'status', id, from: before, to: s.status, fromName: statusName(before), toName: statusName(s.status) });
        return;
      }
      if (before !== s.status) progress.say(`Simulation ${id}: ${statusName(before)} -> ${statusName(s.status)}`);
      const access = remoteAccess(s);
      if (access && !shownAccess) {
        shownAccess = true;
        if (access.vncUrl) progress.say(`  remote desktop: ${access.vncUrl}`);
        if (access.ssh) progress.say(`  ssh: ${access.ssh}`);
      }
    });
    const offProblem = ws.on('problem', ({ what, error }) => { if (!ctx.json) { progress.endLine(); ctx.err(`${what}: ${errorText(error)}`); } });
    const offInsight = ws.on('runInsight', (e) => { if (e.id === id) progress.update(e.status); });
    const offWarning = ws.on('runWarning', ({ run, warning }) => { if (run.simulation.id === id) progress.warn(warning); });
    try {
      const w = await ws.runs.wait(id, signal);
      first = w.first;
      if (ACTIVE_STATUSES.includes(w.first.status) && !ctx.json) progress.say(`Simulation ${id}: ${statusName(w.first.status)} on "${w.first.folder}" (${w.first.script}, ${w.first.cpu} vCPU ${w.first.ram})`);
      const r = await w.done;
      progress.endLine();
      const project = r.projectId ? ws.registry.get(r.projectId) : undefined;
      const f = r.finished;
      if (ctx.json) {
        ctx.printJson({
          event: 'result',
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
      if (outcomeExit(f.outcome) !== EXIT.OK) return EXIT.FAILURE;
      // the run went well but its results did not all land: not done (issue 16)
      return project && (r.pullError || (r.pull && !pullComplete(r.pull))) ? EXIT.INCOMPLETE : EXIT.OK;
    } finally {
      progress.endLine();
      offRun();
      offProblem();
      offInsight();
      offWarning();
    }
  },
};

/** What the CLI offers for each option of a warning. */
const OPTION_COMMANDS: Record<InsightWarningView['options'][number]['action'], (id: number) => string> = {
  'soft-stop': (id) => `cloudhpc-sync stop ${id}`,
  sync: (id) => `cloudhpc-sync sync ${id} --pull`,
  'open-log': (id) => `cloudhpc-sync log ${id}`,
};

/** The run's progress on the terminal: one redrawn line on a TTY, a line per change otherwise, JSON lines with --json. */
class ProgressLines {
  private last = '';
  private drawn = false;

  constructor(private readonly ctx: CliContext, private readonly ws: Workspace, private readonly id: number) {}

  /** A line of its own (the redrawn progress line is finished first). */
  say(line: string): void {
    this.endLine();
    this.ctx.out(line);
  }

  endLine(): void {
    if (!this.drawn) return;
    this.ctx.stdout.write('\n');
    this.drawn = false;
  }

  /** The run's insight changed; `status` is the run's in the reply that changed it. */
  update(status: number): void {
    if (status !== SimStatus.RUNNING && status !== SimStatus.STOPPING) return; // pending: nothing to show yet; ended: the result follows
    let view: RunInsightView;
    try {
      view = this.ws.runs.insight(this.id);
    } catch {
      return; // not known yet
    }
    const { ctx } = this;
    if (ctx.json) {
      const p = view.progress;
      const key = JSON.stringify([status, p.percent, p.solverTime, p.etaSeconds, view.cost.costSoFar, p.known]);
      if (key === this.last) return;
      this.last = key;
      ctx.printJson({ event: 'progress', id: this.id, status, statusName: statusName(status), line: progressLine(view), progress: p, cost: view.cost, warnings: view.warnings.map((w) => w.code) });
      return;
    }
    const line = `Simulation ${this.id}: ${progressLine(view)}`;
    if (line === this.last) return;
    this.last = line;
    if (!ctx.tty) {
      ctx.out(line);
      return;
    }
    const cols = Math.max(40, (ctx.stdout.columns ?? 80) - 1);
    ctx.stdout.write(`\r${line.slice(0, cols).padEnd(cols)}`);
    this.drawn = true;
  }

  warn(w: InsightWarningView): void {
    if (this.ctx.json) {
      this.ctx.printJson({ event: 'warning', id: this.id, warning: w });
      return;
    }
    this.say(`Warning: simulation ${this.id} ${w.headline}: ${w.seen}`);
    for (const o of w.options) this.say(`  ${o.label} (${OPTION_COMMANDS[o.action](this.id)}): ${o.explain}`);
  }
}

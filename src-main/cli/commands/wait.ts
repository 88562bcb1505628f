// cloudhpc-sync wait <id>: follow a simulation until it ends (within the call budget), pull its
// results into the project's folder, and print the outcome with the log diagnosis. The same run
// lifecycle as the app: a run seen running tells the project's sync engine, so later edits go as
// single files.
import { statusName } from '../../common/contract';
import { ACTIVE_STATUSES } from '../../node/api/types';
import { remoteAccess } from '../../node/simulation/run-summary';
import { errorText } from '../../node/sync/cloud-port';
import { pullComplete } from '../../node/sync/pull';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { pullJson, pullLines } from '../render';
import { outcomeExit, printFinished, simulationId, simulationJson } from './simulations-shared';

export const wait: Command = {
  name: 'wait',
  summary: 'Wait for a simulation to end, pull its results and diagnose its log',
  usage: `cloudhpc-sync wait <id> [--verbose] [--json]
Polls within the API call budget (one index-short per poll, view-short for this run), then pulls the
results into the case folder of the project that syncs with the run's storage folder.
Exit code 0 when the run completed or was stopped, 1 when it ended in ERROR or its log shows a failure,
6 when its results could not all be pulled (run cloudhpc-sync pull <dir> to retry).
  --verbose   show the service's informational log lines too (and where the API key came from)`,
  async run(args, ctx, signal) {
    const id = simulationId(args, 'wait');
    const ws = await ctx.workspace({ api: true });
    let first: { status: number } | null = null;
    let shownAccess = false;
    const offRun = ws.on('run', ({ run, from }) => {
      const s = run.simulation;
      if (s.id !== id || from === s.status || ctx.json) return;
      const before = from ?? first?.status ?? s.status;
      if (before !== s.status) ctx.out(`Simulation ${id}: ${statusName(before)} -> ${statusName(s.status)}`);
      const access = remoteAccess(s);
      if (access && !shownAccess) {
        shownAccess = true;
        if (access.vncUrl) ctx.out(`  remote desktop: ${access.vncUrl}`);
        if (access.ssh) ctx.out(`  ssh: ${access.ssh}`);
      }
    });
    const offProblem = ws.on('problem', ({ what, error }) => { if (!ctx.json) ctx.err(`${what}: ${errorText(error)}`); });
    try {
      const w = await ws.runs.wait(id, signal);
      first = w.first;
      if (ACTIVE_STATUSES.includes(w.first.status) && !ctx.json) ctx.out(`Simulation ${id}: ${statusName(w.first.status)} on "${w.first.folder}" (${w.first.script}, ${w.first.cpu} vCPU ${w.first.ram})`);
      const r = await w.done;
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
      if (outcomeExit(f.outcome) !== EXIT.OK) return EXIT.FAILURE;
      // the run went well but its results did not all land: not done (issue 16)
      return project && (r.pullError || (r.pull && !pullComplete(r.pull))) ? EXIT.INCOMPLETE : EXIT.OK;
    } finally {
      offRun();
      offProblem();
    }
  },
};

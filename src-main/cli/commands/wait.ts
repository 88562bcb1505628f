// cloudhpc-sync wait <id>: follow a simulation until it ends (within the call budget), pull its
// results into the project's folder, and print the outcome with the log diagnosis.
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { appDataDir } from '../../node/project/app-data';
import { ACTIVE_STATUSES } from '../../node/api/types';
import { SimulationRecords } from '../../node/simulation/records';
import { remoteAccess, statusName } from '../../node/simulation/run-summary';
import { SimulationTracker, type Finished } from '../../node/simulation/tracker';
import { outcomeExit, pollMinMs, printFinished, pullResults, simulationId, simulationJson } from './simulations-shared';

export const wait: Command = {
  name: 'wait',
  summary: 'Wait for a simulation to end, pull its results and diagnose its log',
  usage: `cloudhpc-sync wait <id> [--verbose] [--json]
Polls within the API call budget (one index-short per poll, view-short for this run), then pulls the
results into the case folder of the project that syncs with the run's storage folder.
Exit code 0 when the run completed or was stopped, 1 when it ended in ERROR or its log shows a failure.
  --verbose   show the service's informational log lines too`,
  boolFlags: ['verbose'],
  async run(args, ctx, signal) {
    const id = simulationId(args, 'wait');
    const client = ctx.client();
    const service = ctx.service();
    const records = new SimulationRecords(appDataDir(ctx.env));
    // one call to know the run exists (a wrong id fails here with the service's refusal)
    const first = await client.viewShort(id, { priority: 'user' });
    let pulled = '';
    const done = new Promise<Finished>((resolve, reject) => {
      const tracker = new SimulationTracker({
        client,
        isKnownFolder: () => false,
        minIntervalMs: pollMinMs(ctx.env),
        onTerminal: async (f) => {
          if (f.simulation.id !== id) return;
          try {
            pulled = await pullResults(ctx, service, f.simulation);
          } catch (e) {
            pulled = `The results could not be pulled: ${e instanceof Error ? e.message : String(e)}`;
            ctx.err(pulled);
          }
          resolve(f);
        },
      });
      ctx.onClose(async () => tracker.close());
      let shownAccess = false;
      tracker.on('status', (c) => {
        if (c.simulation.id !== id) return;
        const repeat = c.from === null && c.to === first.status;
        if (!ctx.json && !repeat) ctx.out(`Simulation ${id}: ${statusName(c.from ?? first.status)} -> ${statusName(c.to)}`);
        const access = remoteAccess(c.simulation);
        if (access && !shownAccess && !ctx.json) {
          shownAccess = true;
          if (access.vncUrl) ctx.out(`  remote desktop: ${access.vncUrl}`);
          if (access.ssh) ctx.out(`  ssh: ${access.ssh}`);
        }
      });
      tracker.on('error', (e) => { if (!ctx.json) ctx.err(e.message); });
      signal.addEventListener('abort', () => { tracker.close(); reject(new Error('interrupted')); }, { once: true });
      tracker.track(id);
      tracker.watch(id);
      if (ACTIVE_STATUSES.includes(first.status)) {
        if (!ctx.json) ctx.out(`Simulation ${id}: ${statusName(first.status)} on "${first.folder}" (${first.script}, ${first.cpu} vCPU ${first.ram})`);
      } else {
        void tracker.refresh(); // already ended: diagnose and pull at once
      }
    });
    const f = await done;
    records.update(id, { status: f.simulation.status, outcome: f.outcome, finishedAt: Date.now() });
    if (ctx.json) ctx.printJson({ ...simulationJson(f.simulation), outcome: f.outcome, diagnosed: f.diagnosed, diagnoses: f.diagnoses, pull: pulled });
    else printFinished(ctx, f.simulation, f.outcome, f.diagnoses, args.flags.has('verbose'), f.diagnosed);
    return outcomeExit(f.outcome) === EXIT.OK ? EXIT.OK : EXIT.FAILURE;
  },
};

// cloudhpc-sync log <id> [--follow] [--series]: the output log of a simulation, with its diagnosis;
// --series: the convergence series parsed from it (run insight) as CSV with a header instead.
import { statusName } from '../../common/contract';
import { formatDiagnoses, outcome } from '../../node/simulation/diagnosis';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { simulationId } from './simulations-shared';

export const log: Command = {
  name: 'log',
  summary: 'Show the output log of a simulation (--follow: as it grows) and what it shows went wrong',
  usage: `cloudhpc-sync log <id> [--follow] [--series] [--json]
  --follow   keep reading while the run is active (one API call per read, within the call budget)
  --series   print the series parsed from the log (residuals, Courant, time step...) as CSV with a
             header (time or step, then one column per series) instead of the log; --json: the charts`,
  examples: [
    'cloudhpc-sync log 12345            # the output log with what went wrong, if anything',
    'cloudhpc-sync log 12345 --follow   # as it grows, within the API budget',
  ],
  boolFlags: ['follow', 'series'],
  async run(args, ctx, signal) {
    const id = simulationId(args, 'log');
    const ws = await ctx.workspace({ api: true });
    const series = args.flags.has('series');
    const reader = ws.runs.logReader(id, (t) => { if (!ctx.json && !series) ctx.stdout.write(t); });
    ctx.onClose(async () => reader.close());
    if (args.flags.has('follow')) {
      const onAbort = (): void => reader.close();
      signal.addEventListener('abort', onAbort, { once: true });
      try { await reader.follow(); } finally { signal.removeEventListener('abort', onAbort); }
    } else {
      await reader.fetch('user');
    }
    const sim = reader.simulation!;
    const diagnoses = reader.diagnoses();
    if (series) {
      // the reads above fed the run's insight (no further call)
      if (ctx.json) ctx.printJson({ id, status: sim.status, statusName: statusName(sim.status), charts: ws.runs.insight(id).charts });
      else ctx.stdout.write(ws.runs.insightCsv(id) ?? 'time\n');
      return EXIT.OK;
    }
    if (ctx.json) {
      ctx.printJson({ id, status: sim.status, statusName: statusName(sim.status), outcome: outcome(sim.status, diagnoses), log: reader.log, diagnoses });
    } else {
      if (reader.log && !reader.log.endsWith('\n')) ctx.out('');
      ctx.out(`--- simulation ${id}: ${statusName(sim.status)} (${outcome(sim.status, diagnoses)})`);
      ctx.out(formatDiagnoses(diagnoses.filter((d) => d.severity !== 'info')));
    }
    return EXIT.OK;
  },
};

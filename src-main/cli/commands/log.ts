// cloudhpc-sync log <id> [--follow]: the output log of a simulation, with its diagnosis.
import { statusName } from '../../common/contract';
import { formatDiagnoses, outcome } from '../../node/simulation/diagnosis';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { simulationId } from './simulations-shared';

export const log: Command = {
  name: 'log',
  summary: 'Show the output log of a simulation (--follow: as it grows) and what it shows went wrong',
  usage: `cloudhpc-sync log <id> [--follow] [--json]
  --follow   keep reading while the run is active (one API call per read, within the call budget)`,
  examples: [
    'cloudhpc-sync log 12345            # the output log with what went wrong, if anything',
    'cloudhpc-sync log 12345 --follow   # as it grows, within the API budget',
  ],
  boolFlags: ['follow'],
  async run(args, ctx, signal) {
    const id = simulationId(args, 'log');
    const ws = await ctx.workspace({ api: true });
    const reader = ws.runs.logReader(id, (t) => { if (!ctx.json) ctx.stdout.write(t); });
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

// cloudhpc-sync sync <id>: ask a running simulation to save partial results to the storage, and
// (with --pull) stay to pull them: on the same schedule as the app, stopping at the first pull that
// brought them.
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { ControlError, EXPLAIN } from '../../node/simulation/control';
import { pullLines } from '../render';
import { simulationId } from './simulations-shared';

export const sync: Command = {
  name: 'sync',
  summary: 'Ask a running simulation for partial results (SYNC), optionally pulling them',
  usage: `cloudhpc-sync sync <id> [--pull] [--json]
  ${EXPLAIN.sync}
  --pull   stay and pull the partial results into the case folder 3, 6 and 10 minutes later,
           stopping at the first pull that brings them`,
  examples: [
    'cloudhpc-sync sync 12345          # ask for the partial results now',
    'cloudhpc-sync sync 12345 --pull   # and stay until they are in the case folder',
  ],
  boolFlags: ['pull'],
  async run(args, ctx, signal) {
    const id = simulationId(args, 'sync');
    const ws = await ctx.workspace({ api: true });
    const wantPull = args.flags.has('pull');
    const off = ws.on('resultsPulled', ({ projectId, result }) => {
      if (!ctx.json) for (const line of pullLines(ws.registry.get(projectId)?.storageFolder ?? projectId, result)) ctx.out(line);
    });
    try {
      const { result, run, pullsAt } = await ws.runs.control(id, 'sync');
      if (ctx.json) ctx.printJson({ id, action: 'sync', explanation: result.explanation, projectId: run.projectId, pullsAt: wantPull ? pullsAt.map((t) => new Date(t).toISOString()) : [] });
      else ctx.out(`Simulation ${id}: SYNC requested. ${result.explanation}`);
      if (!wantPull || !run.projectId) {
        if (!ctx.json) ctx.out(run.projectId ? 'Pull them in a few minutes with cloudhpc-sync pull <dir> (or run this with --pull).' : `No local project syncs with the storage folder "${run.simulation.folder}": nothing to pull here.`);
        return EXIT.OK;
      }
      await Promise.race([ws.results.idle(run.projectId), new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))]);
      return EXIT.OK;
    } catch (e) {
      if (!(e instanceof ControlError)) throw e;
      if (ctx.json) ctx.printJson({ id, error: e.message, code: e.code });
      ctx.err(e.message);
      return EXIT.FAILURE;
    } finally {
      off();
    }
  },
};

// cloudhpc-sync sync <id>: ask a running simulation to save partial results to the storage, and
// (with --pull) stay to pull them as they arrive.
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { ControlError, EXPLAIN, SimulationControl } from '../../node/simulation/control';
import { realScheduler } from '../../node/simulation/scheduler';
import { projectForFolder, pullResults, simulationId } from './simulations-shared';

function pullDelays(env: NodeJS.ProcessEnv): number[] | undefined {
  const raw = env.CLOUDHPC_SYNC_PULL_DELAYS_MS;
  if (!raw) return undefined;
  const v = raw.split(',').map(Number).filter((n) => Number.isFinite(n) && n >= 0);
  return v.length ? v : undefined;
}

export const sync: Command = {
  name: 'sync',
  summary: 'Ask a running simulation for partial results (SYNC), optionally pulling them',
  usage: `cloudhpc-sync sync <id> [--pull] [--json]
  ${EXPLAIN.sync}
  --pull   stay and pull the partial results into the case folder 3, 6 and 10 minutes later`,
  boolFlags: ['pull'],
  async run(args, ctx, signal) {
    const id = simulationId(args, 'sync');
    const client = ctx.client();
    const wantPull = args.flags.has('pull');
    const service = wantPull ? ctx.service() : null;
    let pulls = 0;
    let resolveDone: () => void = () => undefined;
    const allPulled = new Promise<void>((r) => { resolveDone = r; });
    const delays = pullDelays(ctx.env);
    const control = new SimulationControl({
      client,
      scheduler: realScheduler(),
      syncPullDelaysMs: delays,
      pull: service
        ? async (sim) => {
          try { await pullResults(ctx, service, sim); } catch (e) { ctx.err(`Pull failed: ${e instanceof Error ? e.message : String(e)}`); }
          pulls++;
          if (pulls >= (delays?.length ?? 3)) resolveDone();
        }
        : undefined,
    });
    ctx.onClose(async () => control.close());
    try {
      const r = await control.sync(id);
      if (ctx.json) ctx.printJson({ id, action: 'sync', explanation: r.explanation, pullsAt: r.pullsAt.map((t) => new Date(t).toISOString()) });
      else ctx.out(`Simulation ${id}: SYNC requested. ${r.explanation}`);
      if (service) {
        if (!projectForFolder(service, r.simulation.folder)) return EXIT.OK;
        await Promise.race([allPulled, new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))]);
      } else if (!ctx.json) {
        ctx.out('Pull them in a few minutes with cloudhpc-sync pull <dir> (or run this with --pull).');
      }
      return EXIT.OK;
    } catch (e) {
      if (!(e instanceof ControlError)) throw e;
      if (ctx.json) ctx.printJson({ id, error: e.message, code: e.code });
      ctx.err(e.message);
      return EXIT.FAILURE;
    }
  },
};

// cloudhpc-sync stop <id> [--hard]: soft stop (saves results) or hard stop (saves nothing).
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { ControlError, EXPLAIN } from '../../node/simulation/control';
import { askYes, simulationId } from './simulations-shared';

export const stop: Command = {
  name: 'stop',
  summary: 'Stop a simulation: soft (saves results) or --hard (saves nothing)',
  usage: `cloudhpc-sync stop <id> [--hard] [--yes] [--json]
  (default)  ${EXPLAIN.softStop}
  --hard     ${EXPLAIN.hardStop}
  --yes      do not ask for confirmation of a hard stop`,
  examples: [
    'cloudhpc-sync stop 12345          # soft stop: the solver saves and uploads its results',
    'cloudhpc-sync stop 12345 --hard   # kill it now, nothing saved (asks first; --yes in scripts)',
  ],
  boolFlags: ['hard', 'yes'],
  async run(args, ctx) {
    const id = simulationId(args, 'stop');
    const hard = args.flags.has('hard');
    const ws = await ctx.workspace({ api: true });
    if (hard && !(args.flags.has('yes') || (await askYes(ctx, `${EXPLAIN.hardStop} Hard stop simulation ${id}?`)))) {
      ctx.err(`Not stopped. ${EXPLAIN.hardStop} Add --yes to confirm, or use a soft stop (without --hard) to keep the results.`);
      return EXIT.USAGE;
    }
    try {
      const { result } = await ws.runs.control(id, hard ? 'hard-stop' : 'soft-stop', true);
      if (ctx.json) ctx.printJson({ id, action: result.action, explanation: result.explanation });
      else ctx.out(`Simulation ${id}: ${hard ? 'hard' : 'soft'} stop requested. ${result.explanation}`);
      return EXIT.OK;
    } catch (e) {
      if (!(e instanceof ControlError)) throw e;
      if (ctx.json) ctx.printJson({ id, error: e.message, code: e.code });
      ctx.err(e.message);
      return EXIT.FAILURE;
    }
  },
};

// cloudhpc-sync simulations: the user's simulations (one API call), with the local project of each.
import { statusName } from '../../common/contract';
import { formatOptions } from '../../node/simulation/options';
import { formatRunSummary } from '../../node/simulation/run-summary';
import { UsageError } from '../args';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { simulationJson } from './simulations-shared';

export const simulations: Command = {
  name: 'simulations',
  summary: 'List your simulations (newest first) and the local folder of each',
  usage: `cloudhpc-sync simulations [--options [--refresh]] [--json]
One API call (index-short, page 1: the newest simulations).
  --options   show what a launch may choose (vCPU, RAM classes with GB per vCPU, scripts, SPOT/REGULAR);
              cached for a day (3 API calls when asked), --refresh asks again`,
  examples: [
    'cloudhpc-sync simulations             # your runs, newest first',
    'cloudhpc-sync simulations --options   # the vCPU counts, RAM classes and scripts on offer',
  ],
  boolFlags: ['options', 'refresh'],
  async run(args, ctx) {
    if (args.positional.length > 0) throw new UsageError('simulations takes no argument.');
    const ws = await ctx.workspace({ api: true });
    if (args.flags.has('options')) {
      const o = await ws.runs.launchOptions(args.flags.has('refresh'));
      if (ctx.json) ctx.printJson(o);
      else ctx.out(formatOptions(o));
      return EXIT.OK;
    }
    const list = await ws.runs.listFromService();
    const projects = ws.projects();
    const local = (folder: string): string | null => projects.find((p) => p.storageFolder === folder)?.localDir ?? null;
    if (ctx.json) {
      ctx.printJson(list.map((s) => ({ ...simulationJson(s), localDir: local(s.folder) })));
      return EXIT.OK;
    }
    if (list.length === 0) {
      ctx.out('No simulations yet: start one with cloudhpc-sync launch <dir> --cpu N --ram CLASS --script NAME.');
      return EXIT.OK;
    }
    for (const s of list) {
      const where = local(s.folder);
      ctx.out(`${String(s.id).padStart(6)}  ${statusName(s.status).padEnd(9)}  ${s.folder}  ${s.script}  ${s.cpu} vCPU ${s.ram}${s.edate ? `  ${formatRunSummary(s)}` : s.idate ? `  started ${s.idate}` : ''}${where ? `  <- ${where}` : ''}`);
    }
    return EXIT.OK;
  },
};

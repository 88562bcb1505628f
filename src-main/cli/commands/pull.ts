// cloudhpc-sync pull <dir>: bring the results of the project's storage folder into the case folder.
import { UsageError } from '../args';
import type { Command } from '../command';
import { CliExit } from '../context';
import { EXIT } from '../exit-codes';
import { followStatus } from '../render';

export const pull: Command = {
  name: 'pull',
  summary: 'Pull results from the storage folder into a case folder once',
  usage: `cloudhpc-sync pull <dir> [--everything] [--json]
  --everything   pull every new file of the storage folder, not only results (this run only)`,
  boolFlags: ['everything'],
  async run(args, ctx) {
    const dir = args.positional[0];
    if (!dir || args.positional.length > 1) throw new UsageError('pull takes exactly one folder.');
    const registry = ctx.registry();
    const known = registry.findByDir(dir);
    if (!known) throw new CliExit(EXIT.USAGE, `${dir} is not a project yet: push it first (cloudhpc-sync push ${dir}) so it is linked to a storage folder.`);
    const service = ctx.service();
    const before = known.settings.pullMode;
    if (args.flags.has('everything')) service.updateSettings(known.id, { pullMode: 'everything' });
    const off = service.on('state', followStatus(ctx));
    try {
      const r = await service.pull(known.id, { priority: 'user' });
      if (ctx.json) ctx.printJson({ projectId: known.id, storageFolder: known.storageFolder, summary: r.summary, conflicts: r.conflicts });
      else ctx.out(`${known.storageFolder}: ${r.summary}`);
      return EXIT.OK;
    } finally {
      off();
      if (args.flags.has('everything')) service.updateSettings(known.id, { pullMode: before });
    }
  },
};

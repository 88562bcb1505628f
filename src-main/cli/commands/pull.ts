// cloudhpc-sync pull <dir>: bring the results of the project's storage folder into the case folder.
import { UsageError } from '../args';
import type { Command } from '../command';
import { CliExit } from '../context';
import { EXIT } from '../exit-codes';
import { followStatus, pullJson, pullLines } from '../render';
import { pullComplete } from '../../node/sync/pull';

export const pull: Command = {
  name: 'pull',
  summary: 'Pull results from the storage folder into a case folder once',
  usage: `cloudhpc-sync pull <dir> [--everything] [--json]
  --everything   pull every new file of the storage folder, not only results (this pull only)
Names the cloud gives that could leave the case folder (or write through a link) are refused and
listed with their reason; a local file that differs is kept and the cloud version written beside it.
Exit code 0 when every result that could be written landed, 6 when some could not be downloaded or
put in place (run it again to retry).`,
  examples: [
    'cloudhpc-sync pull ~/cases/room_fire               # new results of the project\'s storage folder',
    'cloudhpc-sync pull ~/cases/room_fire --everything  # every new file of the folder, this time',
  ],
  boolFlags: ['everything'],
  async run(args, ctx) {
    const dir = args.positional[0];
    if (!dir || args.positional.length > 1) throw new UsageError('pull takes exactly one folder.');
    const ws = await ctx.workspace();
    const project = ws.projectByDir(dir);
    if (!project) throw new CliExit(EXIT.USAGE, `${dir} is not a project yet: push it first (cloudhpc-sync push ${dir}) so it is linked to a storage folder.`);
    await ctx.workspace({ api: true });
    const off = ws.on('projectState', followStatus(ctx));
    try {
      const r = await ws.pull(project.id, { everything: args.flags.has('everything') });
      if (ctx.json) ctx.printJson(pullJson(project, r));
      else for (const line of pullLines(project.storageFolder, r)) ctx.out(line);
      return pullComplete(r) ? EXIT.OK : EXIT.INCOMPLETE;
    } finally {
      off();
    }
  },
};

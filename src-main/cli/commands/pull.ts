// cloudhpc-sync pull <dir>: bring the results of the project's storage folder into the case folder.
// On a folder that is not a project yet, --folder NAME opens that storage folder there (links it and
// pulls everything in it: the same as "Open from the cloud" in the app).
import { flagString, UsageError } from '../args';
import type { Command } from '../command';
import type { CliContext } from '../context';
import { CliExit } from '../context';
import { EXIT } from '../exit-codes';
import { followStatus, pullJson, pullLines } from '../render';
import { endProgress, followTransfer, openPlanLines, openResultLines } from '../storage-render';
import { pullComplete } from '../../node/sync/pull';
import type { Workspace } from '../../node/workspace';

async function openHere(ws: Workspace, ctx: CliContext, dir: string, folder: string, merge: boolean, signal: AbortSignal): Promise<number> {
  const plan = await ws.storage.planOpen({ folder, dir, merge });
  if (!ctx.json) for (const line of openPlanLines(plan)) ctx.out(line);
  const r = await ws.storage.open(plan, { signal, onProgress: followTransfer(ctx, folder) });
  endProgress(ctx);
  if (ctx.json) ctx.printJson({ opened: true, complete: pullComplete(r.transfer), projectId: r.projectId, dir: r.dir, storageFolder: r.folder, adopted: r.adopted, replaced: r.replaced, ...r.transfer, apiCalls: r.apiCalls });
  else for (const line of openResultLines(r)) ctx.out(line);
  return pullComplete(r.transfer) ? EXIT.OK : EXIT.INCOMPLETE;
}

export const pull: Command = {
  name: 'pull',
  summary: 'Pull results from the storage folder into a case folder once (or open a storage folder there)',
  usage: `cloudhpc-sync pull <dir> [--everything] [--folder NAME [--merge]] [--json]
  --everything   pull every new file of the storage folder, not only results (this pull only)
  --folder NAME  on a folder that is not a project yet: link it to the storage folder NAME and bring
                 everything in it down (inputs and results); it syncs like any other project after
  --merge        with --folder, on a folder that holds files: keep every local file (a cloud file
                 that differs goes beside it); without it such a folder is refused
Names the cloud gives that could leave the case folder (or write through a link) are refused and
listed with their reason; a local file that differs is kept and the cloud version written beside it.
Exit code 0 when every result that could be written landed, 6 when some could not be downloaded or
put in place (run it again to retry).`,
  examples: [
    'cloudhpc-sync pull ~/cases/room_fire               # new results of the project\'s storage folder',
    'cloudhpc-sync pull ~/cases/room_fire --everything  # every new file of the folder, this time',
    'cloudhpc-sync pull ~/cases/new_case --folder room_fire  # open a storage folder as a new project',
  ],
  valueFlags: ['folder'],
  boolFlags: ['everything', 'merge'],
  async run(args, ctx, signal) {
    const dir = args.positional[0];
    if (!dir || args.positional.length > 1) throw new UsageError('pull takes exactly one folder.');
    const folder = flagString(args, 'folder');
    const ws = await ctx.workspace();
    const project = ws.projectByDir(dir);
    if (!project || ws.storage.isOpening(project.id)) {
      if (!folder) throw new CliExit(EXIT.USAGE, `${dir} is not a project yet: push it first (cloudhpc-sync push ${dir}), or bring a storage folder down into it with --folder NAME.`);
      await ctx.workspace({ api: true });
      return openHere(ws, ctx, dir, folder, args.flags.has('merge'), signal);
    }
    if (folder && folder !== project.storageFolder) throw new CliExit(EXIT.USAGE, `${project.localDir} already syncs with the storage folder "${project.storageFolder}", not "${folder}".`);
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

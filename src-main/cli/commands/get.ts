// cloudhpc-sync get PATH [DEST]: downloads a storage file or folder (file by file) into a local
// folder, never overwriting a local file that differs; --extract opens result archives on the way.
import { UsageError } from '../args';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { pullComplete } from '../../node/sync/pull';
import { downloadPlanLines, endProgress, followTransfer, transferLines } from '../storage-render';

export const get: Command = {
  name: 'get',
  summary: 'Download a file or folder of the cloudHPC storage into a local folder',
  usage: `cloudhpc-sync get PATH [DEST] [--extract] [--json]
  PATH        a storage file or folder, e.g. caseA/FDS.tar.gz or caseA
  DEST        the local folder to download into (default: the current folder; created when missing);
              a folder comes down as DEST/<its name>/...
  --extract   extract result archives (FDS.tar.gz, OPENFOAM-*.tar.gz, ...) in place, as pulls do
The cost (one API call per file, plus the listings of folders not listed yet) is printed before the
download starts. A local file that differs is kept: the cloud version goes beside it as
"name (cloudHPC YYYY-MM-DD HHMMSS).ext". Names that would leave DEST are refused and listed.
Exit code 0 when everything landed, 6 when some files could not be downloaded (run it again).`,
  boolFlags: ['extract'],
  async run(args, ctx, signal) {
    const [path, dest, ...more] = args.positional;
    if (!path || more.length > 0) throw new UsageError('get takes a storage path and at most one local folder.');
    const ws = await ctx.workspace({ api: true });
    const plan = await ws.storage.planDownload({ sources: [path], dest: dest ?? process.cwd(), extract: args.flags.has('extract') });
    if (!ctx.json) for (const line of downloadPlanLines(plan)) ctx.out(line);
    const r = await ws.storage.download(plan, { signal, onProgress: followTransfer(ctx, path) });
    endProgress(ctx);
    if (ctx.json) {
      ctx.printJson({ complete: pullComplete(r), plan: { files: plan.files, bytes: plan.bytes, calls: plan.calls, listingCalls: plan.listingCalls, refused: plan.refused }, ...r });
    } else {
      for (const line of transferLines(path, r)) ctx.out(line);
    }
    return pullComplete(r) ? EXIT.OK : EXIT.INCOMPLETE;
  },
};

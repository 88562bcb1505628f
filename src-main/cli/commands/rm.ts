// cloudhpc-sync rm PATH: deletes a file or folder of the cloudHPC storage. Without --yes it only says
// what would go (and what that means for a project) and deletes nothing.
import { UsageError } from '../args';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { deletePlanLines } from '../storage-render';

export const rm: Command = {
  name: 'rm',
  summary: 'Delete a file or folder of the cloudHPC storage (asks for --yes)',
  usage: `cloudhpc-sync rm PATH [--yes] [--confirm-deletes] [--json]
  PATH               a storage file or folder, e.g. caseA/old-results or caseA
  --yes              delete it (without it: show what would go, delete nothing, exit code 4)
  --confirm-deletes  also when it removes more of a project's files than its mass-delete limit
In a project's storage folder the project is told at once: it never believes a deleted file is in the
cloud; its files that are still local are pushed again at its next sync.`,
  boolFlags: ['yes', 'confirm-deletes'],
  async run(args, ctx) {
    const path = args.positional[0];
    if (!path || args.positional.length > 1) throw new UsageError('rm takes exactly one storage path.');
    const ws = await ctx.workspace({ api: true });
    const plan = await ws.storage.planDelete(path);
    const planJson = { path: plan.path, type: plan.item.type, files: plan.files, bytes: plan.bytes, sample: plan.sample, apiCalls: plan.calls, listingCalls: plan.listingCalls, project: plan.project };
    if (!ctx.json) for (const line of deletePlanLines(plan)) ctx.out(line);
    if (!args.flags.has('yes')) {
      if (ctx.json) ctx.printJson({ ...planJson, deleted: false });
      else ctx.out('Nothing deleted: run it again with --yes to delete.');
      return EXIT.CONFIRM_DELETES;
    }
    const r = await ws.storage.delete(plan, { confirmMassDelete: args.flags.has('confirm-deletes') });
    if (ctx.json) ctx.printJson({ ...planJson, deleted: true, ...r });
    else ctx.out(`Deleted ${r.path}${r.alreadyGone ? ' (it was gone already)' : ''} (${r.apiCalls} API calls).`);
    return EXIT.OK;
  },
};

// cloudhpc-sync push <dir>: one-shot push; returns when the cloud storage holds the local case.
import { flagNumber, flagString, UsageError } from '../args';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { followStatus, leftOutLines, sayOver } from '../render';

export const push: Command = {
  name: 'push',
  summary: 'Push a case folder to its storage folder once and wait until the cloud holds it',
  usage: `cloudhpc-sync push <dir> [--folder NAME] [--confirm-deletes] [--dry-run] [--timeout SECONDS] [--json]
  --folder NAME       storage folder (default: the folder's name; only when the folder is not a project yet)
  --confirm-deletes   allow a push that deletes more files than the mass-delete guard allows
  --dry-run           scan and show what the push would do and cost; no API call
  --timeout SECONDS   give up after this long (default 1800) when offline or files keep changing
Exit code 6 when something cannot be synced (a name that is not valid UTF-8, a link, a special
file): it is listed with the reason (--json: leftOut); rename it or list it in .cloudhpcignore.`,
  examples: [
    'cloudhpc-sync push ~/cases/room_fire                 # the first push makes the folder a project',
    'cloudhpc-sync push ~/cases/room_fire --dry-run       # what it would send and cost, no API call',
    'cloudhpc-sync push ~/cases/hall --folder hall_2026   # another storage folder name',
  ],
  valueFlags: ['folder', 'timeout'],
  boolFlags: ['confirm-deletes', 'dry-run'],
  async run(args, ctx, signal) {
    const dir = args.positional[0];
    if (!dir || args.positional.length > 1) throw new UsageError('push takes exactly one folder.');
    const dry = args.flags.has('dry-run');
    const ws = await ctx.workspace({ api: !dry });
    const project = ws.ensureProject(dir, { storageFolder: flagString(args, 'folder') });
    const off = ws.on('projectState', followStatus(ctx));
    // What went up, as the activity history says it ("Pushed 3 files, deleted 1").
    const offActivity = ws.on('activity', (a) => { if (!ctx.json && a.projectId === project.id && (a.kind === 'pushed' || a.kind === 'snapshot')) sayOver(ctx, `${project.storageFolder}: ${a.message}.`); });
    // Ctrl-C: stop transfers in flight now (the index stays consistent; a rerun continues).
    const onAbort = (): void => { void ws.close(); };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (dry) {
        const plan = await ws.previewPush(project.id);
        if (ctx.json) {
          ctx.printJson({
            projectId: project.id, dir: project.localDir, storageFolder: project.storageFolder, strategy: plan.strategy, apiCalls: plan.apiCalls, bytes: plan.bytes,
            reason: plan.reason, changed: plan.changed.map((f) => f.path), deletes: plan.deletes, deleteArchiveFirst: plan.deleteArchiveFirst, massDelete: plan.massDelete,
          });
        } else {
          ctx.out(`${project.storageFolder}: ${plan.strategy === 'none' ? 'nothing to push' : `${plan.strategy}, ${plan.apiCalls} API calls, ${plan.bytes} bytes`}. ${plan.reason}`);
        }
        return EXIT.OK;
      }
      const r = await ws.push(project.id, { confirmDeletes: args.flags.has('confirm-deletes'), timeoutMs: flagNumber(args, 'timeout', 1800) * 1000, signal });
      if (ctx.json) {
        ctx.printJson({ projectId: project.id, dir: project.localDir, storageFolder: project.storageFolder, state: ws.status(project.id).state, pushed: true, lastStrategy: r.plan.strategy, complete: r.leftOut.length === 0, leftOut: r.leftOut });
      } else if (r.leftOut.length > 0) {
        // never "up to date" while something is left out
        ctx.out(`${project.storageFolder}: pushed what can be synced (${project.localDir}); ${leftOutLines(r.leftOut).join('\n')}`);
      } else {
        sayOver(ctx, `${project.storageFolder}: the cloud holds the case (${project.localDir}).`);
      }
      return r.leftOut.length > 0 ? EXIT.INCOMPLETE : EXIT.OK;
    } finally {
      off();
      offActivity();
      signal.removeEventListener('abort', onAbort);
    }
  },
};

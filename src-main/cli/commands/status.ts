// cloudhpc-sync status [<dir>]: what the app knows about the projects, without any API call.
// With a folder, it also scans it and shows what the next push would do and cost.
import { plural } from '../../common/format';
import type { Command } from '../command';
import { CliExit } from '../context';
import { EXIT } from '../exit-codes';
import { leftOutLines } from '../render';

export const status: Command = {
  name: 'status',
  summary: 'Show the projects and, for one folder, what the next push would cost (no API call)',
  usage: `cloudhpc-sync status [<dir>] [--json]
  Without a folder: every project. With one: what the next push would do and cost, and what needs you.`,
  examples: [
    'cloudhpc-sync status                      # the projects, when each last pushed',
    'cloudhpc-sync status ~/cases/room_fire    # the next push, conflicts, what needs you, recent activity',
  ],
  async run(args, ctx) {
    const ws = await ctx.workspace();
    const dir = args.positional[0];
    if (!dir) {
      const rows = ws.projects().map((p) => {
        const s = ws.summary(p.id);
        return { projectId: p.id, dir: p.localDir, storageFolder: p.storageFolder, paused: p.settings.paused, trackedFiles: s.trackedFiles, lastPushAt: s.lastPushAt, lastPullAt: s.lastPullAt, archive: s.archive, conflicts: ws.conflicts(p.id).length };
      });
      if (ctx.json) ctx.printJson({ projects: rows });
      else if (rows.length === 0) ctx.out('No projects yet. Start with: cloudhpc-sync push <dir>');
      else for (const r of rows) ctx.out(`${r.storageFolder}\t${r.dir}\t${r.paused ? 'paused' : 'active'}\t${r.trackedFiles} files\tlast push ${r.lastPushAt ? new Date(r.lastPushAt).toISOString() : 'never'}${r.conflicts ? `\t${plural(r.conflicts, 'conflict')}` : ''}`);
      return EXIT.OK;
    }
    const project = ws.projectByDir(dir);
    if (!project) throw new CliExit(EXIT.USAGE, `${dir} is not a project. Push it once to create it: cloudhpc-sync push ${dir}`);
    const plan = await ws.previewPush(project.id);
    const st = ws.status(project.id);
    const activity = ws.activity(project.id, 10);
    const conflicts = ws.conflicts(project.id);
    const attentions = ws.attentions(project.id);
    if (ctx.json) {
      ctx.printJson({ projectId: project.id, dir: project.localDir, storageFolder: project.storageFolder, paused: project.settings.paused, settings: project.settings, nextPush: { strategy: plan.strategy, apiCalls: plan.apiCalls, bytes: plan.bytes, reason: plan.reason, changed: plan.changed.length, deletes: plan.deletes.length, massDelete: plan.massDelete }, leftOut: st.leftOut, leftOutCount: st.leftOutCount, pendingFiles: st.pendingFiles, lastPushAt: st.lastPushAt, lastPullAt: st.lastPullAt, conflicts, attentions, activity });
    } else {
      ctx.out(`${project.storageFolder} (${project.localDir})${project.settings.paused ? ' [paused]' : ''}`);
      ctx.out(plan.strategy === 'none' ? (st.leftOutCount > 0 ? '  nothing to push' : '  up to date: nothing to push') : `  next push: ${plan.strategy}, ${plan.apiCalls} API calls, ${plan.bytes} bytes — ${plan.reason}`);
      for (const line of leftOutLines(st.leftOut, st.leftOutCount)) ctx.out(`  ${line}`);
      if (plan.massDelete) ctx.out(`  needs confirmation: ${plural(plan.massDelete.count, 'deletion')} (limit ${plan.massDelete.limit}): ${plan.massDelete.paths.slice(0, 5).join(', ')}${plan.massDelete.count > 5 ? ', …' : ''}; push with --confirm-deletes, or restore them from the app`);
      for (const a of attentions.filter((x) => x.code !== 'conflicts' && x.code !== 'mass-delete' && x.code !== 'left-out')) ctx.out(`  ${a.severity === 'error' ? 'needs you' : 'note'}: ${a.message}`);
      for (const c of conflicts) ctx.out(`  conflict: ${c.path} (cloud version: ${c.copy}) — ${c.reason}`);
      for (const a of activity) ctx.out(`  ${new Date(a.at).toISOString()} ${a.kind}: ${a.message}`);
    }
    return EXIT.OK;
  },
};

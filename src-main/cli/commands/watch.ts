// cloudhpc-sync watch <dir>...: keep the folders pushed until Ctrl-C (foreground).
import { UsageError } from '../args';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { followStatus, sayOver } from '../render';

export const watch: Command = {
  name: 'watch',
  summary: 'Watch case folders and push changes until Ctrl-C',
  usage: `cloudhpc-sync watch <dir>... [--json]
  Each folder becomes a project (storage folder = its name) when it is not one yet.
  --json prints one JSON line per state change.`,
  examples: [
    'cloudhpc-sync watch ~/cases/room_fire ~/cases/cavity   # push every change of both until Ctrl-C',
    'cloudhpc-sync watch ~/cases/room_fire --json | jq .    # one JSON line per event, for scripts',
  ],
  async run(args, ctx, signal) {
    if (args.positional.length === 0) throw new UsageError('watch needs at least one folder.');
    const ws = await ctx.workspace({ api: true });
    const projects = args.positional.map((d) => ws.ensureProject(d));
    const off = ws.on('projectState', followStatus(ctx, true));
    const offActivity = ws.on('activity', (a) => {
      if (ctx.json) ctx.printJson({ event: 'activity', ...a });
      else sayOver(ctx, `${ws.registry.get(a.projectId)?.storageFolder ?? a.projectId}: ${a.message}`);
    });
    try {
      await ws.watch(projects.map((p) => p.id));
      if (!ctx.json) ctx.out(`Watching ${projects.map((p) => `${p.localDir} -> ${p.storageFolder}`).join(', ')}. Ctrl-C stops.`);
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      if (!ctx.json) ctx.out('Stopping...');
      return EXIT.OK;
    } finally {
      off();
      offActivity();
    }
  },
};

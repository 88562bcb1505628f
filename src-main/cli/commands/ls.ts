// cloudhpc-sync ls [PATH]: a folder of the cloudHPC storage (the root by default). There is no
// list-by-path call: the walk from the root costs a listing per level, shown in the footer.
import { UsageError } from '../args';
import type { Command } from '../command';
import { EXIT } from '../exit-codes';
import { isStorageRefused } from '../../node/storage';
import { itemJson, listingFooter, listingLines } from '../storage-render';

export const ls: Command = {
  name: 'ls',
  summary: 'List a folder of the cloudHPC storage (the root by default)',
  usage: `cloudhpc-sync ls [PATH] [--long] [--refresh] [--json]
  PATH        a storage folder or file, e.g. caseA or caseA/system (default: the storage root)
  --long      type, size and date of each item
  --refresh   ask cloudHPC to refresh its own listing cache first (1 more call: shows files written since)
Each level walked from the root costs at least one API call (more for long folders); the footer (on
stderr) says how many this listing took.`,
  boolFlags: ['long', 'refresh'],
  async run(args, ctx) {
    if (args.positional.length > 1) throw new UsageError('ls takes at most one storage path.');
    const path = args.positional[0] ?? '';
    const ws = await ctx.workspace({ api: true });
    try {
      const r = await ws.storage.list(path, { refresh: args.flags.has('refresh') });
      if (ctx.json) ctx.printJson({ path: r.listing.path, items: r.listing.items.map(itemJson), refused: r.listing.refused, apiCalls: r.spent, listedAt: new Date(r.listing.listedAt).toISOString() });
      else {
        for (const line of listingLines(r.listing, args.flags.has('long'))) ctx.out(line);
        ctx.err(listingFooter(r.listing, r.spent, r.cached));
      }
      return EXIT.OK;
    } catch (e) {
      // A file: shown as ls shows one file.
      if (!isStorageRefused(e) || e.code !== 'not-a-folder' || path === '') throw e;
      const { item, spent } = await ws.storage.catalog.item(path);
      if (ctx.json) ctx.printJson({ path: item.name, items: [itemJson(item)], refused: 0, apiCalls: spent });
      else for (const line of listingLines({ items: [item] }, args.flags.has('long'))) ctx.out(line);
      return EXIT.OK;
    }
  },
};

// What the storage commands (ls, get, rm, pull --folder) print: listings, plans with their cost before
// anything is spent, transfer progress, results. Typed data in, lines out.
import type { StorageItem } from '../node/api/types';
import { formatBytes, plural } from '../common/format';
import { storageText, type DeletePlan, type DownloadPlan, type Listing, type OpenPlan, type StorageProgress, type TransferResult } from '../node/storage';
import type { OpenResult } from '../node/workspace';
import type { CliContext } from './context';
import { transferLine } from './render';


/** One item as --json shows it. */
export function itemJson(i: StorageItem): Record<string, unknown> {
  return { name: i.basename, path: i.name, type: i.type, size: i.size, createdAt: i.timeCreated };
}

export function listingLines(l: Pick<Listing, 'items'>, long: boolean): string[] {
  const items = [...l.items].sort((a, b) => (a.type === b.type ? a.basename.localeCompare(b.basename) : a.type === 'dir' ? -1 : 1));
  if (!long) return items.map((i) => (i.type === 'dir' ? `${i.basename}/` : i.basename));
  return items.map((i) => `${i.type === 'dir' ? 'dir ' : 'file'}  ${(i.type === 'dir' ? '-' : formatBytes(i.size ?? 0)).padStart(8)}  ${(i.timeCreated ?? '-').padEnd(20)}  ${i.type === 'dir' ? `${i.basename}/` : i.basename}`);
}

/** The listing's footer: what it holds and what it cost. */
export function listingFooter(l: Listing, spent: number, cached: boolean): string {
  const files = l.items.filter((i) => i.type === 'file');
  const bytes = files.reduce((n, f) => n + (f.size ?? 0), 0);
  const refused = l.refused > 0 ? `; ${plural(l.refused, 'name')} left out (not a plain name under this folder)` : '';
  return `${l.path || '(storage root)'}: ${plural(l.items.length - files.length, 'folder')}, ${plural(files.length, 'file')} (${formatBytes(bytes)})${refused}; ${cached ? 'cached listing' : plural(spent, 'API call')}.`;
}

export function downloadPlanLines(p: DownloadPlan): string[] {
  const lines = [`Downloading ${p.sources.join(', ') || '(storage root)'} into ${p.dest}: ${storageText.cost(p.files, p.bytes, p.calls)}${p.listingCalls ? ` (listing spent ${plural(p.listingCalls, 'call')})` : ''}.`];
  for (const r of p.refused) lines.push(`  refused: ${r.name}: ${r.reason}`);
  return lines;
}

export function openPlanLines(p: OpenPlan): string[] {
  const lines = [`Opening the storage folder ${p.folder} into ${p.dir}${p.create ? ' (new folder)' : ''}: ${storageText.cost(p.plain + p.inputArchives.length, p.bytes, p.calls)}${p.listingCalls ? ` (listing spent ${plural(p.listingCalls, 'call')})` : ''}.`];
  for (const a of p.inputArchives) {
    lines.push(a.adopt ? `  ${a.item.basename}: extracted here and kept as the project's input archive (nothing uploaded)` : `  ${a.item.basename}: extracted here; the project's own files replace it in the storage (about ${plural(p.replaceCalls, 'more call')})`);
  }
  for (const w of p.warnings) lines.push(`  note: ${w.message}`);
  return lines;
}

export function deletePlanLines(p: DeletePlan, shown = 20): string[] {
  const what = p.item.type === 'dir' ? `the folder ${p.path} (${plural(p.files, 'file')}, ${formatBytes(p.bytes)})` : `${p.path} (${formatBytes(p.bytes)})`;
  const lines = [`Deletes ${what} from the cloudHPC storage: ${plural(p.calls, 'API call')}${p.listingCalls ? ` (listing spent ${plural(p.listingCalls, 'call')})` : ''}.`];
  if (p.item.type === 'dir') {
    for (const s of p.sample.slice(0, shown)) lines.push(`  ${s}`);
    if (p.files > shown) lines.push(`  ... and ${p.files - shown} more`);
  }
  const pr = p.project;
  if (pr) {
    lines.push(`It is in a project's storage folder: ${plural(pr.ours, 'file')} the project put in the cloud go; ${pr.pushedAgain} of them are still local and are pushed again at its next sync.`);
    if (pr.massDelete) lines.push(`That is more than the project's mass-delete limit (${pr.massDelete.limit}): add --confirm-deletes too.`);
  }
  return lines;
}

/** A transfer for a person: what landed, conflicts, refusals with their reason, failures. */
export function transferLines(what: string, r: TransferResult, shown = 20): string[] {
  const lines = [`${what}: downloaded ${plural(r.downloaded.length, 'file')} (${formatBytes(r.bytes)}; ${r.written.length} written, ${plural(r.conflicts.length, 'conflict')}, ${r.upToDate} already there; ${plural(r.apiCalls, 'API call')}).`];
  for (const c of r.conflicts.slice(0, shown)) lines.push(`  conflict: kept your ${c.path}; the cloud version is beside it as ${c.copy} (${c.reason})`);
  if (r.refused.length > 0) {
    lines.push(`Refused ${plural(r.refused.length, 'name')}: not written, nothing outside ${r.dest} was touched.`);
    for (const x of r.refused.slice(0, shown)) lines.push(`  ${x.archive ? `${x.archive}: ` : ''}${x.name.replace(/[\u0000-\u001f]/g, '?')}: ${x.reason}`);
  }
  for (const w of r.warnings) lines.push(`Warning: ${w.message}`);
  if (r.failed.length > 0) {
    lines.push(`Not downloaded: ${plural(r.failed.length, 'file')}; run the command again to retry:`);
    for (const f of r.failed.slice(0, shown)) lines.push(`  ${f.name}: ${f.message}`);
  }
  return lines;
}

export function openResultLines(r: OpenResult): string[] {
  const lines = transferLines(r.folder, r.transfer);
  if (r.adopted) lines.push(`${r.adopted} is the project's input archive now.`);
  if (r.replaced.length > 0) lines.push(`Replaced ${r.replaced.join(', ')} in the storage by the project's own files.`);
  lines.push(`${r.dir} is a project now, synced with the storage folder ${r.folder} (${plural(r.apiCalls, 'API call')} in all).`);
  return lines;
}

/** Transfer progress: one redrawn line on a terminal, a line per file otherwise (none with --json). */
export function followTransfer(ctx: CliContext, label: string): (p: StorageProgress) => void {
  let last = '';
  return (p) => {
    if (ctx.json) return;
    if (ctx.tty) {
      const cols = Math.max(40, (ctx.stdout.columns ?? 80) - 1);
      ctx.stdout.write(`\r${transferLine(label, p).slice(0, cols).padEnd(cols)}`);
      return;
    }
    const line = `${label}: ${p.phase}${p.current ? ` ${p.current}` : ''}`;
    if (line === last) return;
    last = line;
    ctx.out(line);
  };
}

/** Ends a redrawn progress line before the next output. */
export function endProgress(ctx: CliContext): void {
  if (ctx.tty) ctx.stdout.write('\n');
}

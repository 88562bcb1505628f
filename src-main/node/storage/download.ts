// Downloading files and folders of the storage to a chosen local folder. The plan (what goes where,
// how many bytes, what it costs) is made first from the catalog, so the cost is shown before anything
// is downloaded; the download then reuses the pull's pieces as they are: temp file + fsync + rename,
// never overwriting a local file that differs (the cloud version goes beside it), safe extraction of
// result archives, names refused with a reason. Outside a project there is no project index: the pull
// records into a throwaway in-memory one.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { StorageItem } from '../api/types';
import { checkPortableName, RootedFolder } from '../rooted-path';
import { IndexStore } from '../sync/index-store';
import { isDefaultResult, pullProject } from '../sync/pull';
import type { StorageCatalog } from './catalog';
import { StorageRefused } from './errors';
import { storageText } from './messages';
import { normaliseStoragePath, relativeTo, storageBase, storageParent } from './paths';
import type { StorageCloud } from './port';
import { addPull, emptyTransfer, TransferMeter, type StorageProgress, type TransferResult } from './transfer';

/** Files of one storage folder that go to one local folder. */
export interface DownloadGroup {
  /** The storage folder they are under. */
  base: string;
  /** The local folder they go to (absolute). */
  into: string;
  /** Their place under the destination ('' or 'caseA/'): results name files relative to the destination. */
  prefix: string;
  files: StorageItem[];
}

export interface DownloadPlan {
  /** 'download': files and folders as they are; 'results': the result files of a run's folder. */
  kind: 'download' | 'results';
  /** Storage paths asked for. */
  sources: string[];
  /** The local destination (absolute). */
  dest: string;
  /** Extract result archives on the way (safe extraction, as pulls do). */
  extract: boolean;
  groups: DownloadGroup[];
  files: number;
  bytes: number;
  /** API calls the download will cost (one per file; transfers on signed URLs are not calls). */
  calls: number;
  /** API calls the plan spent listing folders (already spent). */
  listingCalls: number;
  /** Sources that cannot be written under the destination, and names the listings gave that fit nowhere: not downloaded, with the reason. */
  refused: { name: string; reason: string }[];
}

export interface TransferHooks {
  signal?: AbortSignal;
  onProgress?: (p: StorageProgress) => void;
}

/** The local destination: resolved; refused when it is a file. */
export async function checkDestination(dest: string): Promise<string> {
  const abs = path.resolve(dest);
  const st = await stat(abs).catch(() => null);
  if (st && !st.isDirectory()) throw new StorageRefused('not-a-local-folder', storageText.destinationIsAFile(abs));
  return abs;
}

function totals(groups: DownloadGroup[]): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const g of groups) {
    files += g.files.length;
    for (const f of g.files) bytes += f.size ?? 0;
  }
  return { files, bytes };
}

/** What downloading these storage paths into `dest` means: files, bytes, calls (lists what is not cached). */
export async function planDownload(catalog: StorageCatalog, o: { sources: string[]; dest: string; extract: boolean }): Promise<DownloadPlan> {
  const dest = await checkDestination(o.dest);
  const root = new RootedFolder(dest);
  const groups: DownloadGroup[] = [];
  const refused: DownloadPlan['refused'] = [];
  let listingCalls = 0;
  const op = catalog.operation(); // every listing of this plan within one budget-derived cap
  for (const raw of o.sources) {
    const src = normaliseStoragePath(raw);
    if (src === '') {
      const w = await catalog.walk('', op);
      listingCalls += w.spent;
      for (const name of w.refused) refused.push({ name, reason: storageText.notUnder('') });
      groups.push({ base: '', into: dest, prefix: '', files: w.files });
      continue;
    }
    const { item, spent } = await catalog.item(src, op);
    listingCalls += spent;
    if (item.type === 'file') {
      groups.push({ base: storageParent(src)!, into: dest, prefix: '', files: [item] });
      continue;
    }
    const name = storageBase(src);
    const check = checkPortableName(name);
    if (!check.ok) {
      refused.push({ name, reason: check.reason });
      continue;
    }
    const w = await catalog.walk(src, op);
    listingCalls += w.spent;
    for (const n of w.refused) refused.push({ name: n, reason: storageText.notUnder(src) });
    groups.push({ base: src, into: root.join(name), prefix: `${name}/`, files: w.files });
  }
  const t = totals(groups);
  return { kind: 'download', sources: o.sources.map(normaliseStoragePath), dest, extract: o.extract, groups, ...t, calls: t.files, listingCalls, refused };
}

/** The result files of a run's storage folder (what a pull takes by default), listed afresh, to go into `dest` itself. */
export async function planResults(catalog: StorageCatalog, o: { folder: string; dest: string; extract: boolean }): Promise<DownloadPlan> {
  const dest = await checkDestination(o.dest);
  const folder = normaliseStoragePath(o.folder);
  // Results are written after the folder was maybe listed: ask the service afresh (its cache too).
  const r = await catalog.list(folder, { refresh: true });
  const files = r.listing.items.filter((i) => i.type === 'file' && isDefaultResult(i.basename));
  const groups = [{ base: folder, into: dest, prefix: '', files }];
  const t = totals(groups);
  return { kind: 'results', sources: [folder], dest, extract: o.extract, groups, ...t, calls: t.files, listingCalls: r.spent, refused: [] };
}

/** Downloads a plan's files (see the header for the rules). */
export async function download(cloud: StorageCloud, plan: DownloadPlan, hooks: TransferHooks = {}): Promise<TransferResult> {
  const result = emptyTransfer(plan.dest);
  const meter = new TransferMeter(plan.files, plan.bytes, (p) => hooks.onProgress?.(p));
  await mkdir(plan.dest, { recursive: true });
  const root = new RootedFolder(plan.dest);
  for (const g of plan.groups) {
    if (g.prefix !== '') await root.parentForWrite(`${g.prefix}.cloudhpc-probe`);
    // The pull's temp area, one of our own per transfer (same file system as the destination), removed after.
    const area = `.cloudhpc-get-${randomBytes(6).toString('hex')}`;
    const index = IndexStore.open(':memory:');
    const size = new Map(g.files.map((f) => [relativeTo(f.name, g.base), f.size ?? 0]));
    try {
      const r = await pullProject({
        client: cloud,
        index,
        projectDir: g.into,
        storageFolder: g.base,
        listed: { items: g.files, take: () => true },
        settings: { pullEverything: true, extractArchives: plan.extract, keepArchives: false, refreshCache: false, priority: 'background' },
        appDirName: area,
        signal: hooks.signal,
        onProgress: (p) => meter.pull(g.prefix, p),
      });
      addPull(result, r, g.prefix, (rel) => size.get(rel) ?? 0);
    } finally {
      index.close();
      await rm(path.join(g.into, area), { recursive: true, force: true });
    }
  }
  meter.finishCurrent();
  return result;
}

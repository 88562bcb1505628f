// Opening a case from the cloud: a top-level storage folder and a new or empty local folder (or, when
// the person chose it, a folder whose files are all kept: "merge") become an ordinary project. Its
// whole content comes down the way pulls bring files (temp + rename, conflict copies, refusals), then
// the input archives the service extracts at every start are extracted over it, oldest first, as the
// service would, so the folder holds what the next run would see.
//
// The project then takes the inputs over, so its sync engine keeps its invariant from the first edit
// on (sync/README.md):
// - `upload.tar.gz` (the app's own name, also the provider's clients'): adopted as the project's
//   archive, as if the project had pushed it; nothing is uploaded.
// - another input archive (an older bash client's `<case>.tar.gz`, the web app's upload): the engine
//   only manages upload.tar.gz, and an archive it does not know would be extracted again at the next
//   start over single-file edits. Its files become the project's own; the workspace pushes what the
//   storage does not already hold as files, then deletes that archive (its content is then in storage).
// - zip/7z/rar inputs cannot be opened here: downloaded as they are, with a warning.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { StorageItem } from '../api/types';
import { caseFolder, checkStorageName, type Project } from '../project';
import { RootedFolder } from '../rooted-path';
import { sha256File } from '../sync/hasher';
import type { IndexStore } from '../sync/index-store';
import { ownerTag, removeStaleTemps } from '../sync/stale-temp';
import { APP_DIR_NAME, ARCHIVE_NAME } from '../sync/paths';
import { extractArchive, isSkipped, pullProject, type ExtractResult } from '../sync/pull';
import type { StorageCatalog } from './catalog';
import type { TransferHooks } from './download';
import { StorageRefused } from './errors';
import { inputArchiveKind } from './inputs';
import { storageText } from './messages';
import { normaliseStoragePath, relativeTo } from './paths';
import type { StorageCloud } from './port';
import { addPull, emptyTransfer, TransferMeter, type TransferResult } from './transfer';

export interface OpenWarning {
  code: 'zip-input' | 'skipped-bundles' | 'merge' | 'refused-names';
  message: string;
}

export interface OpenPlan {
  /** The top-level storage folder. */
  folder: string;
  /** The local folder (absolute). */
  dir: string;
  /** The local folder does not exist yet: it is created. */
  create: boolean;
  /** Entries already in the local folder (0: empty). */
  localEntries: number;
  merge: boolean;
  /** Every file of the storage folder, at any depth. */
  files: StorageItem[];
  /** Files downloaded as they are. */
  plain: number;
  /** Input archives extracted over the folder (oldest first); `adopt`: the project's own upload.tar.gz. */
  inputArchives: { item: StorageItem; adopt: boolean }[];
  bytes: number;
  /** Download calls: one per file and per input archive. */
  calls: number;
  /** Calls to put the project's own archive in place of the other input archives (0 when there are none). */
  replaceCalls: number;
  /** Calls the plan spent listing (already spent). */
  listingCalls: number;
  warnings: OpenWarning[];
  /** An earlier open of this folder here did not finish: this one continues it. */
  continuing: string | null;
}

export interface OpenCaseResult {
  transfer: TransferResult;
  /** upload.tar.gz, taken over as the project's archive. */
  adopted: string | null;
  /** Other input archives whose content the project now holds: replaced once it is pushed. */
  replace: StorageItem[];
}

/** Entries of a local folder (0 when it does not exist), and whether it exists. */
async function localFolder(dir: string): Promise<{ exists: boolean; entries: number }> {
  const st = await stat(dir).catch(() => null);
  if (!st) return { exists: false, entries: 0 };
  if (!st.isDirectory()) throw new StorageRefused('not-a-local-folder', storageText.destinationIsAFile(dir));
  return { exists: true, entries: (await readdir(dir)).length };
}

async function canonical(dir: string): Promise<string> {
  return realpath(dir).catch(() => dir);
}

const isTopLevel = (rel: string): boolean => !rel.includes('/');

/**
 * What opening `folder` into `dir` means. `opening(projectId)`: that project's open did not finish
 * (it may be continued in its own folder, whatever that holds now).
 */
export async function planOpen(catalog: StorageCatalog, o: { folder: string; dir: string; merge: boolean; projects: Project[]; opening: (projectId: string) => boolean }): Promise<OpenPlan> {
  const folder = normaliseStoragePath(o.folder);
  if (folder === '' || folder.includes('/')) throw new StorageRefused('not-a-project-folder', storageText.notTopLevel(folder));
  const name = checkStorageName(folder);
  if (!name.ok) throw new StorageRefused('not-a-project-folder', storageText.badFolderName(name.message));
  const dir = path.resolve(o.dir);
  const local = await localFolder(dir);
  const here = local.exists ? await canonical(dir) : dir;
  let continuing: string | null = null;
  for (const p of o.projects) {
    if (p.storageFolder === folder) {
      if (p.localDir === here && o.opening(p.id)) continuing = p.id;
      else throw new StorageRefused('already-a-project', storageText.folderIsAProject(folder, p.localDir));
    } else if (p.localDir === here) {
      throw new StorageRefused('already-a-project', storageText.dirIsAProject(here, p.storageFolder));
    }
  }
  if (local.entries > 0 && !o.merge && !continuing) throw new StorageRefused('not-empty', storageText.notEmpty(dir, local.entries));
  const op = catalog.operation(); // the plan's listings within one budget-derived cap
  const root = await catalog.list('', op);
  const item = root.listing.items.find((i) => i.basename === folder);
  if (!item) throw new StorageRefused('not-found', storageText.notFound(folder));
  if (item.type !== 'dir') throw new StorageRefused('not-a-folder', storageText.notAFolder(folder));
  const walk = await catalog.walk(folder, op);
  const inputs: { item: StorageItem; adopt: boolean }[] = [];
  const warnings: OpenWarning[] = [];
  let plain = 0;
  let skipped = 0;
  let bytes = 0;
  for (const f of walk.files) {
    const rel = relativeTo(f.name, folder);
    const kind = isTopLevel(rel) ? inputArchiveKind(f.basename) : null;
    if (kind === 'tar') inputs.push({ item: f, adopt: f.basename === ARCHIVE_NAME });
    else if (isSkipped(f.basename)) {
      skipped++;
      continue;
    } else {
      if (kind === 'other') warnings.push({ code: 'zip-input', message: storageText.zipInput(f.basename) });
      plain++;
    }
    bytes += f.size ?? 0;
  }
  inputs.sort((a, b) => (a.item.timeCreated ?? '').localeCompare(b.item.timeCreated ?? '') || a.item.basename.localeCompare(b.item.basename));
  if (skipped > 0) warnings.push({ code: 'skipped-bundles', message: storageText.skippedBundles(skipped) });
  if (walk.refused.length > 0) warnings.push({ code: 'refused-names', message: storageText.refusedNames(walk.refused.length, folder) });
  if (local.entries > 0) warnings.push({ code: 'merge', message: storageText.mergeKept(local.entries) });
  const foreign = inputs.filter((i) => !i.adopt).length;
  return {
    folder,
    dir,
    create: !local.exists,
    localEntries: local.entries,
    merge: o.merge,
    files: walk.files,
    plain,
    inputArchives: inputs,
    bytes,
    calls: plain + inputs.length,
    // the push of what storage lacks (an archive and its cache refresh), one deletion each, a cache refresh
    replaceCalls: foreign > 0 ? 2 + foreign + 1 : 0,
    listingCalls: root.spent + walk.spent,
    warnings,
    continuing,
  };
}

interface Extracted {
  item: StorageItem;
  adopt: boolean;
  sha256: string;
  members: Record<string, string>;
  damaged: boolean;
}

/**
 * The download part of an open, into the project's folder and index (the caller holds the project's
 * engine lock): every file as it is, then the input archives extracted over them, then the project
 * takes the inputs over (see the header).
 */
export async function openCase(o: { cloud: StorageCloud; index: IndexStore; dir: string; plan: OpenPlan; extractArchives: boolean; appHome?: string } & TransferHooks): Promise<OpenCaseResult> {
  const { cloud, index, dir, plan } = o;
  const meter = new TransferMeter(plan.plain + plan.inputArchives.length, plan.bytes, (p) => o.onProgress?.(p));
  const result = emptyTransfer(dir);
  const size = new Map(plan.files.map((f) => [relativeTo(f.name, plan.folder), f.size ?? 0]));
  const inputNames = new Set(plan.inputArchives.map((i) => i.item.name));
  const r = await pullProject({
    client: cloud,
    index,
    projectDir: dir,
    storageFolder: plan.folder,
    listed: { items: plan.files, take: (item) => !inputNames.has(item.name) && !isSkipped(item.basename) },
    settings: { pullEverything: true, extractArchives: o.extractArchives, keepArchives: false, refreshCache: false, priority: 'background' },
    appHome: o.appHome,
    signal: o.signal,
    onProgress: (p) => meter.pull('', p),
  });
  addPull(result, r, '', (rel) => size.get(rel) ?? 0);
  meter.finishCurrent();

  const extracted: Extracted[] = [];
  for (const a of plan.inputArchives) {
    const x = await extractInput(cloud, index, dir, o.appHome, a.item, meter, o.signal, () => { result.apiCalls++; });
    result.downloaded.push(a.item.basename);
    result.bytes += a.item.size ?? 0;
    for (const oc of x.ex?.outcomes ?? []) {
      if (oc.kind === 'written' || oc.kind === 'updated') result.written.push(oc.rel);
      else if (oc.kind === 'conflict' && oc.conflict) result.conflicts.push(oc.conflict);
    }
    for (const m of x.ex?.refused ?? []) result.refused.push({ source: 'archive', name: m.name, archive: a.item.basename, code: m.code, reason: m.reason });
    if (x.damaged) result.warnings.push({ code: 'damaged-archive', archive: a.item.basename, message: storageText.damagedInput(a.item.basename, x.damaged) });
    extracted.push({ item: a.item, adopt: a.adopt, sha256: x.sha256, members: x.ex?.members ?? {}, damaged: x.damaged !== null });
  }
  meter.finishCurrent();
  return adoptInputs(index, extracted, result);
}

/** Downloads one input archive into the project's app area and extracts it over the case (its one rooted folder: the app's areas reserved). */
async function extractInput(cloud: StorageCloud, index: IndexStore, dir: string, appHome: string | undefined, item: StorageItem, meter: TransferMeter, signal: AbortSignal | undefined, onCall: () => void): Promise<{ ex: ExtractResult | null; sha256: string; damaged: string | null }> {
  const area = new RootedFolder(dir); // the app's own temp area in the case, which the case's root reserves
  const root = caseFolder(dir, appHome);
  await area.parentForWrite(`${APP_DIR_NAME}/pull-tmp/x`);
  // named with this process's id, so the next open removes what a killed one left (as pulls do)
  const tmpRoot = area.join(`${APP_DIR_NAME}/pull-tmp`);
  await removeStaleTemps(tmpRoot, 'open');
  const runTmp = path.join(tmpRoot, `open-${ownerTag()}-${Date.now()}-${randomBytes(4).toString('hex')}`);
  await mkdir(runTmp);
  const app = APP_DIR_NAME.toLowerCase();
  try {
    const file = path.join(runTmp, 'input');
    const url = await cloud.downloadUrl(item.id, { priority: 'background', signal, onCall });
    const got = await cloud.downloadToFile(url, file, { signal, priority: 'background', expectedSize: item.size, onProgress: (p) => meter.file(item.basename, p.bytes, item.size ?? 0) });
    const sha256 = got.sha256 ?? (await sha256File(file, signal));
    meter.file(item.basename, item.size ?? 0, item.size ?? 0, 'extracting');
    try {
      const ex = await extractArchive({
        archivePath: file,
        root,
        tmpDir: runTmp,
        index,
        now: new Date(),
        reserved: (rel) => rel.toLowerCase() === app || rel.toLowerCase().startsWith(`${app}/`) || root.isReserved(rel),
        signal,
      });
      return { ex, sha256, damaged: ex.warnings[0] ?? null };
    } catch (e) {
      const code = (e as { code?: unknown } | null)?.code;
      if (signal?.aborted || typeof code !== 'string' || !(code.startsWith('Z_') || code.startsWith('TAR_'))) throw e;
      return { ex: null, sha256, damaged: (e as Error).message };
    }
  } finally {
    await rm(runTmp, { recursive: true, force: true });
  }
}

/** The project takes the inputs over (see the header); returns the archives to replace. */
function adoptInputs(index: IndexStore, extracted: Extracted[], transfer: TransferResult): OpenCaseResult {
  let adopted: string | null = null;
  const replace: StorageItem[] = [];
  index.transaction(() => {
    for (const x of extracted) {
      const entries = Object.entries(x.members);
      if (x.adopt) {
        index.setArchiveHashes(entries);
        for (const [rel, sha] of entries) {
          const rec = index.get(rel);
          if (rec && rec.origin === 'pulled' && rec.sha256 === sha) index.patch(rel, { origin: 'pushed' });
        }
        index.setArchive({
          present: true, uploadedAt: Date.parse(x.item.timeCreated ?? '') || Date.now(), sha256: x.sha256, size: x.item.size, fileCount: entries.length,
          extracted: false, extractedAt: null, runsSinceUpload: 0,
        });
        adopted = x.item.basename;
        index.addActivity('info', storageText.activity.adopted(x.item.basename, entries.length));
        continue;
      }
      // Files it holds are the project's from now on: a file also in storage with that content is a
      // file the project has in the cloud; the others are pushed before the archive goes.
      for (const [rel, sha] of entries) {
        const rec = index.get(rel);
        if (rec && rec.origin === 'pulled' && rec.sha256 === sha) index.patch(rel, { origin: rec.storageSha256 === sha ? 'pushed' : 'local' });
      }
      if (!x.damaged) replace.push(x.item);
    }
  });
  return { transfer, adopted, replace };
}

// One pull of a project: find what is new in its storage folder for the fewest API calls, download
// each file into the app's temp area of the project, then put it in place (single files) or
// extract it in place (result archives) without ever overwriting a local file that differs.
// See README.md for the rules and the cost model.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { ListingAllowance } from '../../api/listing-allowance';
import type { CallOptions, Priority, StorageItem, TransferOptions } from '../../api/types';
import { caseFolder } from '../../project/case-folder';
import { checkPortableName, RootedFolder } from '../../rooted-path';
import { errorText, isNotFound } from '../cloud-port';
import { sha256File } from '../hasher';
import type { IndexStore } from '../index-store';
import { ownerTag, removeStaleTemps } from '../stale-temp';
import { extractArchive, type ExtractResult } from './extract';
import { pullText } from './messages';
import { placeFile, type PlaceOutcome } from './place';
import { PendingRecords } from './records';
import { failureOf, refusalOf, type PullResult, type RefusalCode } from './result';
import { familyOfFiles, familyOfScript, isDefaultResult, isResultArchive, isSkipped, planPull, type PullPlan, type SolverFamily } from './selection';

/** What the pull needs from the API client (CloudHpcClient satisfies it). */
export interface PullClient {
  deleteCache(opts?: CallOptions): Promise<boolean>;
  viewByPath(path: string, opts?: CallOptions): Promise<StorageItem>;
  /** A signed download link (view-url → mediaLink, else download/{id}; see api/client.ts). */
  downloadUrl(id: number, opts?: CallOptions): Promise<string>;
  /** Every child of a storage folder, all pages (never trusting a page count or size), and the calls it cost. */
  listChildren(parentId: number, opts?: CallOptions & { onPage?: () => void }): Promise<{ items: StorageItem[]; calls: number }>;
  /** A cap on the listing calls of one pull, derived from the budget (none: listings are capped per folder only). */
  listingAllowance?(): ListingAllowance;
  /**
   * Writes temp + fsync + rename at destPath; returns the sha256 of the bytes when it computed it.
   * `expectedSize` (the listed size) bounds the download and its deadline.
   */
  downloadToFile(url: string, destPath: string, opts?: TransferOptions & { expectedSize?: number | null }): Promise<{ sha256?: string | null }>;
}

export interface PullSettings {
  /** Pull every new file of the storage folder (recursively), not only results. Default false. */
  pullEverything: boolean;
  /** Extract solver result archives in place. Default true. */
  extractArchives: boolean;
  /** Also keep the result archive itself in the case folder after extracting it. Default false. */
  keepArchives: boolean;
  /** Solver script of the project's runs (e.g. 'fds6.9.1'): decides the result names to ask for. */
  script: string | null;
  /** Items per listing page of the service, for the cost estimate (default 100, as the framework matching the service). */
  pageSize: number;
  /** 'user' when the person asked for this pull now; 'background' otherwise. */
  priority: Priority;
  /**
   * Call delete-cache before looking (1 call): the service's listings do not show files its runs
   * wrote until then (or until its cache expires). Default true: pulls run when results are expected.
   */
  refreshCache: boolean;
}

export const DEFAULT_PULL_SETTINGS: PullSettings = {
  pullEverything: false,
  extractArchives: true,
  keepArchives: false,
  script: null,
  pageSize: 100,
  priority: 'background',
  refreshCache: true,
};

export interface PullProgress {
  phase: 'looking' | 'downloading' | 'extracting' | 'done';
  /** Remote file being handled (relative to the storage folder). */
  file?: string;
  filesDone: number;
  filesTotal: number;
  bytes?: number;
  total?: number | null;
  rate?: number;
  apiCalls: number;
}

export type PullLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface PullOptions {
  client: PullClient;
  index: IndexStore;
  projectDir: string;
  /** Top-level folder of the user's storage holding this case. */
  storageFolder: string;
  settings?: Partial<PullSettings>;
  signal?: AbortSignal;
  onProgress?: (p: PullProgress) => void;
  log?: PullLog;
  /** Clock for conflict names (default: real time). */
  now?: () => Date;
  /** The app's area inside the project (default <projectDir>/.cloudhpc-sync). */
  appDirName?: string;
  /** The app's data folder: never written when a case holds it. */
  appHome?: string;
  /**
   * The storage folder's files, already listed (recursively) by the caller, e.g. the storage browser:
   * no lookup call is made (no delete-cache either) and `take` decides which of them are pulled.
   */
  listed?: { items: StorageItem[]; take: (item: StorageItem, rel: string) => boolean };
}

interface SeenState {
  size: number | null;
  time: string | null;
  sha256: string;
  /** For an extracted archive: member path → hash. */
  members?: Record<string, string>;
}

const SEEN_PREFIX = 'pull.seen:';
const FOLDER_KEY = 'pull.folder';
const REFUSED_PREFIX = 'pull.refused:';

function readJson<T>(s: string | undefined): T | undefined {
  if (!s) return undefined;
  try {
    return JSON.parse(s) as T;
  } catch {
    return undefined;
  }
}

/** The API calls a pull would cost before downloads, and how it would look (no call made). */
export async function planProjectPull(opts: Pick<PullOptions, 'index' | 'projectDir' | 'storageFolder' | 'settings' | 'appDirName'>): Promise<PullPlan> {
  const settings = { ...DEFAULT_PULL_SETTINGS, ...opts.settings };
  const local = await localTopLevel(opts.projectDir, opts.appDirName ?? '.cloudhpc-sync');
  const cached = readJson<{ folder: string; id: number }>(opts.index.getMeta(FOLDER_KEY));
  return planPull({
    family: familyFor(settings, local),
    pullEverything: settings.pullEverything,
    localTopLevel: local,
    folderIdKnown: cached?.folder === opts.storageFolder,
    pageSize: settings.pageSize,
    refreshCache: settings.refreshCache,
  });
}

function familyFor(settings: PullSettings, local: string[]): SolverFamily | null {
  return familyOfScript(settings.script) ?? familyOfFiles(local);
}

async function localTopLevel(projectDir: string, appDirName: string): Promise<string[]> {
  const names: string[] = [];
  for (const e of await readdir(projectDir, { withFileTypes: true })) {
    if (e.name === appDirName) continue;
    names.push(e.name);
    if (e.name === 'system' && e.isDirectory()) {
      try {
        await stat(path.join(projectDir, 'system', 'controlDict'));
        names.push('system/controlDict');
      } catch {
        /* not OpenFOAM */
      }
    }
  }
  return names;
}

export async function pullProject(opts: PullOptions): Promise<PullResult> {
  const settings: PullSettings = { ...DEFAULT_PULL_SETTINGS, ...opts.settings };
  const { client, index, projectDir, storageFolder, signal } = opts;
  const log: PullLog = opts.log ?? (() => undefined);
  const now = opts.now ?? (() => new Date());
  const appDir = opts.appDirName ?? '.cloudhpc-sync';
  let apiCalls = 0;
  // every request the service answered for this pull (retries and repeated link asks included)
  // the listing calls of the whole pull are capped by the budget (a storage that invents folders or pages)
  const call: CallOptions = { priority: settings.priority, signal, onCall: () => { apiCalls++; }, listing: client.listingAllowance?.() };

  const local = await localTopLevel(projectDir, appDir);
  const cached = readJson<{ folder: string; id: number }>(index.getMeta(FOLDER_KEY));
  const plan: PullPlan = opts.listed
    ? { strategy: 'listing', lookupCalls: 0, names: [], reason: pullText.listedBefore() }
    : planPull({
      family: familyFor(settings, local),
      pullEverything: settings.pullEverything,
      localTopLevel: local,
      folderIdKnown: cached?.folder === storageFolder,
      pageSize: settings.pageSize,
      refreshCache: settings.refreshCache,
    });
  const result: PullResult = { downloaded: [], written: [], conflicts: [], refused: [], keptLocal: [], failed: [], warnings: [], upToDate: 0, apiCalls: 0, plan };
  const root = caseFolder(projectDir, opts.appHome);
  const progress = (p: Omit<PullProgress, 'apiCalls'>) => opts.onProgress?.({ ...p, apiCalls });
  // Case-insensitive: on macOS and Windows '.CloudHPC-Sync/…' is the same folder as ours.
  const appLower = appDir.toLowerCase();
  const reservedRel = (rel: string) => {
    const r = rel.toLowerCase();
    return r === appLower || r.startsWith(`${appLower}/`) || root.isReserved(rel);
  };
  type Why = { code: RefusalCode; reason: string };
  const refuse = (source: 'storage' | 'archive', name: string, archive: string | null, why: Why) => {
    result.refused.push({ source, name, archive, code: why.code, reason: why.reason });
    const shown = archive ? `${archive}: ${name}` : name;
    log('warn', pullText.log.refused(shown, why.reason));
    index.addActivity('refused', pullText.activity.refused(shown, why.reason), null);
  };
  // A remote file refused by an earlier pull, unchanged since: still reported, not logged again.
  const refusedBefore = (item: StorageItem): Why | null => {
    const was = readJson<{ size: number | null; time: string | null } & Partial<Why>>(index.getMeta(REFUSED_PREFIX + item.name));
    if (!was || was.size !== item.size || was.time !== item.timeCreated) return null;
    return { code: was.code ?? 'outside', reason: was.reason ?? '' };
  };
  const refuseItem = (item: StorageItem, name: string, why: Why) => {
    if (refusedBefore(item) !== null) {
      result.refused.push({ source: 'storage', name, archive: null, code: why.code, reason: why.reason });
      return;
    }
    refuse('storage', name, null, why);
    index.setMeta(REFUSED_PREFIX + item.name, JSON.stringify({ size: item.size, time: item.timeCreated, code: why.code, reason: why.reason }));
  };
  const own = (code: 'outside-storage-folder' | 'app-area'): Why => ({ code, reason: pullText.refusal(code) });
  log('info', pullText.log.plan(storageFolder, plan.reason));
  progress({ phase: 'looking', filesDone: 0, filesTotal: 0 });

  // --- 1. what is in the cloud ---
  if (settings.refreshCache && !opts.listed) await client.deleteCache(call);
  const prefix = storageFolder === '' ? '' : `${storageFolder}/`;
  const items: StorageItem[] = [];
  if (opts.listed) {
    for (const it of opts.listed.items) items.push(it);
  } else if (plan.strategy === 'by-name') {
    for (const name of plan.names) {
      try {
        items.push(await client.viewByPath(prefix + name, call));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  } else {
    const folderId = async (): Promise<number | null> => {
      try {
        const it = await client.viewByPath(storageFolder, call);
        if (it.type !== 'dir') return null;
        index.setMeta(FOLDER_KEY, JSON.stringify({ folder: storageFolder, id: it.id }));
        return it.id;
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    };
    const listAll = async (parentId: number): Promise<StorageItem[]> => {
      const r = await client.listChildren(parentId, call);
      return r.items;
    };
    let id = cached?.folder === storageFolder ? cached.id : await folderId();
    let top: StorageItem[] = [];
    if (id !== null) {
      try {
        top = await listAll(id);
      } catch (e) {
        if (!isNotFound(e) || cached?.folder !== storageFolder) throw e;
        index.setMeta(FOLDER_KEY, null); // the folder was recreated: its id changed
        id = await folderId();
        if (id !== null) top = await listAll(id);
      }
      if (cached?.folder === storageFolder && top.length === 0) {
        // A cached id may name a folder that is gone; an empty listing is worth one check.
        const fresh = await folderId();
        if (fresh !== null && fresh !== id) top = await listAll(fresh);
      }
    }
    // Iterative, one item at a time: a listing may be huge (never spread into push, never recursion).
    const dirs: StorageItem[] = [];
    const take = (level: StorageItem[]) => {
      for (const it of level) {
        items.push(it);
        if (it.type === 'dir') dirs.push(it);
      }
    };
    take(top);
    if (settings.pullEverything) {
      // A folder is listed once, whatever the replies say (a reply naming a folder inside itself cannot
      // loop us); the pull's listing allowance ends a tree that keeps growing (see api/listing-allowance.ts).
      const listed = new Set<number>(id !== null ? [id] : []);
      for (let next = 0; next < dirs.length; next++) {
        const d = dirs[next]!;
        if (!d.name.startsWith(prefix) || listed.has(d.id)) continue;
        listed.add(d.id);
        take(await listAll(d.id));
      }
    }
  }

  // --- 2. which of them to pull ---
  const todo: { item: StorageItem; rel: string; seen: SeenState | undefined }[] = [];
  for (const item of items) {
    if (item.type !== 'file') continue;
    if (!item.name.startsWith(prefix)) {
      refuseItem(item, item.name, own('outside-storage-folder'));
      continue;
    }
    const remoteRel = item.name.slice(prefix.length);
    const base = remoteRel.split('/').pop() ?? '';
    if (opts.listed) {
      if (!opts.listed.take(item, remoteRel)) continue;
    } else {
      if (isSkipped(item.basename) || isSkipped(base)) continue;
      // Not a result name: not wanted in results mode (whatever its path says).
      if (!settings.pullEverything && !isDefaultResult(base)) continue;
    }
    // Refused by an earlier pull (e.g. its folder is a symlink here) and unchanged: no new download.
    const earlier = refusedBefore(item);
    if (earlier !== null) {
      result.refused.push({ source: 'storage', name: remoteRel, archive: null, ...earlier });
      continue;
    }
    const check = checkPortableName(remoteRel);
    if (!check.ok) {
      refuseItem(item, remoteRel, check);
      continue;
    }
    if (reservedRel(check.rel)) {
      refuseItem(item, remoteRel, own('app-area'));
      continue;
    }
    // A plain name in a subfolder: results are at the top level (pull everything takes it).
    if (!settings.pullEverything && check.parts.length > 1) continue;
    const seen = readJson<SeenState>(index.getMeta(SEEN_PREFIX + check.rel));
    if (seen && seen.size === item.size && seen.time === item.timeCreated) {
      result.upToDate++;
      continue;
    }
    if (!seen && settings.pullEverything && (await isOurUnchangedInput(root, check.rel, item, index))) {
      result.upToDate++;
      continue;
    }
    todo.push({ item, rel: check.rel, seen });
  }

  // --- 3. download and place each ---
  // The app's own area: reached through a rooted folder of its own (the case's refuses it).
  const appArea = new RootedFolder(projectDir);
  const tmpRoot = appArea.join(`${appDir}/pull-tmp`);
  await appArea.parentForWrite(`${appDir}/pull-tmp/x`);
  await removeStaleTemps(tmpRoot, 'run');
  const runTmp = path.join(tmpRoot, `run-${ownerTag()}-${Date.now()}-${randomBytes(4).toString('hex')}`);
  await mkdir(runTmp);
  let done = 0;
  try {
    for (const { item, rel, seen } of todo) {
      signal?.throwIfAborted();
      progress({ phase: 'downloading', file: rel, filesDone: done, filesTotal: todo.length, bytes: 0, total: item.size });
      const dl = path.join(runTmp, `download-${done}`);
      let sha256: string;
      try {
        const url = await client.downloadUrl(item.id, call);
        const got = await client.downloadToFile(url, dl, {
          signal,
          priority: settings.priority,
          expectedSize: item.size,
          onProgress: (p) => progress({ phase: 'downloading', file: rel, filesDone: done, filesTotal: todo.length, bytes: p.bytes, total: p.total, rate: p.rate }),
        });
        sha256 = got.sha256 ?? (await sha256File(dl, signal));
      } catch (e) {
        if (signal?.aborted) throw e;
        await unlink(dl).catch(() => undefined);
        const code = failureOf(e);
        result.failed.push({ name: rel, code, message: pullText.failure(code, errorText(e)) });
        log('warn', pullText.log.notDownloaded(rel, errorText(e)));
        done++;
        continue;
      }
      result.downloaded.push(rel);
      const when = now();
      try {
        if (isResultArchive(path.posix.basename(rel)) && settings.extractArchives) {
          progress({ phase: 'extracting', file: rel, filesDone: done, filesTotal: todo.length });
          let ex: ExtractResult | null = null;
          let unreadable: string | null = null;
          try {
            ex = await extractArchive({
              archivePath: dl,
              root,
              tmpDir: runTmp,
              index,
              now: when,
              lastPulled: (m) => seen?.members?.[m] ?? null,
              reserved: reservedRel,
              signal,
              log: (level, message) => log(level, message),
            });
            if (ex.warnings.length > 0) unreadable = ex.warnings[0] ?? 'damaged archive';
          } catch (e) {
            if (signal?.aborted || !isArchiveFormatError(e)) throw e;
            unreadable = errorText(e);
          }
          for (const r of ex?.refused ?? []) refuse('archive', r.name, rel, r);
          for (const o of ex?.outcomes ?? []) collect(result, o);
          if (unreadable) {
            // Nothing is lost: an archive we cannot read completely is kept as it is, for the user to open.
            result.warnings.push({ code: 'damaged-archive', archive: rel, message: pullText.damagedArchive(rel, unreadable) });
            log('warn', pullText.log.damaged(rel, unreadable));
          }
          const batch = new PendingRecords(index);
          if (settings.keepArchives || unreadable) collect(result, await placeFile({ root, rel, tempPath: dl, sha256, size: item.size ?? 0, lastPulled: seen?.sha256 ?? null, index: batch, now: when, inStorageAsFile: true }));
          const members = ex?.members ?? {};
          index.transaction(() => {
            batch.flush();
            index.setMeta(SEEN_PREFIX + rel, JSON.stringify({ size: item.size, time: item.timeCreated, sha256, members } satisfies SeenState));
            index.addActivity('pulled', pullText.activity.extracted(rel, Object.keys(members).length, ex?.refused.length ?? 0, unreadable !== null), rel);
          });
        } else {
          const batch = new PendingRecords(index);
          const o = await placeFile({ root, rel, tempPath: dl, sha256, size: item.size ?? 0, lastPulled: seen?.sha256 ?? null, index: batch, now: when, inStorageAsFile: true });
          collect(result, o);
          // The file's record, its conflict row (if any) and its seen state: one transaction.
          index.transaction(() => {
            batch.flush();
            index.setMeta(SEEN_PREFIX + rel, JSON.stringify({ size: item.size, time: item.timeCreated, sha256 } satisfies SeenState));
            if (o.kind !== 'conflict' && o.kind !== 'kept-local') index.patch(rel, { remoteSize: item.size, remoteTime: item.timeCreated });
            index.addActivity('pulled', pullText.activity.pulled(rel), rel);
          });
        }
      } catch (e) {
        if (signal?.aborted) throw e;
        const why = refusalOf(e);
        if (why) refuseItem(item, rel, why);
        else {
          const code = failureOf(e);
          result.failed.push({ name: rel, code, message: pullText.failure(code, errorText(e)) });
          log('error', pullText.log.notPlaced(rel, errorText(e)));
        }
      } finally {
        await unlink(dl).catch(() => undefined);
      }
      done++;
    }
  } finally {
    await rm(runTmp, { recursive: true, force: true });
  }
  result.apiCalls = apiCalls;
  progress({ phase: 'done', filesDone: done, filesTotal: todo.length });
  log('info', pullText.log.done(storageFolder, result));
  return result;
}

/** zlib and tar format errors: the archive is damaged (not our disk or our code). */
function isArchiveFormatError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('TAR_'));
}

function collect(result: PullResult, o: PlaceOutcome): void {
  if (o.kind === 'written' || o.kind === 'updated') result.written.push(o.rel);
  else if (o.kind === 'conflict' && o.conflict) result.conflicts.push(o.conflict);
  else if (o.kind === 'kept-local') result.keptLocal.push(o.rel);
}

/** In 'pull everything' mode: an input we pushed, unchanged locally, same size in storage → no download. */
async function isOurUnchangedInput(root: RootedFolder, rel: string, item: StorageItem, index: IndexStore): Promise<boolean> {
  const rec = index.get(rel);
  if (!rec || !rec.sha256 || rec.origin === 'local') return false;
  if (rec.storageSha256 !== rec.sha256 && rec.archiveSha256 !== rec.sha256) return false;
  if (rec.size !== item.size) return false;
  try {
    const st = await lstat(root.join(rel));
    return st.isFile() && st.size === rec.size && st.mtimeMs === rec.mtimeMs;
  } catch {
    return false;
  }
}


// Restoring deleted case files from the cloud: the other answer to the mass-delete guard ("I did not
// mean to delete these"). Each path comes back with the content the cloud holds for it: from our
// upload.tar.gz when the archive holds it (one download for all of them: 2 API calls), else from the
// single file in storage (view-by-path + download: 2 calls each). Files are placed as a pull places
// them (temp file in the app's area, fsync, no-clobber into place through the rooted-path rule), so a
// file the person created meanwhile is never overwritten. A restored file is an input again (origin
// 'pushed', its local hash the cloud's): the next scan sees no deletion and pushes nothing.
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Priority } from '../api/types';
import { caseFolder } from '../project/case-folder';
import type { Project } from '../project/registry';
import { RootedFolder } from '../rooted-path';
import { errorText } from './cloud-port';
import { sha256File } from './hasher';
import { type ArchiveState, type IndexStore, MAYBE_IN_STORAGE, type PathRecord } from './index-store';
import { APP_DIR_NAME, ARCHIVE_NAME, storagePath } from './paths';
import { extractArchive, placeFile, PendingRecords, type PlaceOutcome, type PullClient } from './pull';
import { ownerTag, removeStaleTemps } from './stale-temp';

export interface RestoreResult {
  /** Paths back in the case folder with the cloud's content. */
  restored: string[];
  /** Paths that could not come back, with the reason for a person. */
  failed: { path: string; reason: string }[];
  apiCalls: number;
}

/** Runs one restore of a project (bound to a client by the sync service). */
export type RestoreRunner = (args: { index: IndexStore; project: Project; paths: readonly string[]; signal: AbortSignal; priority: Priority }) => Promise<RestoreResult>;

type Source = 'archive' | 'file' | null;

function sourceOf(r: PathRecord | undefined, archive: ArchiveState): Source {
  if (!r) return null;
  if (archive.present && r.archiveSha256) return 'archive';
  if (r.storageSha256 !== null && r.origin === 'pushed') return 'file';
  return null;
}

/** The API calls a restore of these paths costs (no call made). */
export function restoreCalls(records: (p: string) => PathRecord | undefined, archive: ArchiveState, paths: readonly string[]): number {
  let archiveNeeded = false;
  let files = 0;
  for (const p of paths) {
    const s = sourceOf(records(p), archive);
    if (s === 'archive') archiveNeeded = true;
    else if (s === 'file') files++;
  }
  return (archiveNeeded ? 2 : 0) + files * 2;
}

export interface RestoreOptions {
  client: Pick<PullClient, 'viewByPath' | 'downloadUrl' | 'downloadToFile'>;
  index: IndexStore;
  projectDir: string;
  /** The app's data folder: never written by a restore when the case holds it (as a pull). */
  appHome?: string | null;
  storageFolder: string;
  paths: readonly string[];
  signal?: AbortSignal;
  priority: Priority;
  now?: () => Date;
}

export async function restoreFiles(o: RestoreOptions): Promise<RestoreResult> {
  const result: RestoreResult = { restored: [], failed: [], apiCalls: 0 };
  const archive = o.index.archive();
  // Files are placed through the case's rooted folder, which refuses the app's own areas (as a pull's);
  // the temp folder inside the app's folder is reached through a rooted folder of its own.
  const root = caseFolder(o.projectDir, o.appHome);
  const appArea = new RootedFolder(o.projectDir);
  // every call the service answered is counted (an empty-link retry of view-url too)
  const call = { priority: o.priority, signal: o.signal, onCall: () => { result.apiCalls++; } };
  const now = o.now ?? (() => new Date());
  const fromArchive = new Map<string, string>();
  const fromFile: { path: string; sha: string | null }[] = [];
  for (const p of o.paths) {
    const r = o.index.get(p);
    const s = sourceOf(r, archive);
    if (s === 'archive') fromArchive.set(p, r!.archiveSha256!);
    else if (s === 'file') fromFile.push({ path: p, sha: r!.storageSha256 === MAYBE_IN_STORAGE ? null : r!.storageSha256 });
    else result.failed.push({ path: p, reason: 'The cloud holds no copy of it that this app knows of.' });
  }
  if (fromArchive.size + fromFile.length === 0) return result;

  // Named with this process's id, like a pull's run folder, so that a restore killed mid-way (its
  // temp holds a whole upload.tar.gz, inside the case folder) is swept by the next one.
  const tmpRel = `${APP_DIR_NAME}/restore-tmp/run-${ownerTag()}-${Date.now()}-${randomBytes(4).toString('hex')}`;
  await appArea.parentForWrite(`${tmpRel}/x`);
  await removeStaleTemps(appArea.join(`${APP_DIR_NAME}/restore-tmp`), 'run');
  const tmp = appArea.join(tmpRel);
  await mkdir(tmp, { recursive: true });
  const records = new PendingRecords(o.index);
  // Restored files are the person's inputs again: never 'pulled' (which a push would leave out).
  const settle = (outcome: PlaceOutcome, want: string | null): void => {
    const rec = records.get(outcome.rel);
    if ((outcome.kind === 'written' || outcome.kind === 'unchanged') && (want === null || rec?.sha256 === want)) {
      records.patch(outcome.rel, { origin: 'pushed' });
      result.restored.push(outcome.rel);
    } else if (outcome.kind === 'conflict') {
      result.failed.push({ path: outcome.rel, reason: `A different file appeared at this place meanwhile: the cloud version is beside it as ${outcome.conflict?.copy ?? 'a copy'}.` });
    } else {
      result.failed.push({ path: outcome.rel, reason: 'The cloud version differs from the one this app pushed.' });
    }
  };
  try {
    if (fromArchive.size > 0) {
      try {
        const item = await o.client.viewByPath(storagePath(o.storageFolder, ARCHIVE_NAME), call);
        const url = await o.client.downloadUrl(item.id, call);
        const file = path.join(tmp, 'archive.tar.gz');
        // bounded by the size the storage lists, as a pull's downloads are (an endless body never fills the disk)
        await o.client.downloadToFile(url, file, { signal: o.signal, priority: o.priority, expectedSize: item.size });
        const x = await extractArchive({
          archivePath: file, root, tmpDir: path.join(tmp, 'members'), index: o.index, now: now(), signal: o.signal,
          only: (rel) => fromArchive.has(rel),
          reserved: (rel) => root.isReserved(rel),
        });
        for (const out of x.outcomes) settle(out, fromArchive.get(out.rel) ?? null);
        // a set, not a search per path: a mass delete is thousands of paths (a decomposed case)
        const placed = new Set(x.outcomes.map((out) => out.rel));
        for (const p of fromArchive.keys()) {
          if (!placed.has(p)) result.failed.push({ path: p, reason: 'upload.tar.gz in storage no longer holds it.' });
        }
      } catch (e) {
        if (o.signal?.aborted) throw e;
        for (const p of fromArchive.keys()) result.failed.push({ path: p, reason: errorText(e) });
      }
    }
    for (const [i, f] of fromFile.entries()) {
      o.signal?.throwIfAborted();
      const dl = path.join(tmp, `file-${i}`);
      try {
        const item = await o.client.viewByPath(storagePath(o.storageFolder, f.path), call);
        const url = await o.client.downloadUrl(item.id, call);
        const got = await o.client.downloadToFile(url, dl, { signal: o.signal, priority: o.priority, expectedSize: item.size });
        const sha256 = got.sha256 ?? (await sha256File(dl, o.signal));
        const out = await placeFile({
          root, rel: f.path, tempPath: dl, sha256, size: item.size ?? 0, lastPulled: null, index: records, now: now(), inStorageAsFile: true, signal: o.signal,
        });
        settle(out, f.sha);
      } catch (e) {
        if (o.signal?.aborted) throw e;
        result.failed.push({ path: f.path, reason: errorText(e) });
      }
    }
  } finally {
    records.flush();
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
  return result;
}

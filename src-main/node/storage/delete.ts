// Deleting a file or a folder of the storage. The plan lists what goes (a folder is walked: every file
// below it) and, when the item is in a project's storage folder, what that means for the project:
// how many files it put in the cloud go with it, whether that trips its mass-delete guard (the push's
// own rule), and how many are still local (the local case is the truth: they are pushed again at the
// next sync). The deletion itself is one call, then the service's listing cache is refreshed; the
// project's index is updated in the same step (under its engine's lock), so the project never
// believes a file is in the cloud when it is not.
import type { StorageItem } from '../api/types';
import { errorKind, isNotFound } from '../sync/cloud-port';
import type { ArchiveState, IndexStore, PathRecord } from '../sync/index-store';
import { ARCHIVE_NAME } from '../sync/paths';
import { isOursInCloud, massDeleteGuard, type PlanSettings } from '../sync/planner';
import type { StorageCatalog } from './catalog';
import { StorageRefused } from './errors';
import { storageText } from './messages';
import { normaliseStoragePath } from './paths';
import type { StorageCloud } from './port';

/** What deleting an item of a project's storage folder does to the project. */
export interface ProjectImpact {
  projectId: string;
  /** Path of the item inside the project's storage folder ('' = the whole folder). */
  rel: string;
  /** Files the project put in the cloud that go (files it pushed, the content of its upload.tar.gz). */
  ours: number;
  /** Of them, still in the local folder: pushed again at the project's next sync. */
  pushedAgain: number;
  /** Set when `ours` trips the project's mass-delete guard: the deletion needs that confirmation too. */
  massDelete: { count: number; limit: number } | null;
}

export interface DeletePlan {
  path: string;
  item: StorageItem;
  /** Files that go (for a folder, every file below it). */
  files: number;
  bytes: number;
  /** The first paths that go (the confirmation lists them), relative to the storage root. */
  sample: string[];
  /** API calls: the deletion and the cache refresh after it. */
  calls: number;
  /** API calls the plan spent listing (already spent). */
  listingCalls: number;
  project: ProjectImpact | null;
}

export interface DeleteResult {
  path: string;
  files: number;
  /** It was gone already (deleted elsewhere meanwhile). */
  alreadyGone: boolean;
  apiCalls: number;
  projectId: string | null;
  /** Files of the project that are pushed again at its next sync (they are still local). */
  pushedAgain: number;
}

const SAMPLE = 50;

/** What deleting `path` removes (lists what is not cached). `impact` prices it for a project, if any. */
export async function planDelete(catalog: StorageCatalog, rawPath: string, impact: (path: string) => Promise<ProjectImpact | null>): Promise<DeletePlan> {
  const path = normaliseStoragePath(rawPath);
  if (path === '') throw new StorageRefused('invalid-path', storageText.rootNotDeletable);
  const op = catalog.operation(); // the plan's listings within one budget-derived cap
  const { item, spent } = await catalog.item(path, op);
  let files = [item];
  let listingCalls = spent;
  if (item.type === 'dir') {
    const w = await catalog.walk(path, op);
    files = w.files;
    listingCalls += w.spent;
  }
  return {
    path,
    item,
    files: files.length,
    bytes: files.reduce((n, f) => n + (f.size ?? 0), 0),
    sample: files.slice(0, SAMPLE).map((f) => f.name),
    calls: 2,
    listingCalls,
    project: await impact(path),
  };
}

/** Deleting `rel` (inside a project's storage folder; '' = all of it): what goes of the project's files. */
export function impactOn(records: Iterable<PathRecord>, archive: ArchiveState, rel: string, settings: Pick<PlanSettings, 'massDeleteThreshold' | 'massDeleteRatio'>): Omit<ProjectImpact, 'projectId' | 'rel'> {
  const archiveGoes = archive.present && (rel === '' || rel === ARCHIVE_NAME);
  const under = (p: string): boolean => rel === '' || p === rel || p.startsWith(`${rel}/`);
  let pushed = 0;
  let ours = 0;
  let pushedAgain = 0;
  for (const r of records) {
    if (isOursInCloud(r, archive)) pushed++;
    const goes = (under(r.path) && r.storageSha256 !== null && r.origin === 'pushed') || (archiveGoes && r.archiveSha256 !== null);
    if (!goes) continue;
    ours++;
    // What the next run would still see there (the archive wins, as at extraction): when it is not the
    // local file any more, the local file is pushed again.
    const archiveAfter = archive.present && !archiveGoes ? r.archiveSha256 : null;
    const after = archiveAfter ?? (under(r.path) ? null : r.storageSha256);
    if (r.sha256 !== null && after !== r.sha256) pushedAgain++;
  }
  return { ours, pushedAgain, massDelete: massDeleteGuard(ours, pushed, settings) };
}

/**
 * The project's index after `rel` was deleted from its storage folder ('' = all of it): nothing
 * under it is a file in storage any more; our archive is gone with upload.tar.gz or the folder.
 */
export function recordDeletion(index: IndexStore, rel: string, shownPath: string, at = Date.now()): void {
  index.transaction(() => {
    if (rel === '' || rel === ARCHIVE_NAME) {
      const a = index.archive();
      if (a.present) index.setArchive({ ...a, present: false, extracted: false, extractedAt: null });
      index.clearArchiveHashes();
    }
    const own = rel === '' ? undefined : index.get(rel);
    const recs = rel === '' ? index.all() : [...(own ? [own] : []), ...index.under(rel)];
    for (const r of recs) {
      if (r.storageSha256 !== null) index.put({ ...r, storageSha256: null, remoteSize: null, remoteTime: null, updatedAt: at });
    }
    index.pruneGone();
    index.addActivity('deleted', storageText.activity.deleted(shownPath), rel === '' ? null : rel);
  });
}

/**
 * Deletes the plan's item (1 call) and refreshes the service's listing cache (1 call). `record` runs
 * once the item is gone, and also when the outcome is unknown (a lost reply): believing a file is
 * gone when it is not only costs a push; the other way round would lose it at the next start.
 */
export async function deleteItem(cloud: StorageCloud, plan: DeletePlan, record: () => void): Promise<Omit<DeleteResult, 'projectId' | 'pushedAgain'>> {
  let alreadyGone = false;
  try {
    await cloud.deleteStorage(plan.item.id, { priority: 'user' });
  } catch (e) {
    const kind = errorKind(e);
    if (isNotFound(e)) alreadyGone = true;
    else {
      if (kind === 'network' || kind === 'server') record();
      throw e;
    }
  }
  record();
  let apiCalls = 1;
  try {
    apiCalls++;
    await cloud.deleteCache({ priority: 'user' });
  } catch {
    // only the freshness of the service's listings depends on it
  }
  return { path: plan.path, files: plan.files, alreadyGone, apiCalls };
}

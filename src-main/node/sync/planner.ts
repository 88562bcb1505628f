// The push planner: from what is local (settled, hashed) and what the index says the cloud holds,
// decide the cheapest correct way to make the next simulation start see the local case.
// Pure function: no I/O, easy to test, and its answer ({strategy, apiCalls, bytes, reason}) is what
// the UI and the CLI show before anything is spent.
import { type ArchiveState, type PathRecord, effectiveCloudSha } from './index-store';

export interface LocalFile {
  path: string;
  size: number;
  mtimeMs: number;
  /** sha256 of the settled content, or UNHASHED. */
  sha256: string;
}

/**
 * sha256 of a large file with nothing in the cloud yet, not computed by the scan: it must be sent
 * whatever its hash, so it is hashed on its way up (one read instead of two). Never archived: the
 * engine hashes such a file first when a plan would put it in the archive.
 */
export const UNHASHED = '';

export type PushStrategy = 'none' | 'singles' | 'snapshot';

export interface PlanSettings {
  maxSingleCalls: number;
  massDeleteThreshold: number;
  massDeleteRatio: number;
  /** Files at least this large go beside the archive as single uploads (default LARGE_FILE_BYTES). */
  largeFileBytes?: number;
  /** At most this many single uploads beside one archive (default MAX_BESIDE). */
  maxBeside?: number;
}

/**
 * Files from this size on are sent beside the archive, not inside it. Measured here: deflate level 1
 * runs at ~74 MiB/s and sha256 at ~1.2 GiB/s, so a 16 MiB member costs ~0.2 s of compression plus its
 * transfer at EVERY archive rebuild before a run extracts it (a one-line edit re-sends the archive),
 * while a single upload costs one API call (~0.2–0.5 s on the real service, and budget) once. Below
 * this size the call is dearer than the bytes; above it, much cheaper.
 */
export const LARGE_FILE_BYTES = 16 * 1024 * 1024;
/** Single uploads beside one archive: with the archive's upload and delete-cache, at most 10 calls. */
export const MAX_BESIDE = 8;

export interface PlanInput {
  /** Every settled, hashed local file that is not ignored. */
  local: ReadonlyMap<string, LocalFile>;
  /** The index. */
  records: ReadonlyMap<string, PathRecord>;
  archive: ArchiveState;
  settings: PlanSettings;
  /** API calls left this hour (Infinity when unknown or unlimited). */
  budgetLeft?: number;
  /** The user confirmed the deletions of this batch (mass-delete guard): all, or these paths (then any other deletion asks again). */
  deletionsConfirmed?: boolean | ReadonlySet<string>;
}

/** What a push would cost, in the words the UI shows. */
export interface PushCost {
  strategy: PushStrategy;
  apiCalls: number;
  bytes: number;
  reason: string;
}

export interface PushPlan extends PushCost {
  /** Files whose content differs from what the next run would see (new or modified). */
  changed: LocalFile[];
  /** singles: the files uploaded one by one; snapshot: the archive's content. */
  uploads: LocalFile[];
  /** snapshot: large files uploaded one by one beside the archive, after it (1 call each). */
  beside: LocalFile[];
  /** Storage files we pushed (or that a run extracted from our archive) to delete: 2 calls each. */
  deletes: string[];
  /** Paths only inside our not-yet-extracted archive that vanish when it is replaced (no call). */
  dropFromArchive: string[];
  /** singles need our extracted archive out of the way first (view-by-path + delete). */
  deleteArchiveFirst: boolean;
  /** Set when the batch would delete more than the guard allows and the user has not confirmed. */
  massDelete: MassDelete | null;
}

/** Which rule of the mass-delete guard holds: over the count, over the share of the case (from 10 deletions), over half of the case. */
export type MassDeleteRule = 'count' | 'share' | 'half';

/** The deletions the guard holds back until the person confirms them (or restores the files). */
export interface MassDelete {
  count: number;
  limit: number;
  rule: MassDeleteRule;
  /** Every path the push would delete (sorted). */
  paths: string[];
}

const DELETE_CALLS = 2; // view-by-path + delete
const MASS_DELETE_RATIO_MIN = 10; // the ratio rule only applies from this many deletions on
/** Deleting more than half of the case always asks, however small the case (a setting ratio above it raises it; 1 = off). */
const HALF_OF_CASE = 0.5;

/** A path the project put in the cloud: a single file we pushed, or a path inside our archive. */
export function isOursInCloud(r: Pick<PathRecord, 'storageSha256' | 'archiveSha256' | 'origin'>, archive: Pick<ArchiveState, 'present'>): boolean {
  return (r.storageSha256 !== null && r.origin === 'pushed') || (archive.present && r.archiveSha256 !== null);
}

/**
 * The mass-delete guard: deleting `count` of the `pushed` files of a project stops for a confirmation
 * above `massDeleteThreshold`, from 10 deletions on above `massDeleteRatio` of what was pushed, and
 * always above half of the case. The push planner and a deletion from the storage browser ask the
 * same question.
 */
export function massDeleteGuard(count: number, pushed: number, settings: Pick<PlanSettings, 'massDeleteThreshold' | 'massDeleteRatio'>): Omit<MassDelete, 'paths'> | null {
  const limit = settings.massDeleteThreshold;
  const overRatio = count >= MASS_DELETE_RATIO_MIN && count > settings.massDeleteRatio * pushed;
  const half = Math.max(HALF_OF_CASE, settings.massDeleteRatio);
  const overHalf = count > 0 && count > half * pushed;
  const rule: MassDeleteRule | null = count > limit ? 'count' : overRatio ? 'share' : overHalf ? 'half' : null;
  if (rule === null) return null;
  return { count, limit: rule === 'count' ? limit : Math.floor((rule === 'share' ? settings.massDeleteRatio : half) * pushed), rule };
}

function sumBytes(files: readonly LocalFile[]): number {
  let n = 0;
  for (const f of files) n += f.size;
  return n;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function planPush(input: PlanInput): PushPlan {
  const { local, records, archive, settings } = input;
  const budgetLeft = input.budgetLeft ?? Infinity;

  const changed: LocalFile[] = [];
  // Files pulled from the cloud and unchanged since (origin 'pulled': a local change turns it into
  // 'local') are never pushed back, and are left out of snapshots: results stay where they are.
  const pushable: LocalFile[] = [];
  for (const f of local.values()) {
    const r = records.get(f.path);
    if (r?.origin === 'pulled' && r.sha256 === f.sha256) continue;
    pushable.push(f);
    const cloud = r ? effectiveCloudSha(r, archive) : null;
    if (cloud !== f.sha256) changed.push(f);
  }

  const storageDeletes: string[] = [];
  const archiveOnly: string[] = [];
  let pushedCount = 0;
  let everPushed = archive.present;
  for (const r of records.values()) {
    if (isOursInCloud(r, archive)) pushedCount++;
    if (r.storageSha256 !== null && r.origin === 'pushed') everPushed = true;
    if (local.has(r.path) || r.sha256 !== null) continue; // still there locally (or unsettled/unreadable: not a deletion)
    if (r.storageSha256 !== null && r.origin === 'pushed') storageDeletes.push(r.path);
    else if (archive.present && r.archiveSha256 !== null) archiveOnly.push(r.path);
  }
  // A path in our archive that is deleted but also materialised is both: the storage delete covers the file,
  // the archive must still lose it.
  const archiveDeleted = archive.present
    ? [...storageDeletes, ...archiveOnly].filter((p) => records.get(p)?.archiveSha256 != null)
    : [];

  const deleteCount = storageDeletes.length + archiveOnly.length;
  const deleted = [...storageDeletes, ...archiveOnly].sort();
  const c = input.deletionsConfirmed;
  const confirmed = c === true || (typeof c === 'object' && deleted.every((p) => c.has(p)));
  const guard = confirmed ? null : massDeleteGuard(deleteCount, pushedCount, settings);
  const massDelete = guard ? { ...guard, paths: deleted } : null;

  const base = { changed, deletes: storageDeletes, massDelete };

  if (changed.length === 0 && deleteCount === 0) {
    return { ...base, strategy: 'none', uploads: [], beside: [], dropFromArchive: [], deleteArchiveFirst: false, apiCalls: 0, bytes: 0, reason: 'The cloud already holds the local case: nothing to push.' };
  }

  // Rule 2: a single file must not be older-than-archive: a path our archive holds with other content
  // (or that is deleted locally) would come back at the next extraction.
  const conflicts = archive.present
    ? changed.filter((f) => records.get(f.path)?.archiveSha256 != null).length + archiveDeleted.length
    : 0;
  const singlesAllowed = conflicts === 0 || archive.extracted;
  const deleteArchiveFirst = conflicts > 0 && archive.extracted;
  const deleteCalls = storageDeletes.length * DELETE_CALLS;
  const singleUploadCalls = changed.length + (deleteArchiveFirst ? DELETE_CALLS : 0);
  const singlesCalls = singleUploadCalls + deleteCalls + 1; // + delete-cache
  const snapshotCalls = 1 + deleteCalls + 1;
  const all = pushable;

  let strategy: 'singles' | 'snapshot';
  let reason: string;
  if (!everPushed) {
    strategy = 'snapshot';
    reason = 'First push of this case: one archive costs 1 upload call whatever its size.';
  } else if (changed.length === 0 && conflicts === 0) {
    strategy = 'singles';
    reason = `Only deletions: ${plural(storageDeletes.length, 'file')} to remove from storage.`;
  } else if (!singlesAllowed) {
    strategy = 'snapshot';
    reason = `Our upload.tar.gz in storage has not been extracted by a run yet and holds older versions of ${plural(conflicts, 'file')}: replacing it is the only safe way.`;
  } else if (singleUploadCalls > settings.maxSingleCalls) {
    strategy = 'snapshot';
    reason = `${plural(changed.length, 'changed file')} would cost ${singleUploadCalls} calls one by one (more than ${settings.maxSingleCalls}): one archive costs 1.`;
  } else if (singlesCalls > snapshotCalls && singlesCalls * 2 > budgetLeft) {
    strategy = 'snapshot';
    reason = `Only ${budgetLeft} API calls left this hour: one archive (1 call) instead of ${singleUploadCalls} single uploads.`;
  } else {
    strategy = 'singles';
    reason = `${plural(changed.length, 'changed file')}: ${singleUploadCalls} upload call${singleUploadCalls === 1 ? '' : 's'}${deleteArchiveFirst ? ' (incl. 2 to remove the already extracted archive)' : ''} and only the changed bytes.`;
  }
  if (storageDeletes.length > 0) reason += ` ${plural(storageDeletes.length, 'deleted file')} cost${storageDeletes.length === 1 ? 's' : ''} ${deleteCalls} calls to remove from storage.`;

  if (strategy === 'singles') {
    return { ...base, strategy, uploads: changed, beside: [], dropFromArchive: [], deleteArchiveFirst, apiCalls: singlesCalls, bytes: sumBytes(changed), reason };
  }

  // The archive holds the small files; large ones go beside it (one call each, within a cap and the
  // budget), and a large file already in storage with its current content is left where it is.
  const largeBytes = settings.largeFileBytes ?? LARGE_FILE_BYTES;
  const cap = Math.max(0, Math.min(settings.maxBeside ?? MAX_BESIDE, Number.isFinite(budgetLeft) ? Math.floor((budgetLeft - snapshotCalls) / 4) : Infinity));
  const large = all.filter((f) => f.size >= largeBytes).sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
  const inStorage = new Set(large.filter((f) => records.get(f.path)?.storageSha256 === f.sha256).map((f) => f.path));
  const beside = large.filter((f) => !inStorage.has(f.path)).slice(0, cap);
  const out = new Set([...inStorage, ...beside.map((f) => f.path)]);
  const archived = all.filter((f) => !out.has(f.path));
  const besideNote = `${everPushed ? '' : ` It holds ${plural(archived.length, 'file')}.`}${beside.length > 0 ? ` ${plural(beside.length, 'large file')} go${beside.length === 1 ? 'es' : ''} beside it (1 call each).` : ''}`;
  const besideBytes = sumBytes(beside);

  if (archived.length === 0) {
    // Nothing to archive: remove our archive (it may hold older versions) instead of uploading an empty one.
    const calls = (archive.present ? DELETE_CALLS : 0) + beside.length + deleteCalls + 1;
    const why = all.length === 0
      ? `Every pushed file was deleted locally: removing upload.tar.gz and ${plural(storageDeletes.length, 'file')} from storage.`
      : `Only large files to send: ${plural(beside.length, 'single upload')}${archive.present ? ', after removing upload.tar.gz' : ''}.`;
    return { ...base, strategy: 'singles', uploads: beside, beside: [], dropFromArchive: archiveOnly, deleteArchiveFirst: archive.present, apiCalls: calls, bytes: besideBytes, reason: why };
  }
  return { ...base, strategy, uploads: archived, beside, dropFromArchive: archiveOnly, deleteArchiveFirst: false, apiCalls: snapshotCalls + beside.length, bytes: sumBytes(archived) + besideBytes, reason: reason + besideNote };
}

/** The cost summary alone (what the UI shows next to the push button). */
export function pushCost(input: PlanInput): PushCost {
  const p = planPush(input);
  return { strategy: p.strategy, apiCalls: p.apiCalls, bytes: p.bytes, reason: p.reason };
}

// What one pull hands back: typed data only. Callers (the workspace, the CLI's --json, the UI's
// views) read these fields; the human wording of each code lives in messages.ts and nobody parses it.
import { LocalWriteFailed, localCause } from '../../api/local-file';
import { isPathRefused, type PathRefusalCode } from '../../rooted-path';
import type { PullPlan } from './selection';

/** Why a remote name or an archive member was not written. */
export type RefusalCode =
  | PathRefusalCode
  /** A storage item whose name is not under `<storageFolder>/`. */
  | 'outside-storage-folder'
  | 'symlink-member'
  | 'hardlink-member'
  | 'device-member'
  | 'fifo-member'
  | 'special-member'
  /** A member cut short by a truncated archive. */
  | 'truncated-member'
  /** The local file is kept and no valid name is left for the cloud copy beside it. */
  | 'no-room-for-copy';

export interface Refused {
  /** 'storage': a file of the storage folder; 'archive': a member of a result archive. */
  source: 'storage' | 'archive';
  /** As the cloud named it: relative to the storage folder, or the member path inside the archive. */
  name: string;
  /** The archive (relative to the storage folder) for a member; null for a storage item. */
  archive: string | null;
  code: RefusalCode;
  reason: string;
}

/** Why a cloud file could not take the local file's place (the local file is kept, the cloud copy goes beside it). */
export type ConflictCode = 'local-differs' | 'changed-both' | 'folder-in-the-way' | 'link-in-the-way';

export interface PullConflict {
  /** Stable id (from the copy's path): the same cloud copy is one conflict however often it is seen. */
  id: string;
  /** The local file that was kept (relative to the case folder). */
  path: string;
  /** Where the cloud version was written (relative). */
  copy: string;
  code: ConflictCode;
  reason: string;
  /** Epoch ms when the pull found it. */
  at: number;
}

export interface PullResult {
  /** Remote files downloaded (relative to the storage folder). */
  downloaded: string[];
  /** Files written or updated in the case folder (single files and archive members). */
  written: string[];
  conflicts: PullConflict[];
  refused: Refused[];
  /** Local files kept because only they changed (the cloud version is the one we pulled before). */
  keptLocal: string[];
  /** Files whose download or placing failed (retried at the next pull), with the cause as a code. */
  failed: PullFailure[];
  /** Things the user should know that are not errors (a damaged archive kept as is). */
  warnings: { code: 'damaged-archive'; archive: string; message: string }[];
  /** Remote files already up to date (no download). */
  upToDate: number;
  /** API calls this pull made. */
  apiCalls: number;
  plan: PullPlan;
}

/** Why a file was not pulled: this machine's disk (full, permission), the network, the cloud. */
export type PullFailureCode = 'disk-full' | 'permission' | 'network' | 'too-large' | 'too-slow' | 'service' | 'other';

export interface PullFailure {
  /** Relative to the storage folder. */
  name: string;
  code: PullFailureCode;
  /** The cause in words, and what to do. */
  message: string;
}

/** The cause of a failed download or placing, as a code (read from the error's type and errno, never its text). */
export function failureOf(e: unknown): PullFailureCode {
  const errno = e instanceof LocalWriteFailed ? e.code : (e as { code?: unknown } | null)?.code;
  const local = localCause(typeof errno === 'string' ? errno : undefined);
  if (local) return local.kind === 'disk-full' ? 'disk-full' : 'permission';
  const kind = (e as { kind?: unknown } | null)?.kind;
  if (kind === 'network') return 'network';
  if (kind === 'transfer') {
    const t = (e as { transferFailure?: unknown }).transferFailure;
    if (t === 'too-large' || t === 'too-slow') return t;
    if (t === 'dropped' || t === 'stalled') return 'network';
    return 'service';
  }
  if (kind === 'server' || kind === 'bad-reply' || kind === 'not-found-or-forbidden' || kind === 'rate-limited' || kind === 'feature-unavailable') return 'service';
  return 'other';
}

/** Every honest file landed: nothing failed (refusals are the cloud's fault and are reported, not retried). */
export function pullComplete(r: Pick<PullResult, 'failed'>): boolean {
  return r.failed.length === 0;
}

/** Something new arrived from the cloud (a remote file we had not pulled in this version yet). */
export function broughtNew(r: Pick<PullResult, 'downloaded'>): boolean {
  return r.downloaded.length > 0;
}

/** A refusal raised while placing a file (not a path rule): carries its code like PathRefused does. */
export class PlaceRefused extends Error {
  constructor(readonly rel: string, readonly code: RefusalCode, readonly reason: string) {
    super(`refused '${rel}': ${reason}`);
    this.name = 'PlaceRefused';
  }
}

/** The code and reason of a refusal error (rooted-path or placing), or null for any other error. */
export function refusalOf(e: unknown): { code: RefusalCode; reason: string } | null {
  if (isPathRefused(e) || e instanceof PlaceRefused) return { code: e.code, reason: e.reason };
  return null;
}

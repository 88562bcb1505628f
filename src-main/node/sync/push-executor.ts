// Carries out a push plan, recording each remote step in the index in its own transaction right
// after it succeeded (crash safety: see README). Singles go through a p-queue; every upload is
// checked against the settled version it was planned from (stat before and after, and the sha256 of
// the bytes the client sent): a file that moved is not recorded and is retried later.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import PQueue from 'p-queue';
import { isLocalFileChanged } from '../api/local-file';
import { type PushCloud, errorText, isNotFound, isOffline, errorKind } from './cloud-port';
import { lstat } from 'node:fs/promises';
import { sameStat, trustedMtime } from './hasher';
import type { IndexStore } from './index-store';
import { ARCHIVE_NAME, parentDir, baseName, storagePath } from './paths';
import { type LocalFile, type PushPlan, UNHASHED } from './planner';
import { ProgressMeter, type TransferProgress } from './progress';
import { buildSnapshot } from './snapshot';

export interface PushContext {
  root: string;
  storageFolder: string;
  index: IndexStore;
  cloud: PushCloud;
  /** Where snapshot archives are built (outside the case folder). */
  tmpDir: string;
  /** The member cache of the last archive (outside the case folder): rebuilds copy unchanged members from it. */
  cacheDir?: string;
  signal?: AbortSignal;
  concurrency?: number;
  onProgress?: (p: TransferProgress, phase: 'building' | 'uploading' | 'deleting') => void;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface PushOutcome {
  uploaded: string[];
  deleted: string[];
  /** Files that moved while being read or sent: not recorded, retried after the quiet period. */
  torn: string[];
  failed: Array<{ path: string; message: string }>;
  snapshot: boolean;
}

/** The first error that must stop the batch (offline, unauthorized, cancelled); others are per file. */
function isFatal(e: unknown): boolean {
  const k = errorKind(e);
  return isOffline(e) || k === 'unauthorized' || k === 'cancelled' || k === 'rate-limited' || (e as { name?: string })?.name === 'AbortError';
}

export async function executePush(ctx: PushContext, plan: PushPlan): Promise<PushOutcome> {
  const out: PushOutcome = { uploaded: [], deleted: [], torn: [], failed: [], snapshot: plan.strategy === 'snapshot' };
  if (plan.strategy === 'none') return out;
  if (plan.massDelete) throw new Error('executePush: the mass-delete guard must be confirmed first');
  const { index, cloud } = ctx;
  const log = ctx.log ?? (() => undefined);
  let remoteChanged = false;
  try {
    if (plan.deleteArchiveFirst) {
      await deleteRemote(ctx, ARCHIVE_NAME);
      remoteChanged = true;
      index.transaction(() => {
        index.setArchive({ ...index.archive(), present: false });
        index.clearArchiveHashes();
        index.pruneGone();
        index.addActivity('info', 'Removed upload.tar.gz from storage (its content was already extracted, or nothing is left to archive)');
      });
    }

    if (plan.strategy === 'snapshot') {
      const sent = await pushSnapshot(ctx, plan, out);
      remoteChanged = sent || remoteChanged;
      // Large files go after the archive that no longer holds them (never beside an older archive).
      if (sent && plan.beside.length > 0) remoteChanged = (await pushSingles(ctx, plan.beside, out)) || remoteChanged;
    } else {
      remoteChanged = (await pushSingles(ctx, plan.uploads, out)) || remoteChanged;
    }

    if (plan.deletes.length > 0 && (plan.strategy === 'singles' || out.uploaded.length > 0)) {
      const meter = new ProgressMeter(plan.deletes.length, 0);
      const q = new PQueue({ concurrency: ctx.concurrency ?? 4 });
      let fatal: unknown = null;
      for (const path of plan.deletes) {
        void q.add(async () => {
          if (fatal !== null) return;
          try {
            await deleteRemote(ctx, path);
            remoteChanged = true;
            index.transaction(() => {
              const r = index.get(path);
              if (!r) return;
              if (r.sha256 === null && r.archiveSha256 === null) index.delete(path);
              else index.put({ ...r, storageSha256: null, updatedAt: Date.now() });
              index.addActivity('deleted', `Deleted ${path} from storage (deleted locally)`, path);
            });
            out.deleted.push(path);
          } catch (e) {
            if (isFatal(e)) fatal ??= e;
            else out.failed.push({ path, message: errorText(e) });
          } finally {
            meter.fileDone(path, 0);
            ctx.onProgress?.(meter.snapshot(), 'deleting');
          }
        });
      }
      await q.onIdle();
      if (fatal !== null) throw fatal;
    }
  } finally {
    if (remoteChanged) {
      try {
        await cloud.deleteCache({ priority: 'background', signal: ctx.signal });
      } catch (e) {
        log('warn', `delete-cache after the push failed: ${errorText(e)}`);
      }
    }
  }
  return out;
}

/** view-by-path + delete (2 calls). A path already gone counts as deleted. */
async function deleteRemote(ctx: PushContext, rel: string): Promise<void> {
  let id: number;
  try {
    id = (await ctx.cloud.viewByPath(storagePath(ctx.storageFolder, rel), { priority: 'background', signal: ctx.signal })).id;
  } catch (e) {
    if (isNotFound(e)) return;
    throw e;
  }
  try {
    await ctx.cloud.deleteStorage(id, { priority: 'background', signal: ctx.signal });
  } catch (e) {
    if (isNotFound(e)) return;
    throw e;
  }
}

async function pushSnapshot(ctx: PushContext, plan: PushPlan, out: PushOutcome): Promise<boolean> {
  const { index } = ctx;
  await mkdir(ctx.tmpDir, { recursive: true });
  const tmp = join(ctx.tmpDir, `snapshot-${process.pid}-${Date.now()}.tar.gz`);
  const meterBuild = new ProgressMeter(plan.uploads.length, plan.uploads.reduce((n, f) => n + f.size, 0));
  const built = await buildSnapshot(ctx.root, plan.uploads, tmp, {
    signal: ctx.signal,
    cacheDir: ctx.cacheDir,
    onProgress: (bytesIn) => {
      meterBuild.partial('snapshot', bytesIn);
      ctx.onProgress?.(meterBuild.snapshot(), 'building');
    },
  });
  if (built.kind === 'torn') {
    out.torn.push(...built.paths);
    return false;
  }
  const snap = built.snapshot;
  try {
    const meter = new ProgressMeter(1, snap.size);
    const res = await ctx.cloud.uploadFile(snap.file, { dirname: ctx.storageFolder, filename: ARCHIVE_NAME, contentType: 'application/octet-stream' }, {
      priority: 'background',
      signal: ctx.signal,
      onProgress: (p) => {
        meter.partial('snapshot', p.bytes);
        ctx.onProgress?.(meter.snapshot(), 'uploading');
      },
    });
    if (res.sha256 !== null && res.sha256 !== snap.sha256) throw new Error('The snapshot archive changed while it was being uploaded; it will be rebuilt.');
    // Recorded in three steps so a 100,000-file archive never blocks the event loop for long: first
    // "no archive" (a crash now only means the archive is uploaded again), then its content in chunks,
    // then "present". Local fields (size, mtime, sha256) were recorded by the scan that hashed the files.
    const now = Date.now();
    index.transaction(() => {
      index.setArchive({ ...index.archive(), present: false, extracted: false, extractedAt: null });
      index.clearArchiveHashes();
    });
    const CHUNK = 2000;
    for (let i = 0; i < snap.files.length; i += CHUNK) {
      index.setArchiveHashes(snap.files.slice(i, i + CHUNK).map((f) => [f.path, f.sha256] as const), now);
      if (i + CHUNK < snap.files.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    index.transaction(() => {
      index.pruneGone();
      index.setArchive({ present: true, uploadedAt: now, sha256: snap.sha256, size: snap.size, fileCount: snap.files.length, extracted: false, extractedAt: null, runsSinceUpload: 0 });
      // A run submitted earlier and not seen running yet may extract this archive too.
      if (Number(index.getMeta('runs.pending') ?? '0') > 0) index.maybeMaterialiseArchive(now);
      index.addActivity('snapshot', `Pushed the case as ${ARCHIVE_NAME} (${snap.files.length} files, ${snap.size} bytes)`);
    });
    out.uploaded.push(...snap.files.map((f) => f.path));
    ctx.onProgress?.({ ...meter.snapshot(), filesDone: snap.files.length, filesTotal: snap.files.length, bytesDone: snap.size, bytesTotal: snap.size, etaSeconds: 0 }, 'uploading');
    return true;
  } finally {
    if (!snap.cached) await rm(snap.file, { force: true });
  }
}

async function pushSingles(ctx: PushContext, files: readonly LocalFile[], out: PushOutcome): Promise<boolean> {
  const { index, cloud } = ctx;
  const meter = new ProgressMeter(files.length, files.reduce((n, f) => n + f.size, 0));
  const q = new PQueue({ concurrency: ctx.concurrency ?? 4 });
  let fatal: unknown = null;
  let changed = false;
  for (const f of files) {
    void q.add(async () => {
      if (fatal !== null || ctx.signal?.aborted) return;
      const abs = join(ctx.root, f.path);
      try {
        const before = await lstat(abs).catch(() => null);
        if (!before || !before.isFile() || !sameStat(before, f)) {
          out.torn.push(f.path);
          meter.fileFailed(f.path);
          return;
        }
        const dir = parentDir(f.path);
        // A file left unhashed by the scan (large, new) is hashed on its way up: one read, no pass before.
        const unhashed = f.sha256 === UNHASHED;
        const res = await cloud.uploadFile(abs, { dirname: dir ? storagePath(ctx.storageFolder, dir) : ctx.storageFolder, filename: baseName(f.path), contentType: 'application/octet-stream' }, {
          priority: 'background',
          signal: ctx.signal,
          sha256: true,
          // opened once, no link followed, checked against the version planned (time of check = time of use)
          expect: { size: f.size, mtimeMs: f.mtimeMs },
          onProgress: (p) => {
            meter.partial(f.path, p.bytes);
            ctx.onProgress?.(meter.snapshot(), 'uploading');
          },
        });
        const sha = unhashed ? res.sha256 : f.sha256;
        changed = true;
        const after = await lstat(abs).catch(() => null);
        // An unhashed file is recorded with the hash of the bytes sent, if it did not move meanwhile.
        if (!after || !sameStat(after, f) || sha === null || (res.sha256 !== null && res.sha256 !== sha)) {
          // The bytes sent are not the settled version: not recorded, so the next batch sends it again.
          out.torn.push(f.path);
          meter.fileFailed(f.path);
          return;
        }
        index.transaction(() => {
          if (unhashed) index.patch(f.path, { size: f.size, mtimeMs: trustedMtime(f.mtimeMs, Date.now()), sha256: sha, storageSha256: sha, origin: 'pushed' });
          else index.patch(f.path, { storageSha256: f.sha256, origin: 'pushed' });
          index.addActivity('pushed', `Pushed ${f.path}`, f.path);
        });
        out.uploaded.push(f.path);
        meter.fileDone(f.path, f.size);
        ctx.onProgress?.(meter.snapshot(), 'uploading');
      } catch (e) {
        meter.fileFailed(f.path);
        if (isLocalFileChanged(e)) out.torn.push(f.path); // not the version planned: retried after the quiet period
        else if (isFatal(e)) fatal ??= e;
        else out.failed.push({ path: f.path, message: errorText(e) });
      }
    });
  }
  await q.onIdle();
  if (fatal !== null) throw fatal;
  return changed;
}

// The storage module's typed plans and results → the contract's storage views (pure).
import type {
  StorageDeletePlanView, StorageDeleteResultView, StorageItemView, StorageListingView, StorageTransferKind, StorageTransferPlanView, StorageTransferResultView, TransferProgressView,
} from '../../common/contract';
import type { StorageItem } from '../api/types';
import { type DeletePlan, type DeleteResult, type DownloadPlan, type ListResult, type OpenPlan, type StorageProgress, type TransferResult, topFolder } from '../storage';

const iso = (ms: number): string => new Date(ms).toISOString();

function storageItemView(i: StorageItem, projectOf: (folder: string) => string | null, treeSize: (path: string) => number | null): StorageItemView {
  return {
    path: i.name,
    name: i.basename,
    type: i.type,
    size: i.type === 'file' ? i.size : treeSize(i.name),
    createdAt: i.timeCreated,
    projectId: projectOf(topFolder(i.name)),
  };
}

export function listingView(r: ListResult, browsing: StorageListingView['browsing'], projectOf: (folder: string) => string | null, treeSize: (path: string) => number | null): StorageListingView {
  const l = r.listing;
  return {
    path: l.path,
    items: l.items.map((i) => storageItemView(i, projectOf, treeSize)),
    refused: l.refused,
    listedAt: iso(l.listedAt),
    cached: r.cached,
    calls: r.spent,
    filesSize: l.items.reduce((n, i) => n + (i.type === 'file' ? (i.size ?? 0) : 0), 0),
    browsing,
  };
}

export function downloadPlanView(planId: string, p: DownloadPlan, expiresAt: number): StorageTransferPlanView {
  return {
    planId,
    kind: p.kind,
    sources: p.sources,
    dest: p.dest,
    files: p.files,
    bytes: p.bytes,
    calls: p.calls,
    listingCalls: p.listingCalls,
    notes: [
      ...p.groups.filter((g) => g.prefix !== '').map((g) => `${g.base} comes down as ${g.into}`),
      ...p.refused.map((r) => `${r.name} cannot be written here: ${r.reason}`),
    ],
    merge: false,
    expiresAt: iso(expiresAt),
  };
}

export function openPlanView(planId: string, p: OpenPlan, expiresAt: number): StorageTransferPlanView {
  const notes = p.inputArchives.map((a) => (a.adopt
    ? `${a.item.basename} is extracted here and stays the project's input archive (nothing uploaded).`
    : `${a.item.basename} is extracted here; the project's own files then replace it in the storage (about ${p.replaceCalls} more calls).`));
  if (p.continuing) notes.unshift('An earlier open of this folder here did not finish: this one continues it (nothing is downloaded twice).');
  return {
    planId,
    kind: 'open',
    sources: [p.folder],
    dest: p.dir,
    files: p.plain + p.inputArchives.length,
    bytes: p.bytes,
    calls: p.calls + p.replaceCalls,
    listingCalls: p.listingCalls,
    notes: [...notes, ...p.warnings.map((w) => w.message)],
    merge: p.localEntries > 0,
    expiresAt: iso(expiresAt),
  };
}

export function progressView(p: StorageProgress): TransferProgressView {
  return { direction: 'pull', filesDone: p.filesDone, filesTotal: p.filesTotal, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, rate: p.rate, etaSeconds: p.etaSeconds, current: p.current };
}

export function transferResultView(r: TransferResult, projectId: string | null): StorageTransferResultView {
  return {
    dest: r.dest,
    downloaded: r.downloaded.length,
    written: r.written.length,
    bytes: r.bytes,
    upToDate: r.upToDate,
    conflicts: r.conflicts.map((c) => ({ path: c.path, copy: c.copy, reason: c.reason })),
    refused: r.refused.map((x) => ({ name: x.archive ? `${x.archive}: ${x.name}` : x.name, reason: x.reason })),
    failed: r.failed,
    warnings: r.warnings.map((w) => w.message),
    apiCalls: r.apiCalls,
    projectId,
  };
}

export function transferTitle(kind: StorageTransferKind, sources: string[], dest: string): string {
  return `${kind === 'open' ? 'Open ' : kind === 'results' ? 'Results of ' : ''}${sources.join(', ') || 'storage'} → ${dest}`;
}

export function deletePlanView(planId: string, p: DeletePlan, projectName: (id: string) => string, expiresAt: number): StorageDeletePlanView {
  return {
    planId,
    path: p.path,
    type: p.item.type,
    files: p.files,
    bytes: p.bytes,
    sample: p.sample,
    calls: p.calls,
    listingCalls: p.listingCalls,
    project: p.project ? { projectId: p.project.projectId, name: projectName(p.project.projectId), files: p.project.ours, pushedAgain: p.project.pushedAgain, massDelete: p.project.massDelete } : null,
    expiresAt: iso(expiresAt),
  };
}

export function deleteResultView(r: DeleteResult): StorageDeleteResultView {
  return { path: r.path, files: r.files, apiCalls: r.apiCalls, alreadyGone: r.alreadyGone, projectId: r.projectId, pushedAgain: r.pushedAgain };
}

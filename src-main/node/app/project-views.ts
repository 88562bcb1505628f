// ProjectStatus (sync engine) + activity + conflicts → the ProjectView the UI shows.
import type { AttentionView, ActivityEntry as UiActivity, ConflictView, MassDeleteView, ProjectView } from '../../common/contract';
import type { ActivityEntry } from '../sync/index-store';
import type { ProjectStatus } from '../sync/status';

const KIND: Record<ActivityEntry['kind'], UiActivity['kind']> = {
  pushed: 'pushed', pulled: 'pulled', deleted: 'deleted', conflict: 'conflict', snapshot: 'pushed', error: 'error', info: 'info', refused: 'error',
};

export function activityView(a: ActivityEntry): UiActivity {
  const v: UiActivity = { at: new Date(a.at).toISOString(), kind: KIND[a.kind] ?? 'info', message: a.message };
  if (a.path) v.paths = [a.path];
  return v;
}

export function projectView(s: ProjectStatus, activity: ActivityEntry[], conflicts: ConflictView[], attentions: AttentionView[] = [], massDelete: MassDeleteView | null = null): ProjectView {
  const name = s.localDir.split(/[\\/]/).filter(Boolean).pop() ?? s.storageFolder;
  const state = s.state === 'attention' ? 'error' : s.state;
  const lastError = s.attention
    ? { message: s.attention.message, at: new Date().toISOString() }
    : s.lastError ? { message: `${s.lastError.message} ${s.lastError.action}`.trim(), at: new Date(s.lastError.at).toISOString() } : null;
  // Conflicts and problems are attentions of their own (with their fixes), not part of the state line.
  const stateText = s.state === 'attention' ? 'Waiting for your decision on the deletions' : s.detail || (s.paused ? 'Paused' : 'Up to date');
  return {
    id: s.projectId,
    name,
    dir: s.localDir,
    storageFolder: s.storageFolder,
    state,
    stateText,
    paused: s.paused,
    progress: s.progress
      ? { direction: s.state === 'pulling' ? 'pull' : 'push', filesDone: s.progress.filesDone, filesTotal: s.progress.filesTotal, bytesDone: s.progress.bytesDone, bytesTotal: s.progress.bytesTotal, rate: s.progress.rate, etaSeconds: s.progress.etaSeconds, current: null }
      : null,
    pendingFiles: s.pendingFiles,
    // The engine keeps the last plan's cost after pushing it: show it only while something is to be pushed.
    nextAction: s.nextPush && s.nextPush.apiCalls > 0 && !(s.state === 'idle' && s.lastPushAt !== null && s.pendingFiles === 0)
      ? { action: s.nextPush.strategy === 'snapshot' ? 'push the case as one archive' : 'push the changed files one by one', calls: s.nextPush.apiCalls, explanation: s.nextPush.reason }
      : null,
    lastError,
    conflicts,
    activity: activity.map(activityView),
    lastPushAt: s.lastPushAt === null ? null : new Date(s.lastPushAt).toISOString(),
    lastPullAt: s.lastPullAt === null ? null : new Date(s.lastPullAt).toISOString(),
    watchMode: s.watch === 'watching' ? 'watching' : s.watch === 'polling' ? 'rescan' : 'stopped',
    leftOut: s.leftOut,
    leftOutCount: s.leftOutCount,
    attentions,
    massDelete,
    syncedAt: s.lastPushAt === null && s.lastPullAt === null ? null : new Date(Math.max(s.lastPushAt ?? 0, s.lastPullAt ?? 0)).toISOString(),
  };
}

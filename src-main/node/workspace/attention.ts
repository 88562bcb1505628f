// What needs the person in a project, each with the fixes that resolve it, computed from the current
// state (never kept): once a state no longer holds, its attention is gone. The app shows them as rows
// with buttons, `cloudhpc-sync status` as lines. Typed all through (contract's AttentionView, FixAction).
import type { AttentionView, FixAction, MassDeleteView } from '../../common/contract';
import { MASS_DELETE_LISTED } from '../../common/contract';
import { plural } from '../../common/format';
import type { PullConflict } from '../sync/pull';
import type { ProjectStatus } from '../sync/status';

const iso = (t: number | null | undefined): string | null => (t === null || t === undefined ? null : new Date(t).toISOString());

/**
 * The deletions the guard holds, for the review dialog. "Delete from the cloud" costs what the held push
 * costs (the planner priced it: files only in our not-yet-extracted archive cost nothing more than the
 * new archive); `restoreCalls` is priced by the caller (it reads the index).
 */
export function massDeleteView(s: ProjectStatus, restoreCalls: number): MassDeleteView | null {
  const a = s.attention;
  if (!a || a.kind !== 'mass-delete') return null;
  return {
    count: a.count,
    limit: a.limit,
    rule: a.rule,
    paths: a.paths.slice(0, MASS_DELETE_LISTED),
    more: Math.max(0, a.paths.length - MASS_DELETE_LISTED),
    deleteCalls: s.nextPush?.apiCalls ?? a.count * 2 + 1,
    restoreCalls,
  };
}

export function projectAttentions(s: ProjectStatus, conflicts: readonly PullConflict[]): AttentionView[] {
  const out: AttentionView[] = [];
  const a = s.attention;
  if (a?.kind === 'mass-delete') {
    const why = a.rule === 'half' ? 'more than half of the case' : a.rule === 'share' ? `more than the ${a.limit} the guard allows for this case` : `more than the ${a.limit} the guard allows at once`;
    out.push({ code: 'mass-delete', severity: 'error', message: `${plural(a.count, 'file')} deleted here would also be deleted from the cloud (${why}). Nothing is pushed until you decide.`, fixes: [{ kind: 'review-deletes' }], since: null });
  }
  if (conflicts.length > 0) {
    out.push({ code: 'conflicts', severity: 'warning', message: `${plural(conflicts.length, 'conflict')}: the cloud version of ${conflicts.length === 1 ? 'a file was' : 'files was'} kept beside your ${conflicts.length === 1 ? 'file' : 'files'}.`, fixes: [{ kind: 'resolve-conflicts' }], since: iso(Math.min(...conflicts.map((c) => c.at))) });
  }
  const e = s.lastError;
  if (s.state === 'offline') {
    out.push({ code: 'offline', severity: 'warning', message: 'cloudHPC cannot be reached: changes wait here and are pushed as soon as it answers.', fixes: [{ kind: 'retry-now' }], since: iso(e?.at) });
  } else if (e) {
    const code = e.during === 'pull' ? 'pull-failed' : e.during === 'scan' ? 'scan-failed' : e.kind === 'partial' ? 'files-to-retry' : 'push-failed';
    const fixes: FixAction[] = e.kind === 'unauthorized' ? [{ kind: 'enter-key' }] : [{ kind: 'retry-now' }];
    out.push({ code, severity: e.kind === 'unauthorized' || code === 'scan-failed' ? 'error' : 'warning', message: `${e.message}${e.message.endsWith('.') ? '' : '.'}`, fixes, since: iso(e.at) });
  }
  if (s.leftOutCount > 0) {
    // Links and special files can be left out on purpose, by name; a name that is not valid UTF-8 has
    // no pattern that says it faithfully: renaming it is the way (the list under it says so).
    const ignorable = s.leftOut.filter((l) => l.code !== 'name-not-utf8' && !/[*?[\]\\!#]|^\s|\s$/.test(l.path)).map((l) => `/${l.path}`);
    const message = `${plural(s.leftOutCount, 'item')} of the case cannot be synced: each is listed below with the reason.${ignorable.length > 0 ? ` Leaving ${ignorable.length === 1 ? 'the link or special file' : 'the links and special files'} out on purpose adds ${ignorable.length === 1 ? 'it' : 'them'} to .cloudhpcignore.` : ''}`;
    out.push({ code: 'left-out', severity: 'warning', message, fixes: ignorable.length > 0 ? [{ kind: 'add-to-ignore', lines: ignorable }] : [], since: null });
  }
  if (s.paused) out.push({ code: 'paused', severity: 'info', message: 'Sync is paused: changes are neither pushed nor pulled.', fixes: [{ kind: 'resume' }], since: null });
  if (s.watch === 'polling') out.push({ code: 'watch-fallback', severity: 'info', message: s.notice ?? 'The folder is too large to watch: changes are found by a rescan every 30 s.', fixes: [], since: null });
  return out;
}

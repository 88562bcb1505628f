// Showing what the workspace returns on the terminal: a one-line progress bar redrawn in place on a
// TTY (plain lines, only on change, otherwise), pull results, and the error → exit code mapping.
// Everything here reads typed data; the only text it reads is what it prints.
import { formatBytes, formatDuration, plural } from '../common/format';
import type { Project } from '../node/project';
import { ProjectError } from '../node/project/registry';
import { isPathRefused } from '../node/rooted-path';
import { ControlError } from '../node/simulation/control';
import { isStorageRefused } from '../node/storage';
import { errorKind, errorText } from '../node/sync/cloud-port';
import { MassDeleteError, PausedError, PushIncompleteError } from '../node/sync/engine';
import { leftOutSummary, type LeftOut } from '../node/sync/left-out';
import { pullComplete, type PullResult } from '../node/sync/pull';
import type { ProjectStatus } from '../node/sync/status';
import { WorkspaceError } from '../node/workspace';
import { UsageError } from './args';
import type { CliContext } from './context';
import { CliExit } from './context';
import { EXIT } from './exit-codes';

function progressBar(frac: number, width: number): string {
  const full = Math.max(0, Math.min(width, Math.round(frac * width)));
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

/**
 * The progress line of a transfer: bar, percent, bytes, rate and time left
 * ("room_fire [#####---------------] 25% 1.0 MB of 4.0 MB, 1.0 MB/s, ETA 3 s").
 */
export function progressLine(s: Pick<ProjectStatus, 'storageFolder' | 'state' | 'progress'>): string {
  const p = s.progress;
  const verb = s.state === 'pulling' ? 'pull' : 'push';
  if (!p) return `${s.storageFolder}: ${verb}ing`;
  return transferLine(`${s.storageFolder} ${verb}`, p);
}

/** "label [#####---------------] 25% 1.0 MB of 4.0 MB, 1.0 MB/s, ETA 3 s" (files when sizes are unknown). */
export function transferLine(label: string, p: NonNullable<ProjectStatus['progress']>): string {
  const bytes = p.bytesTotal > 0;
  const frac = bytes ? p.bytesDone / p.bytesTotal : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 0;
  const amount = bytes ? `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}` : `${p.filesDone} of ${plural(p.filesTotal, 'file')}`;
  const rate = p.rate > 0 ? `, ${formatBytes(p.rate)}/s` : '';
  const eta = p.etaSeconds !== null && p.rate > 0 ? `, ETA ${formatDuration(p.etaSeconds)}` : '';
  return `${label} ${progressBar(frac, 20)} ${Math.floor(frac * 100)}% ${amount}${rate}${eta}`;
}

const transferring = (s: ProjectStatus): boolean => s.state === 'pushing' || s.state === 'pulling';

/**
 * Follows a project's transfers for a person: on a terminal one line redrawn in place while bytes move
 * (cleared when the transfer ends); otherwise one plain line when a transfer starts. The engine's other
 * states (scanning, idle, …) are not printed: the command says how it ended. With `jsonLines` and
 * --json, one JSON line per state change (watch).
 */
export function followStatus(ctx: CliContext, jsonLines = false): (s: ProjectStatus) => void {
  let last = '';
  let shown = false;
  const clear = (): void => {
    if (!shown) return;
    const cols = Math.max(40, (ctx.stdout.columns ?? 80) - 1);
    ctx.stdout.write(`\r${' '.repeat(cols)}\r`);
    shown = false;
  };
  if (ctx.tty) ctx.onClose(async () => clear());
  return (s) => {
    if (ctx.json) {
      if (!jsonLines) return;
      const key = `${s.projectId}|${s.state}|${s.detail}`;
      if (key === last) return;
      last = key;
      ctx.printJson({ event: 'state', projectId: s.projectId, storageFolder: s.storageFolder, state: s.state, detail: s.detail, nextPush: s.nextPush, lastError: s.lastError });
      return;
    }
    if (ctx.tty) {
      if (!transferring(s)) return clear();
      const cols = Math.max(40, (ctx.stdout.columns ?? 80) - 1);
      ctx.stdout.write(`\r${progressLine(s).slice(0, cols).padEnd(cols)}`);
      shown = true;
      return;
    }
    const key = `${s.projectId}|${s.state}`;
    if (key === last) return;
    last = key;
    if (transferring(s)) ctx.out(`${s.storageFolder}: ${s.detail}...`);
  };
}

/** Writes a whole line on a terminal where a progress line may stand (it is cleared first). */
export function sayOver(ctx: CliContext, line: string): void {
  if (ctx.tty) {
    const cols = Math.max(40, (ctx.stdout.columns ?? 80) - 1);
    ctx.stdout.write(`\r${' '.repeat(cols)}\r`);
  }
  ctx.out(line);
}


/** A pull as one JSON document: every field of the typed result. */
export function pullJson(project: Pick<Project, 'id' | 'storageFolder' | 'localDir'>, r: PullResult): Record<string, unknown> {
  return {
    projectId: project.id,
    storageFolder: project.storageFolder,
    dir: project.localDir,
    complete: pullComplete(r),
    downloaded: r.downloaded,
    written: r.written,
    conflicts: r.conflicts,
    refused: r.refused,
    keptLocal: r.keptLocal,
    failed: r.failed,
    warnings: r.warnings,
    upToDate: r.upToDate,
    apiCalls: r.apiCalls,
  };
}

/** Most refusals listed on a terminal (--json lists them all). */
const SHOWN = 20;

/** A pull for a person: what landed, what conflicts, what was refused and why, what failed. */
export function pullLines(storageFolder: string, r: PullResult): string[] {
  const lines = [`${storageFolder}: pulled ${plural(r.downloaded.length, 'file')} (${r.written.length} written in the case folder, ${plural(r.conflicts.length, 'conflict')}, ${plural(r.apiCalls, 'API call')}).`];
  if (r.downloaded.length === 0 && r.failed.length === 0) lines[0] = `${storageFolder}: no new results (${r.upToDate} up to date, ${plural(r.apiCalls, 'API call')}).`;
  for (const c of r.conflicts) lines.push(`  conflict: kept your ${c.path}; the cloud version is beside it as ${c.copy} (${c.reason})`);
  if (r.refused.length > 0) {
    const storage = r.refused.filter((x) => x.source === 'storage').length;
    const members = r.refused.length - storage;
    lines.push(`Refused ${r.refused.length} (${plural(storage, 'storage name')}, ${plural(members, 'archive member')}): not written, nothing outside the case folder was touched.`);
    for (const x of r.refused.slice(0, SHOWN)) lines.push(`  ${x.archive ? `${x.archive}: ` : ''}${x.name.replace(/[\u0000-\u001f]/g, '?')}: ${x.reason}`);
    if (r.refused.length > SHOWN) lines.push(`  ... and ${r.refused.length - SHOWN} more (--json lists them all).`);
  }
  for (const w of r.warnings) lines.push(`Warning: ${w.message}`);
  if (r.failed.length > 0) {
    lines.push(`Not pulled: ${plural(r.failed.length, 'file')} could not be downloaded or put in place; run the pull again to retry:`);
    for (const f of r.failed.slice(0, SHOWN)) lines.push(`  ${f.name}: ${f.message}`);
  }
  return lines;
}

/** What a push left out (names not valid UTF-8, links, special files), for a person. */
export function leftOutLines(items: readonly LeftOut[], count = items.length): string[] {
  if (count === 0) return [];
  const lines = [`${leftOutSummary(count)}:`];
  for (const x of items.slice(0, SHOWN)) lines.push(`  ${x.path}: ${x.reason}`);
  if (count > SHOWN) lines.push(`  ... and ${count - SHOWN} more (--json lists them).`);
  return lines;
}

/** Maps an error to a message and the documented exit code. */
export function exitFor(e: unknown): { code: number; message: string } {
  if (e instanceof CliExit) return { code: e.code, message: e.message };
  if (e instanceof UsageError) return { code: EXIT.USAGE, message: e.message };
  if (e instanceof ProjectError) return { code: EXIT.USAGE, message: e.suggestion ? `${e.message} (use --folder ${e.suggestion})` : e.message };
  if (e instanceof MassDeleteError) return { code: EXIT.CONFIRM_DELETES, message: e.message };
  if (e instanceof PausedError) return { code: EXIT.FAILURE, message: e.message };
  if (e instanceof PushIncompleteError) return { code: EXIT.INCOMPLETE, message: e.message };
  if (e instanceof ControlError) return { code: e.code === 'needs-confirmation' ? EXIT.USAGE : EXIT.FAILURE, message: e.message };
  if (e instanceof WorkspaceError) return { code: e.code === 'no-key' ? EXIT.AUTH : e.code === 'not-found' || e.code === 'needs-confirmation' ? EXIT.USAGE : EXIT.FAILURE, message: e.message };
  if (isPathRefused(e)) return { code: EXIT.FAILURE, message: e.message };
  if (isStorageRefused(e)) {
    const code = e.code === 'mass-delete' ? EXIT.CONFIRM_DELETES : e.code === 'opening' || e.code === 'not-found' ? EXIT.FAILURE : EXIT.USAGE;
    return { code, message: e.message };
  }
  const kind = errorKind(e);
  if (kind === 'unauthorized') return { code: EXIT.AUTH, message: errorText(e) };
  if (kind === 'network') return { code: EXIT.OFFLINE, message: errorText(e) };
  if (kind === 'cancelled') return { code: EXIT.INTERRUPTED, message: 'Interrupted.' };
  return { code: EXIT.FAILURE, message: errorText(e) };
}

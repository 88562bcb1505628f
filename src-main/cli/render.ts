// Showing sync state on the terminal: a one-line progress bar redrawn in place on a TTY, plain
// lines (only when something changes) otherwise. Also the error → exit code mapping.
import { ProjectError } from '../node/project/registry';
import { errorKind, errorText } from '../node/sync/cloud-port';
import { MassDeleteError, PausedError } from '../node/sync/engine';
import type { ProjectStatus } from '../node/sync/status';
import { UsageError } from './args';
import type { CliContext } from './context';
import { CliExit } from './context';
import { formatBytes } from '../common/format';
import { EXIT } from './exit-codes';


function bar(frac: number, width: number): string {
  const full = Math.max(0, Math.min(width, Math.round(frac * width)));
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

export function statusLine(s: ProjectStatus): string {
  const p = s.progress;
  let line = `${s.storageFolder}: ${s.state} - ${s.detail}`;
  if (p && (s.state === 'pushing' || s.state === 'pulling')) {
    const frac = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 0;
    const eta = p.etaSeconds === null ? '' : ` ETA ${p.etaSeconds}s`;
    line = `${s.storageFolder} ${bar(frac, 20)} ${p.filesDone}/${p.filesTotal} files ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)} ${formatBytes(p.rate)}/s${eta}`;
  }
  return line;
}

/** Follows state events: redraws on a TTY, prints changes otherwise (JSON lines with --json when `jsonLines`). */
export function followStatus(ctx: CliContext, jsonLines = false): (s: ProjectStatus) => void {
  let last = '';
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
      const cols = Math.max(40, (ctx.stdout.columns ?? 80) - 1);
      const line = statusLine(s).slice(0, cols);
      ctx.stdout.write(`\r${line.padEnd(cols)}`);
      if (s.state !== 'pushing' && s.state !== 'pulling' && s.state !== 'scanning') {
        ctx.stdout.write('\n');
      }
      return;
    }
    const key = `${s.projectId}|${s.state}|${s.detail}`;
    if (key === last) return;
    last = key;
    ctx.out(`${s.storageFolder}: ${s.state} - ${s.detail}`);
  };
}

/** Maps an error to a message and the documented exit code. */
export function exitFor(e: unknown): { code: number; message: string } {
  if (e instanceof CliExit) return { code: e.code, message: e.message };
  if (e instanceof UsageError) return { code: EXIT.USAGE, message: e.message };
  if (e instanceof ProjectError) return { code: EXIT.USAGE, message: e.suggestion ? `${e.message} (use --folder ${e.suggestion})` : e.message };
  if (e instanceof MassDeleteError) return { code: EXIT.CONFIRM_DELETES, message: e.message };
  if (e instanceof PausedError) return { code: EXIT.FAILURE, message: e.message };
  const kind = errorKind(e);
  if (kind === 'unauthorized') return { code: EXIT.AUTH, message: errorText(e) };
  if (kind === 'network') return { code: EXIT.OFFLINE, message: errorText(e) };
  if (kind === 'cancelled') return { code: EXIT.INTERRUPTED, message: 'Interrupted.' };
  const text = errorText(e);
  if (/could not be fully pushed in time/.test(text)) return { code: EXIT.INCOMPLETE, message: text };
  return { code: EXIT.FAILURE, message: text };
}

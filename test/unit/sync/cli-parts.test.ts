import { describe, expect, it } from 'vitest';
import { UsageError, flagNumber, parseArgs } from '../../../src-main/cli/args';
import { commandDeadline } from '../../../src-main/cli/deadline';
import { EXIT } from '../../../src-main/cli/exit-codes';
import { formatBytes } from '../../../src-main/common/format';
import { exitFor, progressLine } from '../../../src-main/cli/render';
import { suggest } from '../../../src-main/cli/suggest';
import { ProjectError } from '../../../src-main/node/project/registry';
import { MassDeleteError, PushIncompleteError } from '../../../src-main/node/sync/engine';
import type { ProjectStatus } from '../../../src-main/node/sync/status';
import { CloudHpcError } from '../../../src-main/node/api/errors';

describe('CLI --timeout', () => {
  it('refuses a deadline past what a timer can hold (it would pass at once) and keeps one that fits', () => {
    const at = (v: string) => parseArgs(['pull', 'dir', '--timeout', v], { value: ['timeout'] });
    expect(() => commandDeadline(at('3000000'), new AbortController().signal)).toThrow(UsageError);
    expect(() => commandDeadline(at('3000000'), new AbortController().signal)).toThrow(/at most 2147483 seconds/);
    const d = commandDeadline(at('2147483'), new AbortController().signal);
    try {
      expect(d.signal.aborted).toBe(false);
      expect(d.timedOut()).toBe(false);
    } finally {
      d.dispose();
    }
  });
});

describe('CLI argument parsing', () => {
  it('reads positionals, value and boolean flags, and refuses unknown ones', () => {
    const a = parseArgs(['push', 'dir', '--folder', 'x', '--json', '--timeout=5'], { value: ['folder', 'timeout'], bool: ['dry-run'] });
    expect(a.positional).toEqual(['push', 'dir']);
    expect(a.flags.get('folder')).toBe('x');
    expect(a.flags.get('json')).toBe(true);
    expect(flagNumber(a, 'timeout', 1)).toBe(5);
    expect(() => parseArgs(['--nope'], {})).toThrow(UsageError);
    expect(() => parseArgs(['--confirm-delete'], { bool: ['confirm-deletes', 'dry-run'] })).toThrow('Unknown option --confirm-delete. Did you mean --confirm-deletes?');
    expect(() => parseArgs(['--folder'], { value: ['folder'] })).toThrow(/needs a value/);
    expect(() => flagNumber(parseArgs(['--timeout', 'soon'], { value: ['timeout'] }), 'timeout', 1)).toThrow(/non-negative number/);
  });
});

describe('CLI rendering and exit codes', () => {
  it('formats bytes and a progress line', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
    const s: ProjectStatus = {
      projectId: 'p', localDir: '/c', storageFolder: 'caseA', state: 'pushing', detail: 'Pushing 3 files', pendingFiles: 0, watch: 'off', attention: null,
      lastError: null, notice: null, leftOut: [], leftOutCount: 0, lastPushAt: null, lastPullAt: null, paused: false, nextPush: null,
      progress: { filesDone: 1, filesTotal: 3, bytesDone: 1024, bytesTotal: 4096, rate: 512, etaSeconds: 6 },
    };
    expect(progressLine(s)).toBe('caseA push [#####---------------] 25% 1.0 KB of 4.0 KB, 512 B/s, ETA 6 s');
    // bytes not known yet: files; no rate yet: no ETA
    expect(progressLine({ ...s, progress: { filesDone: 1, filesTotal: 3, bytesDone: 0, bytesTotal: 0, rate: 0, etaSeconds: null } })).toBe('caseA push [#######-------------] 33% 1 of 3 files');
    expect(progressLine({ ...s, state: 'pulling', progress: { filesDone: 0, filesTotal: 1, bytesDone: 0, bytesTotal: 2_000_000, rate: 1_000_000, etaSeconds: 2 } })).toMatch(/^caseA pull \[-+\] 0% 0 B of 1\.9 MB, 977 KB\/s, ETA 2 s$/);
  });

  it('suggests the command meant: a typo, a swap, a unique prefix; nothing for a word far from all', () => {
    const names = ['push', 'pull', 'watch', 'status', 'launch', 'wait', 'stop', 'sync', 'log', 'simulations', 'serve'];
    expect(suggest('pusj', names)).toBe('push');
    expect(suggest('luanch', names)).toBe('launch');
    expect(suggest('simul', names)).toBe('simulations');
    expect(suggest('stauts', names)).toBe('status');
    expect(suggest('deploy', names)).toBeNull();
  });

  it('maps errors to the documented exit codes', () => {
    expect(exitFor(new UsageError('x')).code).toBe(EXIT.USAGE);
    expect(exitFor(new ProjectError('bad name', 'good_name'))).toEqual({ code: EXIT.USAGE, message: 'bad name (use --folder good_name)' });
    expect(exitFor(new MassDeleteError(80, 50)).code).toBe(EXIT.CONFIRM_DELETES);
    expect(exitFor(new CloudHpcError({ kind: 'unauthorized', endpoint: 'GET /x' })).code).toBe(EXIT.AUTH);
    expect(exitFor(new CloudHpcError({ kind: 'network', endpoint: 'GET /x' })).code).toBe(EXIT.OFFLINE);
    expect(exitFor(new PushIncompleteError(['a.txt'], [])).code).toBe(EXIT.INCOMPLETE);
    // Only the type decides: the same words in a plain Error are a plain failure.
    expect(exitFor(new Error('The case could not be fully pushed in time: 1 file(s) keep changing.')).code).toBe(EXIT.FAILURE);
    expect(exitFor(new Error('boom')).code).toBe(EXIT.FAILURE);
  });
});

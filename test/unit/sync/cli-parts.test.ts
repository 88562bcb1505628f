import { describe, expect, it } from 'vitest';
import { UsageError, flagNumber, parseArgs } from '../../../src-main/cli/args';
import { EXIT } from '../../../src-main/cli/exit-codes';
import { formatBytes } from '../../../src-main/common/format';
import { exitFor, statusLine } from '../../../src-main/cli/render';
import { ProjectError } from '../../../src-main/node/project/registry';
import { MassDeleteError, PushIncompleteError } from '../../../src-main/node/sync/engine';
import type { ProjectStatus } from '../../../src-main/node/sync/status';
import { CloudHpcError } from '../../../src-main/node/api/errors';

describe('CLI argument parsing', () => {
  it('reads positionals, value and boolean flags, and refuses unknown ones', () => {
    const a = parseArgs(['push', 'dir', '--folder', 'x', '--json', '--timeout=5'], { value: ['folder', 'timeout'], bool: ['dry-run'] });
    expect(a.positional).toEqual(['push', 'dir']);
    expect(a.flags.get('folder')).toBe('x');
    expect(a.flags.get('json')).toBe(true);
    expect(flagNumber(a, 'timeout', 1)).toBe(5);
    expect(() => parseArgs(['--nope'], {})).toThrow(UsageError);
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
    expect(statusLine(s)).toBe('caseA [#####---------------] 1/3 files 1.0 KB/4.0 KB 512 B/s ETA 6s');
    expect(statusLine({ ...s, state: 'idle', detail: 'Up to date', progress: null })).toBe('caseA: idle - Up to date');
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

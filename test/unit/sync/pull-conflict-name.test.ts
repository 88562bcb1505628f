import { describe, expect, it } from 'vitest';
import { conflictName, isConflictCopyOf } from '../../../src-main/node/sync/pull/conflict-name';

describe('conflict copy names', () => {
  const when = new Date(Date.UTC(2026, 10, 26, 21, 45, 3));
  it('puts the cloud stamp before the extension', () => {
    expect(conflictName('case.fds', when)).toBe('case (cloudHPC 2026-11-26 214503).fds');
    expect(conflictName('sub/FDS.tar.gz', when)).toBe('sub/FDS (cloudHPC 2026-11-26 214503).tar.gz');
    expect(conflictName('.bashrc', when)).toBe('.bashrc (cloudHPC 2026-11-26 214503)');
    expect(conflictName('Makefile', when, 2)).toBe('Makefile (cloudHPC 2026-11-26 214503 2)');
    expect(isConflictCopyOf('sub/FDS.tar.gz', 'FDS (cloudHPC 2026-11-26 214503).tar.gz')).toBe(true);
    expect(isConflictCopyOf('Makefile', 'Makefile (cloudHPC 2026-11-26 214503 2)')).toBe(true);
    expect(isConflictCopyOf('case.fds', 'case (cloudHPC later).fds')).toBe(false);
    expect(isConflictCopyOf('case.fds', 'case.fds')).toBe(false);
  });
});

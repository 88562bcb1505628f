import { describe, expect, it } from 'vitest';
import { FORBIDDEN_NAME_CHARS } from '../../../src-main/node/simulation/preflight';
import { conflictName, isConflictCopyOf } from '../../../src-main/node/sync/pull/conflict-name';

describe('conflict copy names', () => {
  const when = new Date(Date.UTC(2026, 10, 29, 18, 53, 42));
  it('puts the cloud stamp before the extension, in a name cloudHPC accepts', () => {
    expect(conflictName('warehouse.out', when)).toBe('warehouse.cloudhpc-20261129-185342.out');
    expect(conflictName('sub/FDS.tar.gz', when)).toBe('sub/FDS.cloudhpc-20261129-185342.tar.gz');
    expect(conflictName('.bashrc', when)).toBe('.bashrc.cloudhpc-20261129-185342');
    expect(conflictName('Makefile', when, 2)).toBe('Makefile.cloudhpc-20261129-185342-2');
    for (const n of ['warehouse.out', 'sub/FDS.tar.gz', 'Makefile']) {
      const copy = conflictName(n, when, 3);
      expect(FORBIDDEN_NAME_CHARS.filter((c) => copy.includes(c))).toEqual([]);
    }
  });

  it('recognises its copies, and those named by earlier versions', () => {
    expect(isConflictCopyOf('sub/FDS.tar.gz', 'FDS.cloudhpc-20261129-185342.tar.gz')).toBe(true);
    expect(isConflictCopyOf('Makefile', 'Makefile.cloudhpc-20261129-185342-2')).toBe(true);
    expect(isConflictCopyOf('sub/FDS.tar.gz', 'FDS (cloudHPC 2026-11-26 214503).tar.gz')).toBe(true);
    expect(isConflictCopyOf('Makefile', 'Makefile (cloudHPC 2026-11-26 214503 2)')).toBe(true);
    expect(isConflictCopyOf('case.fds', 'case.cloudhpc-later.fds')).toBe(false);
    expect(isConflictCopyOf('case.fds', 'case (cloudHPC later).fds')).toBe(false);
    expect(isConflictCopyOf('case.fds', 'case.fds')).toBe(false);
    expect(isConflictCopyOf('case.fds', 'case2.cloudhpc-20261129-185342.fds')).toBe(false);
  });
});

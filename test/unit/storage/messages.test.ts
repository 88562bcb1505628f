import { describe, expect, it } from 'vitest';
import { plural } from '../../../src-main/common/format';
import { storageText } from '../../../src-main/node/storage';

describe('counted words (one plural for the UI, the CLI and the messages)', () => {
  it('says one and many, irregular plurals included', () => {
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(0, 'file')).toBe('0 files');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
  });

  it('counts local entries in plain English', () => {
    expect(storageText.notEmpty('/tmp/case', 2)).toContain('(2 entries)');
    expect(storageText.notEmpty('/tmp/case', 1)).toContain('(1 entry)');
    expect(storageText.mergeKept(3)).toMatch(/^3 local entries kept as they are/);
    expect(storageText.mergeKept(1)).toMatch(/^1 local entry kept as it is/);
  });
});

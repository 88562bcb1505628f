// The fixes that edit a case folder (rename, .cloudhpcignore lines) on real temp folders: they go
// through the case's one rooted folder, so the app's own areas are refused both ways, as for pulls.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPathRefused } from '../../../src-main/node/rooted-path';
import { addIgnoreLines, renameInCase } from '../../../src-main/node/workspace/case-edits';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'case-edits-'));
  writeFileSync(join(dir, 'my probes.csv'), 'p');
  mkdirSync(join(dir, '.cloudhpc-sync'));
  writeFileSync(join(dir, '.cloudhpc-sync', 'index.db'), 'state');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('renameInCase', () => {
  it('renames a file of the case, never over an existing one', async () => {
    await renameInCase(dir, 'my probes.csv', 'my_probes.csv');
    expect(readFileSync(join(dir, 'my_probes.csv'), 'utf8')).toBe('p');
    writeFileSync(join(dir, 'b.csv'), 'b');
    await expect(renameInCase(dir, 'b.csv', 'my_probes.csv')).rejects.toThrow(/exists already/);
    expect(readFileSync(join(dir, 'my_probes.csv'), 'utf8')).toBe('p');
  });

  it("refuses the app's own areas, into them and out of them", async () => {
    const into = await renameInCase(dir, 'my probes.csv', '.cloudhpc-sync/x.csv').catch((e: unknown) => e);
    expect(isPathRefused(into)).toBe(true);
    expect(existsSync(join(dir, 'my probes.csv'))).toBe(true);
    const out = await renameInCase(dir, '.cloudhpc-sync/index.db', 'index.db').catch((e: unknown) => e);
    expect(isPathRefused(out)).toBe(true);
    expect(existsSync(join(dir, '.cloudhpc-sync', 'index.db'))).toBe(true);
    // a case that holds the app's data folder (a case at the home folder)
    mkdirSync(join(dir, 'apphome'));
    const home = await renameInCase(dir, 'apphome', 'moved', join(dir, 'apphome')).catch((e: unknown) => e);
    expect(isPathRefused(home)).toBe(true);
    expect(existsSync(join(dir, 'apphome'))).toBe(true);
  });
});

describe('renameInCase and links', () => {
  it('never moves a file through a linked folder on the way', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'case-edits-outside-'));
    try {
      writeFileSync(join(outside, 'secret.txt'), 's');
      symlinkSync(outside, join(dir, 'link'), 'dir');
      const r = await renameInCase(dir, 'link/secret.txt', 'secret.txt').catch((e: unknown) => e);
      expect(isPathRefused(r)).toBe(true);
      expect(existsSync(join(outside, 'secret.txt'))).toBe(true);
      expect(existsSync(join(dir, 'secret.txt'))).toBe(false);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('addIgnoreLines', () => {
  it('adds only the lines missing, once each', async () => {
    writeFileSync(join(dir, '.cloudhpcignore'), '/a');
    expect(await addIgnoreLines(dir, ['/a', '/b', '/b', ' '])).toEqual(['/b']);
    expect(readFileSync(join(dir, '.cloudhpcignore'), 'utf8')).toBe('/a\n/b\n');
    expect(await addIgnoreLines(dir, ['/b'])).toEqual([]);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IndexStore, cloudState, effectiveCloudSha } from '../../../src-main/node/sync/index-store';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'idx-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describe('IndexStore', () => {
  it('persists path records, archive state, activity and meta across reopen', () => {
    const db = join(dir, 'p', 'index.sqlite');
    let s = IndexStore.open(db);
    s.patch('a/b.txt', { size: 3, mtimeMs: 10, sha256: 'h1', origin: 'pushed', storageSha256: 'h1' });
    s.patch('c.txt', { size: 1, mtimeMs: 11, sha256: 'h2', archiveSha256: 'h2' });
    s.setArchive({ present: true, uploadedAt: 5, sha256: 'x', size: 100, fileCount: 1, extracted: false, extractedAt: null, runsSinceUpload: 0 });
    s.addActivity('pushed', 'Pushed a/b.txt', 'a/b.txt');
    s.setMeta('k', 'v');
    s.close();
    s = IndexStore.open(db);
    expect(s.get('a/b.txt')).toMatchObject({ size: 3, sha256: 'h1', origin: 'pushed', storageSha256: 'h1' });
    expect(s.count()).toBe(2);
    expect(s.under('a').map((r) => r.path)).toEqual(['a/b.txt']);
    expect(s.archive()).toMatchObject({ present: true, fileCount: 1, extracted: false });
    expect(s.activity()[0]).toMatchObject({ kind: 'pushed', path: 'a/b.txt' });
    expect(s.getMeta('k')).toBe('v');
    const c = s.get('c.txt')!;
    expect(cloudState(c, s.archive())).toBe('archive');
    expect(effectiveCloudSha(c, { present: false })).toBeNull();
    s.close();
  });

  it('rolls back a failed transaction entirely', () => {
    const s = IndexStore.open(join(dir, 'i.sqlite'));
    expect(() => s.transaction(() => {
      s.patch('x', { sha256: 'a' });
      throw new Error('boom');
    })).toThrow('boom');
    expect(s.get('x')).toBeUndefined();
    s.close();
  });

  it('under() does not match siblings that share a prefix', () => {
    const s = IndexStore.open(join(dir, 'i.sqlite'));
    for (const p of ['ab/x', 'a/x', 'a/y/z', 'a0', 'a.txt']) s.patch(p, {});
    expect(s.under('a').map((r) => r.path)).toEqual(['a/x', 'a/y/z']);
    s.close();
  });
});

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictBook, insideProject, parseConflictMessage } from '../../../src-main/node/app/conflicts';

describe('conflicts', () => {
  let dir: string;
  let state: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conflicts-'));
    state = join(dir, 'state');
    await mkdir(join(dir, 'case', 'sub'), { recursive: true });
  });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('reads the pull\'s conflict message, names with parentheses included', () => {
    expect(parseConflictMessage('kept the local sub/a (v2).txt; the cloud version is sub/a (v2) (cloudHPC 2026-11-26 221502).txt (a local file with different content is there)', 'sub/a (v2).txt'))
      .toEqual({ path: 'sub/a (v2).txt', copy: 'sub/a (v2) (cloudHPC 2026-11-26 221502).txt', reason: 'a local file with different content is there' });
    expect(parseConflictMessage('kept the local x.tar.gz; the cloud version is x (cloudHPC 2026-11-26 221502 2).tar.gz (changed on both sides)', null))
      .toMatchObject({ path: 'x.tar.gz', copy: 'x (cloudHPC 2026-11-26 221502 2).tar.gz' });
    expect(parseConflictMessage('pulled a.txt', 'a.txt')).toBeNull();
  });

  it('never resolves a path outside the project', () => {
    expect(() => insideProject(join(dir, 'case'), '../secret')).toThrow(/outside/);
    expect(() => insideProject(join(dir, 'case'), '/etc/passwd')).toThrow(/outside/);
    expect(() => insideProject(join(dir, 'case'), '')).toThrow(/outside/);
    expect(insideProject(join(dir, 'case'), 'sub/a.txt')).toMatch(/case[\\/]sub[\\/]a\.txt$/);
  });

  it('lists a conflict while its cloud copy exists; keep local removes the copy, keep cloud replaces the local file', async () => {
    const book = new ConflictBook(() => state);
    const c1 = { path: 'sub/a.txt', copy: 'sub/a (cloudHPC 2026-11-26 221502).txt', reason: 'r' };
    const c2 = { path: 'b.txt', copy: 'b (cloudHPC 2026-11-26 221502).txt', reason: 'r' };
    await writeFile(join(dir, 'case', c1.path), 'local a');
    await writeFile(join(dir, 'case', c1.copy), 'cloud a');
    await writeFile(join(dir, 'case', c2.path), 'local b');
    await writeFile(join(dir, 'case', c2.copy), 'cloud b');
    book.add('p', c1);
    book.add('p', c1); // idempotent
    book.add('p', c2);
    const listed = book.list('p', join(dir, 'case'));
    expect(listed.map((c) => c.path).sort()).toEqual(['b.txt', 'sub/a.txt']);

    await book.resolve('p', join(dir, 'case'), listed.find((c) => c.path === 'sub/a.txt')!.id, 'local');
    expect(await readFile(join(dir, 'case', c1.path), 'utf8')).toBe('local a');
    expect(existsSync(join(dir, 'case', c1.copy))).toBe(false);

    await book.resolve('p', join(dir, 'case'), listed.find((c) => c.path === 'b.txt')!.id, 'cloud');
    expect(await readFile(join(dir, 'case', c2.path), 'utf8')).toBe('cloud b');
    expect(book.list('p', join(dir, 'case'))).toEqual([]);
    await expect(book.resolve('p', join(dir, 'case'), 'nope', 'cloud')).rejects.toThrow(/no longer listed/);
  });

  it('drops a conflict whose copy the user deleted by hand', async () => {
    const book = new ConflictBook(() => state);
    book.add('p', { path: 'c.txt', copy: 'c (cloudHPC 2026-11-26 221502).txt', reason: '' });
    expect(book.list('p', join(dir, 'case'))).toEqual([]);
  });
});

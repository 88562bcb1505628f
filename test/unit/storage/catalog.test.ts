// The storage catalog against a scripted stand-in for the client (its listings, as a hostile or
// changing service would give them): levels listed once and kept, hostile names left out and
// reported, a folder naming itself cannot loop a walk, a stale folder id is looked up again once,
// every call counted; and the storage paths people type.
import { describe, expect, it } from 'vitest';
import type { CallOptions, StorageItem } from '../../../src-main/node/api/types';
import { normaliseStoragePath, StorageCatalog, StorageRefused, type StorageCloud } from '../../../src-main/node/storage';

const dir = (id: number, name: string): StorageItem => ({ id, name, basename: name.split('/').pop()!, dirname: name.split('/').slice(0, -1).join('/'), type: 'dir', size: null, timeCreated: null });
const file = (id: number, name: string, size = 1): StorageItem => ({ ...dir(id, name), type: 'file', size, timeCreated: '2026-01-01T00:00:00Z' });

/** A client whose listings are a table parent id → children (undefined: the root); pages of `pageSize`. */
function cloud(tree: Map<number | undefined, StorageItem[]>, pageSize = 2): StorageCloud & { listed: (number | undefined)[]; gone: Set<number> } {
  const listed: (number | undefined)[] = [];
  const gone = new Set<number>();
  const notFound = Object.assign(new Error('gone'), { kind: 'not-found-or-forbidden' });
  return {
    listed,
    gone,
    async listChildren(parentId: number | undefined, o?: CallOptions & { onPage?: () => void }) {
      listed.push(parentId);
      if (parentId !== undefined && gone.has(parentId)) {
        o?.onPage?.();
        throw notFound;
      }
      const all = tree.get(parentId) ?? [];
      let calls = 0;
      for (let i = 0; i <= all.length; i += pageSize) {
        o?.onPage?.();
        calls++;
      }
      return { items: all, calls };
    },
    deleteStorage: async () => true,
    deleteCache: async () => true,
    viewByPath: async () => { throw notFound; },
    downloadUrl: async () => 'http://127.0.0.1:9/x',
    downloadToFile: async () => ({ sha256: null }),
  };
}

describe('the storage catalog', () => {
  it('lists each level once and keeps it; counts every call; a refresh asks again', async () => {
    const c = cloud(new Map([[undefined, [dir(1, 'a')]], [1, [file(2, 'a/x', 5), file(3, 'a/y', 7), dir(4, 'a/sub')]], [4, [file(5, 'a/sub/z', 1)]]]));
    const cat = new StorageCatalog({ cloud: c });
    const first = await cat.list('a');
    expect(first.cached).toBe(false);
    expect(first.spent).toBe(1 + 2); // the root (1 item: one page + the end), a (3 items: 2 pages)
    expect(first.listing.items.map((i) => i.name)).toEqual(['a/x', 'a/y', 'a/sub']);
    const again = await cat.list('a');
    expect(again).toMatchObject({ cached: true, spent: 0 });
    expect(cat.treeSize('a')).toBeNull(); // a/sub not listed yet
    const w = await cat.walk('a');
    expect(w.files.map((f) => f.name)).toEqual(['a/x', 'a/y', 'a/sub/z']);
    expect(cat.treeSize('a')).toBe(13);
    expect(c.listed).toEqual([undefined, 1, 4]);
    const refreshed = await cat.list('a', { refresh: true });
    expect(refreshed).toMatchObject({ cached: false, spent: 1 + 2 }); // delete-cache + a again (the root is kept)
    expect(cat.spent().session).toBe(3 + 1 + 3);
    expect(cat.spent().lastHour).toBe(cat.spent().session);
  });

  it('two looks at one folder at once make one listing', async () => {
    const c = cloud(new Map([[undefined, [dir(1, 'a')]], [1, [file(2, 'a/x')]]]));
    const cat = new StorageCatalog({ cloud: c });
    await Promise.all([cat.list('a'), cat.list('a'), cat.list('a')]);
    expect(c.listed).toEqual([undefined, 1]);
  });

  it("leaves out and reports names that do not fit under their folder ('..', another folder, empty)", async () => {
    const hostile = [file(2, 'a/ok'), { ...file(3, 'a/../etc'), basename: '..' }, file(4, 'b/elsewhere'), { ...file(5, 'a/'), basename: '' }];
    const cat = new StorageCatalog({ cloud: cloud(new Map([[undefined, [dir(1, 'a')]], [1, hostile]])) });
    const r = await cat.list('a');
    expect(r.listing.items.map((i) => i.name)).toEqual(['a/ok']);
    expect(r.listing.refused).toBe(3);
    expect((await cat.walk('a')).refused).toEqual(['a/../etc', 'b/elsewhere', 'a/']);
  });

  it('a folder listed inside itself cannot loop a walk', async () => {
    const self = dir(1, 'a');
    const c = cloud(new Map([[undefined, [self]], [1, [{ ...self, name: 'a/a', basename: 'a' }, file(2, 'a/x')]]]));
    const w = await new StorageCatalog({ cloud: c }).walk('a');
    expect(w.files.map((f) => f.name)).toEqual(['a/x']);
    expect(c.listed.filter((x) => x === 1)).toHaveLength(1);
  });

  it('a cached folder id that is gone: the parent is listed again once, then the folder under its new id', async () => {
    const tree = new Map<number | undefined, StorageItem[]>([[undefined, [dir(1, 'a')]], [1, [dir(2, 'a/b')]], [2, [file(3, 'a/b/x')]]]);
    const c = cloud(tree);
    const cat = new StorageCatalog({ cloud: c });
    await cat.list('a/b');
    cat.invalidate('a/b');
    c.gone.add(2);
    tree.set(1, [dir(7, 'a/b')]);
    tree.set(7, [file(8, 'a/b/y')]);
    const r = await cat.list('a/b');
    expect(r.listing.items.map((i) => i.name)).toEqual(['a/b/y']);
    expect(c.listed).toEqual([undefined, 1, 2, 2, 1, 7]);
  });

  it('says what is missing, and what is not a folder', async () => {
    const cat = new StorageCatalog({ cloud: cloud(new Map([[undefined, [file(1, 'f')]]])) });
    await expect(cat.list('nope')).rejects.toMatchObject({ code: 'not-found' });
    await expect(cat.list('f')).rejects.toMatchObject({ code: 'not-a-folder' });
    await expect(cat.item('')).rejects.toBeInstanceOf(StorageRefused);
  });
});

describe('storage paths as people type them', () => {
  it.each([
    ['/caseA/run 2/', 'caseA/run 2'],
    ['caseA//system', 'caseA/system'],
    ['caseA\\system\\controlDict', 'caseA/system/controlDict'],
    ['', ''],
    ['/', ''],
  ])('%j → %j', (input, out) => {
    expect(normaliseStoragePath(input)).toBe(out);
  });

  it.each(['caseA/../etc', './caseA', 'a/\u0000b'])('%j is refused', (input) => {
    expect(() => normaliseStoragePath(input)).toThrow(StorageRefused);
  });
});

// Every endpoint of the reference, round-tripped against the emulator over loopback.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimStatus } from '../../../src-main/node/api/types';
import { KEY, harness, type Harness } from './helpers';

let h: Harness;
beforeEach(async () => {
  h = await harness({ pageSize: 3, emptyMediaLinkCalls: 2 });
  await h.emu.seedFile(KEY, 'caseA/input.fds', '&HEAD CHID="a" /\n&TAIL /\n');
});
afterEach(async () => h.close());

describe('CloudHpcClient endpoints', () => {
  it('reads the options for a new simulation', async () => {
    expect(await h.client.viewCpu()).toContain(4);
    expect(await h.client.viewRam()).toContain('standard');
    expect(await h.client.viewScripts()).toContain('fds6.9.1');
    expect(await h.client.checkKey()).toBe(true);
    expect(h.emu.calls(KEY).byEndpoint).toMatchObject({ 'GET /simulation/view-cpu': 2, 'GET /simulation/view-ram': 1, 'GET /simulation/view-scripts': 1 });
  });

  it('adds, lists, views, syncs and stops a simulation', async () => {
    const id = await h.client.addSimulation({ cpu: 4, ram: 'standard', script: 'fds6.9.1', folder: 'caseA', regular: true });
    expect(h.emu.simulations(KEY).map((s) => s.id)).toEqual([id]);
    const list = await h.client.indexShort(1, 'id', 'desc');
    expect(list.map((s) => s.id)).toEqual([id]);
    expect(list[0]).toMatchObject({ folder: 'caseA', cpu: 4, ram: 'standard', nopre: 1, status: SimStatus.PENDING, output: null, edate: null, cost: null });
    const short = await h.client.viewShort(id);
    expect(short.id).toBe(id);
    await h.emu.clock.advance(60);
    const full = await h.client.view(id);
    expect(full.status).toBe(SimStatus.RUNNING);
    expect(typeof full.output).toBe('string');
    expect(await h.client.syncSimulation(id)).toBe(true);
    expect(await h.client.stopSimulation(id, 'SIGTSTP')).toBe(true);
    await h.emu.clock.advance(60);
    expect([SimStatus.STOPPING, SimStatus.STOPPED]).toContain((await h.client.viewShort(id)).status);
  });

  it('uploads, finds, lists, downloads (both URL kinds) and deletes storage items', async () => {
    const local = join(h.tmp, 'mesh.bin');
    const data = Buffer.alloc(300_000, 7);
    data.write('cloudHPC', 1000);
    await writeFile(local, data);
    const up = await h.client.uploadFile(local, { dirname: 'caseA/constant', filename: 'mesh.bin' });
    expect(up.bytes).toBe(data.length);
    expect(up.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(await h.client.deleteCache()).toBe(true);
    const files = await h.emu.files(KEY, 'caseA');
    expect(files['constant/mesh.bin']).toEqual({ size: data.length, sha256: up.sha256 });

    const item = await h.client.viewByPath('caseA/constant/mesh.bin');
    expect(item).toMatchObject({ name: 'caseA/constant/mesh.bin', basename: 'mesh.bin', dirname: 'caseA/constant', type: 'file', size: data.length });

    // the service prepares a new file's link within its first second
    await h.emu.clock.advance(2);
    // downloads go through view-url → mediaLink, as every provider client; it answers an empty
    // mediaLink twice first: asked again with backoff, 3 calls in all
    const url = await h.client.downloadUrl(item.id);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(h.emu.calls(KEY).byEndpoint['GET /storage/view-url/{id}']).toBe(3);
    expect(h.emu.calls(KEY).byEndpoint['GET /storage/download/{id}']).toBeUndefined();
    expect(h.client.downloadRoute).toBe('view-url');
    const dest = join(h.tmp, 'down.bin');
    const down = await h.client.downloadToFile(url, dest);
    expect(down.sha256).toBe(up.sha256);
    expect(Buffer.compare(await readFile(dest), data)).toBe(0);

    // download/{id}, the introduction's route, gives a link too
    const link = await h.client.storageDownloadUrl(item.id);
    const dest2 = join(h.tmp, 'down2.bin');
    expect((await h.client.downloadToFile(link, dest2)).sha256).toBe(up.sha256);
    expect(h.emu.calls(KEY).byEndpoint['GET /storage/download/{id}']).toBe(1);

    expect(await h.client.deleteStorage(item.id)).toBe(true);
    await h.client.deleteCache();
    expect(await h.emu.files(KEY, 'caseA')).not.toHaveProperty('constant/mesh.bin');
  });

  it('pages the storage index and lists a folder by path, reporting the calls it cost', async () => {
    for (let i = 0; i < 7; i++) await h.emu.seedFile(KEY, `caseB/sub/f${i}.txt`, `file ${i}`);
    await h.emu.seedFile(KEY, 'caseC/x.txt', 'x');
    const root1 = await h.client.storageIndex(1);
    expect(root1.map((i) => i.name)).toEqual(['caseA', 'caseB', 'caseC']);
    const caseB = root1.find((i) => i.name === 'caseB')!;
    const children = await h.client.storageIndex(1, { parentId: caseB.id });
    expect(children.map((i) => i.name)).toEqual(['caseB/sub']);

    const before = h.emu.calls(KEY).total;
    const listing = await h.client.listFolder('caseB/sub');
    expect(listing.items.map((i) => i.basename).sort()).toEqual(['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt', 'f5.txt', 'f6.txt']);
    expect(listing.folder?.name).toBe('caseB/sub');
    // root page 1 finds caseB, caseB page 1 finds sub, then pages of 3, 3 and 1 (short page ends it)
    expect(listing.calls).toBe(5);
    expect(h.emu.calls(KEY).total - before).toBe(listing.calls);

    await expect(h.client.listFolder('nope/x')).rejects.toMatchObject({ kind: 'not-found-or-forbidden' });
  });

  it('ends a listing whose last page is full on the repeated first page (evidence) or the empty page (classic): one call more, never more', async () => {
    for (const profile of ['evidence', 'classic'] as const) {
      const p = await harness({ pageSize: 3, profile });
      try {
        for (let i = 0; i < 6; i++) await p.emu.seedFile(KEY, `caseD/f${i}.txt`, `file ${i}`);
        const folder = await p.client.viewByPath('caseD');
        const before = p.emu.calls(KEY).total;
        const all = await p.client.listChildren(folder.id);
        expect(all.items.map((i) => i.basename)).toEqual(['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt', 'f5.txt']);
        expect(all.calls).toBe(3);
        expect(p.emu.calls(KEY).total - before).toBe(3);
        // the session now knows a full page holds 3: a folder of 2 costs 1 call
        await p.emu.seedFile(KEY, 'caseE/a.txt', 'a');
        await p.emu.seedFile(KEY, 'caseE/b.txt', 'b');
        await p.client.deleteCache();
        const small = await p.client.listChildren((await p.client.viewByPath('caseE')).id);
        expect([small.items.length, small.calls]).toEqual([2, 1]);
      } finally {
        await p.close();
      }
    }
  });

  it('lists 250 simulations in 3 pages of 100 (evidence profile), newest first', async () => {
    const p = await harness({ durations: { pendingSeconds: 1_000_000 } });
    try {
      await p.emu.seedFile(KEY, 'caseA/input.fds', '&HEAD /');
      for (let i = 0; i < 250; i++) await p.client.addSimulation({ cpu: 1, ram: 'standard', script: 'fds6.9.1', folder: 'caseA' });
      const before = p.emu.calls(KEY).total;
      const all = await p.client.listSimulations();
      expect(all.items).toHaveLength(250);
      expect(all.items[0]!.id).toBeGreaterThan(all.items[249]!.id);
      expect([all.calls, all.end]).toEqual([3, 'short']);
      expect(p.emu.calls(KEY).total - before).toBe(3);
    } finally {
      await p.close();
    }
  });

  it('an index-short page with one damaged row still shows every other run; the row is reported once', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(await h.client.addSimulation({ cpu: 1, ram: 'standard', script: 'fds6.9.1', folder: 'caseA' }));
    h.emu.setFaults({ simulationPatches: { [String(ids[1])]: { status: '', cpu: '' }, [String(ids[2])]: { nopre: '', edate: '', cost: '' } } });
    const page = await h.client.indexShort(1, 'id', 'desc');
    // ids[1] has no status (NULL sent as ""): skipped; "" where a value may be empty is fine
    expect(page.map((s) => s.id)).toEqual([ids[2], ids[0]]);
    expect(page[0]).toMatchObject({ nopre: 0, edate: null, cost: null });
    await h.client.indexShort(1, 'id', 'desc');
    const reports = h.logs.filter((l) => l.includes('skipped a damaged row'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain(`id ${ids[1]!}`);
    // the damaged run still counts as existing for launch de-duplication
    h.emu.setFaults({});
  });
});

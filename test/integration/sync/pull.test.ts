// Pull against the real emulator over loopback, real temp folders, real index (SQLite).
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import type { StorageItem } from '../../../src-main/node/api/types';
import { IndexStore } from '../../../src-main/node/sync/index-store';
import { planProjectPull, pullProject, type PullClient, type PullOptions } from '../../../src-main/node/sync/pull/pull';
import { buildTarGz, snapshotTree } from '../../unit/sync/pull-helpers';

const KEY = 'pull-test-key';
const FDS_CASE = "&HEAD CHID='room' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TIME T_END=10 /\n&TAIL /\n";

describe('pull from the emulator', () => {
  let emu: Emulator;
  let client: CloudHpcClient;
  let root: string;
  let parent: string;
  let project: string;
  let index: IndexStore;

  beforeEach(async () => {
    emu = await startEmulator({ apiKey: KEY, timeScale: 0, durations: { pendingSeconds: 30, runSeconds: 1200, stoppingSeconds: 20 } });
    client = new CloudHpcClient({ baseUrl: emu.url, apiKey: KEY, retry: { maxAttempts: 2 }, sleep: async () => undefined, transferAttempts: 2 });
    root = await mkdtemp(path.join(os.tmpdir(), 'pull-int-'));
    parent = path.join(root, 'parent');
    project = path.join(parent, 'case');
    await mkdir(project, { recursive: true });
    await writeFile(path.join(parent, 'sentinel.txt'), 'outside the project');
    await mkdir(path.join(parent, 'outside'));
    index = IndexStore.open(path.join(root, 'index.sqlite'));
  });

  afterEach(async () => {
    index.close();
    await client.close();
    await emu.stop();
    await rm(root, { recursive: true, force: true });
  });

  const pull = (extra: Partial<PullOptions> = {}) =>
    pullProject({ client, index, projectDir: project, storageFolder: 'case', now: () => new Date(Date.UTC(2026, 10, 26, 23, 0, 0)), ...extra });

  const outsideProject = async () => {
    const t = await snapshotTree(parent);
    return Object.fromEntries(Object.entries(t).filter(([k]) => k !== 'case' && !k.startsWith('case/')));
  };

  async function runFdsToCompletion(): Promise<number> {
    await writeFile(path.join(project, 'room.fds'), FDS_CASE);
    await emu.seedFile(KEY, 'case/room.fds', FDS_CASE);
    index.patch('room.fds', { size: FDS_CASE.length, sha256: null, origin: 'pushed' });
    const id = await client.addSimulation({ cpu: 1, ram: 'standard', script: 'fds6.9.1', folder: 'case' });
    await emu.clock.advance(31);
    await emu.clock.advance(1201);
    expect(emu.simulations(KEY).find((s) => s.id === id)?.status).toBe(10);
    return id;
  }

  it('pulls and extracts the results of a completed simulation, records them as pulled, and costs what it reports', async () => {
    await runFdsToCompletion();
    const planned = await planProjectPull({ index, projectDir: project, storageFolder: 'case', settings: { script: 'fds6.9.1' } });
    expect(planned).toMatchObject({ strategy: 'listing', lookupCalls: 4 });
    const before = emu.calls(KEY).total;
    const phases = new Set<string>();
    let lastBytes = 0;
    const r = await pull({
      settings: { script: 'fds6.9.1' },
      onProgress: (p) => {
        phases.add(p.phase);
        if (p.phase === 'downloading' && p.bytes) lastBytes = Math.max(lastBytes, p.bytes);
      },
    });
    const cost = emu.calls(KEY).total - before;
    expect([...phases]).toEqual(['looking', 'downloading', 'extracting', 'done']);
    expect(lastBytes).toBeGreaterThan(0);
    expect(r.apiCalls).toBe(cost);
    // delete-cache (fresh listing) + view-by-path of the folder + 1 page and the call that shows it
    // was the last (page 1 again); then one download link per file.
    expect(r.plan.strategy).toBe('listing');
    expect(r.apiCalls).toBe(r.plan.lookupCalls + r.downloaded.length);
    expect(r.downloaded.sort()).toEqual(['FDS.tar.gz', 'cloudhpc.log', 'cpu.csv', 'ram.csv']);
    expect(r.written).toEqual(expect.arrayContaining(['room_hrr.csv', 'room_devc.csv', 'room.out', 'room.smv', 'cloudhpc.log', 'cpu.csv']));
    expect(await readFile(path.join(project, 'room.out'), 'utf8')).toContain('FDS completed successfully');
    expect(await readFile(path.join(project, 'room.fds'), 'utf8')).toBe(FDS_CASE);
    // The archive itself is not left in the case folder (default), nor any temp file.
    const tree = await snapshotTree(project);
    expect(tree['FDS.tar.gz']).toBeUndefined();
    expect(Object.keys(tree).filter((k) => k.startsWith('.cloudhpc-sync/pull-tmp/') || /\.part$|member-|download-/.test(k))).toEqual([]);
    for (const p of ['room_hrr.csv', 'cloudhpc.log', 'cpu.csv']) expect(index.get(p)).toMatchObject({ origin: 'pulled' });
    expect(index.get('room_hrr.csv')?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(index.get('cloudhpc.log')?.storageSha256).toBe(index.get('cloudhpc.log')?.sha256);
    expect(index.activity(50).some((a) => a.kind === 'pulled' && a.path === 'FDS.tar.gz')).toBe(true);

    expect((await planProjectPull({ index, projectDir: project, storageFolder: 'case', settings: { script: 'fds6.9.1' } })).lookupCalls).toBe(3);
    // Nothing new: delete-cache + the listing (folder id cached), no download.
    const before2 = emu.calls(KEY).total;
    const again = await pull({ settings: { script: 'fds6.9.1' } });
    expect(again.downloaded).toEqual([]);
    expect(again.upToDate).toBe(4);
    expect(again.apiCalls).toBe(3);
    expect(emu.calls(KEY).total - before2).toBe(3);
  });

  it('asks by name when the folder is big, and reports that cost exactly', async () => {
    await runFdsToCompletion();
    for (let i = 0; i < 600; i++) await writeFile(path.join(project, `input${i}.txt`), 'x');
    const before = emu.calls(KEY).total;
    const r = await pull({ settings: { script: 'fds6.9.1' } });
    expect(r.plan.strategy).toBe('by-name');
    expect(r.plan.lookupCalls).toBe(1 + 6);
    expect(r.apiCalls).toBe(1 + 6 + 4);
    expect(emu.calls(KEY).total - before).toBe(r.apiCalls);
    expect(r.downloaded.sort()).toEqual(['FDS.tar.gz', 'cloudhpc.log', 'cpu.csv', 'ram.csv']);
  });

  it('walks every page of a big folder, and finds the folder again when it was recreated', async () => {
    for (let i = 0; i < 205; i++) await emu.seedFile(KEY, `case/probe${String(i).padStart(3, '0')}.csv`, `p${i}`);
    await emu.clock.advance(2);
    const before = emu.calls(KEY).total;
    const r = await pull({ settings: { script: 'fds6.9.1' } });
    expect(r.downloaded).toHaveLength(205);
    // delete-cache + view-by-path of the folder + pages of 100, 100 and 5, + 205 download links.
    expect(r.apiCalls).toBe(1 + 1 + 3 + 205);
    expect(emu.calls(KEY).total - before).toBe(r.apiCalls);
    expect(await readFile(path.join(project, 'probe204.csv'), 'utf8')).toBe('p204');

    // The folder is deleted and created again: the cached id is stale.
    const folder = await client.viewByPath('case');
    await client.deleteStorage(folder.id);
    await emu.seedFile(KEY, 'case/cloudhpc.log', 'new run');
    await emu.clock.advance(2); // past the new file's first second (its mediaLink is empty until then)
    await client.deleteCache();
    const before2 = emu.calls(KEY).total;
    const r2 = await pull({ settings: { script: 'fds6.9.1' } });
    expect(r2.downloaded).toEqual(['cloudhpc.log']);
    expect(emu.calls(KEY).total - before2).toBe(r2.apiCalls);
    expect(await readFile(path.join(project, 'cloudhpc.log'), 'utf8')).toBe('new run');
  });

  it('hostile storage names and hostile archive members write nothing outside the project', async () => {
    await symlink(path.join(parent, 'outside'), path.join(project, 'linkout'));
    const outsideBefore = await outsideProject();
    await emu.seedFile(KEY, 'case/CON', 'reserved');
    await emu.seedFile(KEY, 'case/aux.csv', 'reserved');
    await emu.seedFile(KEY, 'case/LPT1.frd', 'reserved');
    await emu.seedFile(KEY, 'case/linkout/evil.csv', 'through a symlinked folder');
    await emu.seedFile(KEY, 'case/.cloudhpc-sync/pull-tmp/evil', 'app area');
    await emu.seedFile(KEY, `case/${'l'.repeat(250)}.csv`, 'long but legal');
    await emu.seedFile(KEY, 'case/upload.tar.gz', buildTarGz([{ path: 'never.txt', data: 'input archive is skipped' }]));
    await emu.seedFile(KEY, 'case/CloudHPC-massive-files-20260925000914.tar.gz', 'skipped');
    await emu.seedFile(
      KEY,
      'case/FDS.tar.gz',
      buildTarGz([
        { path: path.join(parent, 'abs.txt'), data: 'absolute' },
        { path: '../escape.txt', data: 'dotdot' },
        { path: 'a/../../escape2.txt', data: 'dotdot' },
        { path: 'up', type: 'SymbolicLink', linkpath: '..' },
        { path: 'up/escape3.txt', data: 'through the link' },
        { path: 'hard', type: 'Link', linkpath: '../sentinel.txt' },
        { path: 'linkout/evil2.txt', data: 'through an existing symlink' },
        { path: 'null', type: 'CharacterDevice' },
        { path: 'pipe', type: 'FIFO' },
        { path: `${'x'.repeat(300)}`, data: 'name too long' },
        { path: `${'d'.repeat(250)}/`.repeat(20) + 'f.txt', data: 'path too long' },
        { path: 'PRN.txt', data: 'reserved' },
        { path: 'dir/com3', data: 'reserved' },
        { path: '.cloudhpc-sync/x', data: 'app area' },
        { path: '.CloudHPC-Sync/pull-tmp/y', data: 'app area on a case-insensitive disk' },
        { path: 'good/result.csv', data: 'ok\n' },
      ]),
    );

    const r = await pull({ settings: { pullEverything: true } });
    expect(await outsideProject()).toEqual(outsideBefore);
    expect(await readFile(path.join(parent, 'sentinel.txt'), 'utf8')).toBe('outside the project');
    expect(await readdir(path.join(parent, 'outside'))).toEqual([]);

    const refused = r.refused.map((x) => (x.archive ? `${x.archive}: ${x.name}` : x.name));
    expect(r.refused.filter((x) => x.source === 'archive').every((x) => x.archive === 'FDS.tar.gz')).toBe(true);
    for (const n of ['CON', 'aux.csv', 'LPT1.frd', '.cloudhpc-sync/pull-tmp/evil', 'FDS.tar.gz: ../escape.txt', 'FDS.tar.gz: up', 'FDS.tar.gz: hard', 'FDS.tar.gz: linkout/evil2.txt', 'FDS.tar.gz: null', 'FDS.tar.gz: pipe', 'FDS.tar.gz: PRN.txt', 'FDS.tar.gz: dir/com3', 'FDS.tar.gz: .cloudhpc-sync/x', 'FDS.tar.gz: .CloudHPC-Sync/pull-tmp/y']) {
      expect(refused).toContain(n);
    }
    // The symlinked folder of a remote single file is refused too.
    expect(r.refused.find((x) => x.name === 'linkout/evil.csv')?.code).toBe('symlink');
    expect(r.refused.find((x) => x.name === 'up')?.code).toBe('symlink-member');
    expect(r.refused.find((x) => x.name === 'hard')?.code).toBe('hardlink-member');
    expect(r.refused.find((x) => x.name === 'CON')?.code).toBe('reserved-name');
    expect(r.refused.find((x) => x.name === '.cloudhpc-sync/pull-tmp/evil')?.code).toBe('app-area');
    expect(r.refused.every((x) => x.reason.length > 0)).toBe(true);
    expect(await readFile(path.join(project, 'good', 'result.csv'), 'utf8')).toBe('ok\n');
    expect(await readFile(path.join(project, `${'l'.repeat(250)}.csv`), 'utf8')).toBe('long but legal');
    const names = await readdir(project);
    expect(names).not.toContain('upload.tar.gz');
    expect(names).not.toContain('never.txt');
    expect(names.some((n) => n.startsWith('CloudHPC-massive'))).toBe(false);
    expect(names).not.toContain('CON');
    // Refusals are in the activity history, once: a second pull reports them without logging them again.
    const logged = index.activity(500).filter((a) => a.kind === 'refused').length;
    expect(logged).toBeGreaterThanOrEqual(refused.length);
    const again = await pull({ settings: { pullEverything: true } });
    expect(again.refused.map((x) => x.name)).toEqual(expect.arrayContaining(['CON', 'aux.csv', 'LPT1.frd']));
    expect(again.downloaded).toEqual([]);
    expect(again.refused.map((x) => x.name)).toContain('linkout/evil.csv');
    expect(index.activity(500).filter((a) => a.kind === 'refused').length).toBe(logged);
  });

  it('a hostile server reply (names outside the folder, "..", absolute) is refused', async () => {
    await emu.seedFile(KEY, 'case/a.csv', 'a');
    await emu.seedFile(KEY, 'case/b.csv', 'b');
    await emu.seedFile(KEY, 'case/c.csv', 'c');
    await emu.seedFile(KEY, 'other/d.csv', 'd');
    const outsideBefore = await outsideProject();
    // The service answers with rewritten names (ids stay real, so downloads would work).
    const rewrite: Record<string, string> = { 'case/a.csv': 'case/../a.csv', 'case/b.csv': '/etc/b.csv', 'case/c.csv': 'other/c.csv' };
    const hostile: PullClient = {
      deleteCache: (o) => client.deleteCache(o),
      viewByPath: (p, o) => client.viewByPath(p, o),
      downloadUrl: (id, o) => client.downloadUrl(id, o),
      downloadToFile: (u, d, o) => client.downloadToFile(u, d, o),
      listChildren: async (parentId, o) => {
        const r = await client.listChildren(parentId, o);
        const items = r.items.map((it: StorageItem) => ({ ...it, name: rewrite[it.name] ?? it.name }));
        // A folder that claims to contain itself: must not make the pull loop.
        items.push({ id: parentId, name: 'case/loop', basename: 'loop', dirname: 'case', type: 'dir', size: null, timeCreated: null });
        return { items, calls: r.calls };
      },
    };
    const r = await pullProject({ client: hostile, index, projectDir: project, storageFolder: 'case', settings: { pullEverything: true } });
    expect(r.downloaded).toEqual([]);
    expect(r.refused.map((x) => x.code).sort()).toEqual(['dot-component', 'outside-storage-folder', 'outside-storage-folder']);
    expect(r.refused).toHaveLength(3);
    expect(await outsideProject()).toEqual(outsideBefore);
    expect(Object.keys(await snapshotTree(project)).filter((k) => !k.startsWith('.cloudhpc-sync'))).toEqual([]);
  });

  it('conflicts keep both versions; a pulled file the user did not touch is updated; nothing is lost', async () => {
    await emu.seedFile(KEY, 'case/FDS.tar.gz', buildTarGz([{ path: 'room.fds', data: 'cloud-edited input' }, { path: 'room_hrr.csv', data: 'v1' }, { path: 'room_devc.csv', data: 'v1' }]));
    await emu.seedFile(KEY, 'case/cloudhpc.log', 'log v1');
    await writeFile(path.join(project, 'room.fds'), 'local input');
    index.patch('room.fds', { size: 11, sha256: null, origin: 'pushed' });
    const r1 = await pull({ settings: { script: 'fds6.9.1' } });
    const copy = 'room.cloudhpc-20261126-230000.fds';
    expect(r1.conflicts).toEqual([expect.objectContaining({ path: 'room.fds', copy, code: 'local-differs' })]);
    // The conflict is a row of the index, written with the pull (not text to read back).
    expect(index.conflicts()).toEqual([{ id: r1.conflicts[0]!.id, path: 'room.fds', copy, code: 'local-differs', at: Date.UTC(2026, 10, 26, 23, 0, 0) }]);
    expect(await readFile(path.join(project, 'room.fds'), 'utf8')).toBe('local input');
    expect(await readFile(path.join(project, copy), 'utf8')).toBe('cloud-edited input');
    expect(index.activity(50).some((a) => a.kind === 'conflict' && a.path === 'room.fds')).toBe(true);

    // The user edits one pulled result; the cloud produces new versions of both results and the log.
    await writeFile(path.join(project, 'room_hrr.csv'), 'user notes on v1');
    await writeFile(path.join(project, 'cloudhpc.log'), 'user edited log');
    await emu.clock.advance(2);
    await emu.seedFile(KEY, 'case/FDS.tar.gz', buildTarGz([{ path: 'room.fds', data: 'cloud-edited input' }, { path: 'room_hrr.csv', data: 'v2 longer' }, { path: 'room_devc.csv', data: 'v2 longer' }]));
    await emu.seedFile(KEY, 'case/cloudhpc.log', 'log v2 longer');
    await client.deleteCache();
    const r2 = await pull({ settings: { script: 'fds6.9.1' }, now: () => new Date(Date.UTC(2026, 10, 26, 23, 5, 0)) });
    expect(r2.downloaded.sort()).toEqual(['FDS.tar.gz', 'cloudhpc.log']);
    // Untouched pulled result: updated in place.
    expect(await readFile(path.join(project, 'room_devc.csv'), 'utf8')).toBe('v2 longer');
    expect(r2.written).toContain('room_devc.csv');
    // Changed on both sides: both kept.
    expect(await readFile(path.join(project, 'room_hrr.csv'), 'utf8')).toBe('user notes on v1');
    expect(await readFile(path.join(project, 'room_hrr.cloudhpc-20261126-230500.csv'), 'utf8')).toBe('v2 longer');
    expect(await readFile(path.join(project, 'cloudhpc.log'), 'utf8')).toBe('user edited log');
    expect(await readFile(path.join(project, 'cloudhpc.cloudhpc-20261126-230500.log'), 'utf8')).toBe('log v2 longer');
    expect(r2.conflicts.map((c) => c.path).sort()).toEqual(['cloudhpc.log', 'room_hrr.csv']);
    expect(r2.conflicts.every((c) => c.code === 'changed-both')).toBe(true);
    expect(index.conflicts().map((c) => c.path).sort()).toEqual(['cloudhpc.log', 'room.fds', 'room_hrr.csv']);
    // The input conflict is not repeated: same cloud version as before.
    expect(r2.conflicts.find((c) => c.path === 'room.fds')).toBeUndefined();
    expect((await readdir(project)).filter((n) => n.startsWith('room.cloudhpc-'))).toHaveLength(1);
  });

  it('a damaged result archive is kept as it is (nothing lost), with a warning', async () => {
    const gz = buildTarGz([{ path: 'a.txt', data: 'x'.repeat(5000) }]);
    const damaged = Buffer.from(gz);
    for (let i = 20; i < 40; i++) damaged[i] = (damaged[i] ?? 0) ^ 0xff;
    await emu.seedFile(KEY, 'case/FDS.tar.gz', damaged);
    await emu.seedFile(KEY, 'case/OPENFOAM-solution.tar.gz', 'not an archive');
    const r = await pull({ settings: { pullEverything: true } });
    expect(r.failed).toEqual([]);
    expect(r.warnings).toHaveLength(2);
    expect((await readFile(path.join(project, 'FDS.tar.gz'))).equals(damaged)).toBe(true);
    expect(await readFile(path.join(project, 'OPENFOAM-solution.tar.gz'), 'utf8')).toBe('not an archive');
    expect(index.get('FDS.tar.gz')?.origin).toBe('pulled');
    // Seen: the next pull does not download it again.
    const again = await pull({ settings: { pullEverything: true } });
    expect(again.downloaded).toEqual([]);
  });

  it('a dropped download leaves no partial file and records nothing; the next pull completes', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 1);
    await emu.seedFile(KEY, 'case/FDS.tar.gz', buildTarGz([{ path: 'big.bin', data: big }]));
    await emu.seedFile(KEY, 'case/cpu.csv', 'x'.repeat(200_000));
    const treeBefore = await snapshotTree(project);
    emu.setFaults({ dropTransferRate: 1 });
    const r = await pull({ settings: { script: 'fds6.9.1' } });
    expect(r.failed.map((f) => f.name).sort()).toEqual(['FDS.tar.gz', 'cpu.csv']);
    expect(r.downloaded).toEqual([]);
    const after = await snapshotTree(project);
    const newPaths = Object.keys(after).filter((k) => !(k in treeBefore) && after[k] !== 'dir');
    expect(newPaths).toEqual([]);
    expect(index.get('big.bin')).toBeUndefined();
    expect(index.get('cpu.csv')).toBeUndefined();

    emu.setFaults({});
    const r2 = await pull({ settings: { script: 'fds6.9.1' } });
    expect(r2.downloaded.sort()).toEqual(['FDS.tar.gz', 'cpu.csv']);
    expect((await readFile(path.join(project, 'big.bin'))).equals(big)).toBe(true);
  });

  it('cancelling a pull mid-download leaves nothing behind in the case folder', async () => {
    await emu.seedFile(KEY, 'case/cpu.csv', 'c'.repeat(400_000));
    emu.setFaults({ transferBytesPerSec: 100_000 });
    const ac = new AbortController();
    const p = pull({ settings: { script: 'fds6.9.1' }, signal: ac.signal, onProgress: (e) => { if (e.phase === 'downloading' && (e.bytes ?? 0) > 0) ac.abort(new Error('user cancelled')); } });
    await expect(p).rejects.toThrow();
    expect(ac.signal.aborted).toBe(true);
    const tree = await snapshotTree(project);
    expect(Object.keys(tree).filter((k) => tree[k] !== 'dir')).toEqual([]);
    expect(index.get('cpu.csv')).toBeUndefined();
  });
});

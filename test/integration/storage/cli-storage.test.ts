// The storage commands from the command line, against the emulator (20 items per listing page) and
// real folders: ls, get (a file, a folder of more than one listing page, --extract), rm (asks for
// --yes; in a project's folder the project is told, behind its mass-delete guard), and
// pull --folder on a new folder. API calls are counted by the emulator.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { runCli } from '../sync/cli-helpers';
import { cliHere, lastJson } from '../workspace/helpers';
import { bashBatch, CASE, FDS, runToEnd, temp } from './helpers';

const KEY = 'cli-storage-key-0123456789';
const BIG = 45;

let emu: Emulator;
let t: ReturnType<typeof temp>;
let env: Record<string, string>;

const name = (i: number): string => `f${String(i).padStart(2, '0')}.txt`;
const calls = (): number => emu.calls(KEY).total;
const cli = (args: string[]) => cliHere(args, env);

beforeAll(async () => {
  emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0 });
  t = temp('cli-storage-');
  env = { HOME: t.dir, CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url, CLOUDHPC_SYNC_HOME: join(t.dir, 'home') };
  for (let i = 0; i < BIG; i++) await emu.seedFile(KEY, `big/${name(i)}`, `file ${i}\n`);
  await emu.seedFile(KEY, 'big/sub/deep.txt', 'deep\n');
  await bashBatch(emu, KEY, { folder: 'fireA', archive: 'upload.tar.gz', files: CASE });
  await runToEnd(emu);
});
afterAll(async () => {
  await emu.stop();
  t.done();
});

interface LsJson { path: string; items: { name: string; type: string; size: number | null }[]; apiCalls: number }

describe('cloudhpc-sync ls', () => {
  it('lists the root and a folder of more than one listing page, saying what it cost', async () => {
    let before = calls();
    const root = await cli(['ls', '--json']);
    expect(root.code, root.stderr).toBe(0);
    const r = lastJson<LsJson>(root.stdout);
    expect(r.items.map((i) => `${i.name}:${i.type}`).sort()).toEqual(['big:dir', 'fireA:dir']);
    expect(r.apiCalls).toBe(calls() - before);

    before = calls();
    const big = await cli(['ls', 'big', '--json']);
    const b = lastJson<LsJson>(big.stdout);
    expect(b.items).toHaveLength(BIG + 1);
    expect(new Set(b.items.map((i) => i.name)).size).toBe(BIG + 1);
    expect(b.apiCalls).toBe(calls() - before);
    expect(b.apiCalls).toBeGreaterThanOrEqual(1 + 3); // the root, then 3 pages of 20

    const text = await cli(['ls', 'fireA', '--long']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^file\s+.*\s+FDS\.tar\.gz$/m);
    expect(text.stderr).toMatch(/fireA: 1 folder, \d+ files \(.*\); \d+ API calls\./);

    const missing = await cli(['ls', 'nope/x']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('"nope" is not in your cloudHPC storage');
    const bad = await cli(['ls', 'big/../fireA']);
    expect(bad.code).toBe(2);
  });

  it('runs as the installed command does (bin)', async () => {
    const r = await runCli(['ls', 'big/sub'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('deep.txt');
  });
});

interface GetJson { complete: boolean; dest: string; downloaded: string[]; written: string[]; conflicts: { path: string; copy: string }[]; upToDate: number; apiCalls: number; plan: { files: number; calls: number; listingCalls: number } }

describe('cloudhpc-sync get', () => {
  it('a folder of more than one listing page: every file once, the cost said first; again: nothing rewritten; a local edit is kept', async () => {
    const dest = join(t.dir, 'got');
    const before = calls();
    const g = await cli(['get', 'big', dest, '--json']);
    expect(g.code, g.stderr).toBe(0);
    const j = lastJson<GetJson>(g.stdout);
    expect(j.plan.files).toBe(BIG + 1);
    expect(j.downloaded).toHaveLength(BIG + 1);
    expect(j.apiCalls).toBe(BIG + 1);
    expect(calls() - before).toBe(j.apiCalls + j.plan.listingCalls);
    expect(readdirSync(join(dest, 'big')).filter((n) => n.endsWith('.txt'))).toHaveLength(BIG);
    expect(readFileSync(join(dest, 'big', 'sub', 'deep.txt'), 'utf8')).toBe('deep\n');
    expect(readdirSync(dest)).toEqual(['big']); // no temp area left behind

    writeFileSync(join(dest, 'big', name(3)), 'mine\n');
    const again = await cli(['get', 'big', dest]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Downloading big into .*: 46 files \(.*\): 46 API calls/m);
    expect(again.stdout).toContain(`conflict: kept your big/${name(3)}`);
    expect(readFileSync(join(dest, 'big', name(3)), 'utf8')).toBe('mine\n');
    const copies = readdirSync(join(dest, 'big')).filter((n) => /^f03\.cloudhpc-\d{8}-\d{6}\.txt$/.test(n)); // a name cloudHPC accepts
    expect(copies).toHaveLength(1);
    expect(readFileSync(join(dest, 'big', copies[0]!), 'utf8')).toBe('file 3\n');
  });

  it('a file as it is, or extracted with --extract (safe extraction, as pulls)', async () => {
    const one = join(t.dir, 'one');
    const a = await cli(['get', 'fireA/FDS.tar.gz', one, '--json']);
    expect(a.code, a.stderr).toBe(0);
    expect(readdirSync(one)).toEqual(['FDS.tar.gz']);

    const ex = join(t.dir, 'extracted');
    const b = await cli(['get', 'fireA/FDS.tar.gz', ex, '--extract', '--json']);
    expect(b.code, b.stderr).toBe(0);
    const files = readdirSync(ex);
    expect(files).not.toContain('FDS.tar.gz');
    expect(files.some((f) => f.endsWith('.csv'))).toBe(true);
    expect(lastJson<GetJson>(b.stdout).written.length).toBe(files.length);

    const whole = join(t.dir, 'whole');
    const c = await cli(['get', 'fireA', whole, '--extract']);
    expect(c.code, c.stderr).toBe(0);
    expect(readFileSync(join(whole, 'fireA', 'room_fire.fds'), 'utf8')).toBe(FDS);
    expect(existsSync(join(whole, 'fireA', 'FDS.tar.gz'))).toBe(false);
  });
});

describe('cloudhpc-sync rm', () => {
  it('shows what goes and deletes nothing without --yes; deletes with it', async () => {
    const dry = await cli(['rm', 'big/sub']);
    expect(dry.code).toBe(4);
    expect(dry.stdout).toContain('Deletes the folder big/sub (1 file');
    expect(dry.stdout).toContain('big/sub/deep.txt');
    expect(Object.keys(await emu.files(KEY, 'big'))).toContain('sub/deep.txt');

    const before = calls();
    const r = await cli(['rm', 'big/sub', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = lastJson<{ deleted: boolean; apiCalls: number; listingCalls: number }>(r.stdout);
    expect(j).toMatchObject({ deleted: true, apiCalls: 2 }); // delete + delete-cache
    expect(calls() - before).toBe(j.apiCalls + j.listingCalls); // + the walk from the root (a new process has no listing yet)
    expect(Object.keys(await emu.files(KEY, 'big'))).not.toContain('sub/deep.txt');
  });

  it("in a project's folder: behind its mass-delete guard; the project is told (its archive gone, its local files are pushed again)", async () => {
    const dir = join(t.dir, 'proj');
    mkdirSync(dir);
    for (let i = 0; i < 60; i++) writeFileSync(join(dir, name(i)), `p ${i}\n`);
    expect((await cli(['push', dir])).code).toBe(0);

    // One single file of the project's archive: the archive holds it, so the whole archive must go to delete it.
    const guarded = await cli(['rm', 'proj/upload.tar.gz', '--yes']);
    expect(guarded.code).toBe(4);
    expect(guarded.stdout).toContain('60 files the project put in the cloud go; 60 of them are still local');
    expect(guarded.stderr).toContain('--confirm-deletes');
    expect(Object.keys(await emu.files(KEY, 'proj'))).toContain('upload.tar.gz');

    const ok = await cli(['rm', 'proj/upload.tar.gz', '--yes', '--confirm-deletes']);
    expect(ok.code, ok.stderr).toBe(0);
    const dry = lastJson<{ strategy: string; changed: string[] }>((await cli(['push', dir, '--dry-run', '--json'])).stdout);
    expect(dry.strategy).toBe('snapshot');
    expect(dry.changed).toHaveLength(60);
    expect((await cli(['push', dir])).code).toBe(0);
    expect(Object.keys(await emu.files(KEY, 'proj'))).toContain('upload.tar.gz');
  });
});

describe('cloudhpc-sync pull --folder', () => {
  it('on a new folder: links it and brings everything down (a folder of more than one listing page); then pulls as usual', async () => {
    const dir = join(t.dir, 'new-big');
    const before = calls();
    const p = await cli(['pull', dir, '--folder', 'big', '--json']);
    expect(p.code, p.stderr).toBe(0);
    const j = lastJson<{ opened: boolean; projectId: string; downloaded: string[]; apiCalls: number }>(p.stdout);
    expect(j.opened).toBe(true);
    expect(j.downloaded).toHaveLength(BIG);
    expect(readdirSync(dir).filter((n) => n.endsWith('.txt'))).toHaveLength(BIG);
    expect(calls() - before).toBeGreaterThanOrEqual(j.apiCalls);

    const st = lastJson<{ projects: { dir: string; storageFolder: string; paused: boolean }[] }>((await cli(['status', '--json'])).stdout);
    expect(st.projects.find((x) => x.storageFolder === 'big')).toMatchObject({ paused: false });
    const again = await cli(['pull', dir, '--everything', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(lastJson<{ downloaded: string[] }>(again.stdout).downloaded).toEqual([]);
    // The storage folder is taken: another folder cannot open it too.
    const twice = await cli(['pull', join(t.dir, 'other'), '--folder', 'big']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('already synced by the project');
  });

  it('on a folder that holds files: refused without --merge; with it nothing local is overwritten', async () => {
    const dir = join(t.dir, 'has-files');
    mkdirSync(dir);
    writeFileSync(join(dir, 'room_fire.fds'), 'mine\n');
    const no = await cli(['pull', dir, '--folder', 'fireA']);
    expect(no.code).toBe(2);
    expect(no.stderr).toContain('is not empty');
    const yes = await cli(['pull', dir, '--folder', 'fireA', '--merge']);
    expect(yes.code, yes.stderr).toBe(0);
    expect(readFileSync(join(dir, 'room_fire.fds'), 'utf8')).toBe('mine\n');
    expect(yes.stdout).toContain('conflict: kept your room_fire.fds');
    expect(yes.stdout).toContain('is a project now, synced with the storage folder fireA');
  });
});

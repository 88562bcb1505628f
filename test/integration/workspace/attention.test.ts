// What a new user met (issue 11), at the application layer the app, `serve` and the CLI share: the
// mass-delete guard resolved both ways (restore from the cloud, or delete there too), an error that
// clears itself once the service is back, repeated pulls that cost one pull and never the reserve,
// the launch lists kept offline, and calls that never reached the service not counted. Against the
// emulator on loopback, with real folders; API calls are counted by the emulator.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { MassDeleteError } from '../../../src-main/node/sync/engine';
import { APP_DIR_NAME } from '../../../src-main/node/sync/paths';
import { Workspace } from '../../../src-main/node/workspace';
import { cleanUpAfterEach, nextEvent } from './helpers';

const KEY = 'attention-key-0123456789';

let emu: Emulator | null = null;
let ws: Workspace | null = null;
let root = '';
cleanUpAfterEach(() => {
  const started = { app: ws, emu, root };
  ws = null;
  emu = null;
  return started;
});

async function setup(o: { hourlyLimit?: number; dataDir?: boolean } = {}) {
  root = mkdtempSync(join(tmpdir(), 'attention-'));
  const dataDir = o.dataDir ? join(root, 'emu') : undefined;
  emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: o.hourlyLimit ?? 0 }], timeScale: 0, dataDir });
  ws = new Workspace({ home: join(root, 'home'), env: { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url }, useKeychain: false });
  expect(await ws.connect()).toBe(true);
  return { dataDir };
}

function makeCase(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

function project(dir: string): string {
  const p = ws!.addProject(dir);
  ws!.sync.updateSettings(p.id, { quietPeriodMs: 0 });
  return p.id;
}

const probes = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`probes/probe_${String(i + 1).padStart(2, '0')}.csv`, `t,p\n0,${i}\n`]));

describe('the mass-delete guard, resolved where it is shown', () => {
  it('restore brings the deleted files back from the cloud (one archive download), and nothing is deleted there', async () => {
    await setup();
    const dir = makeCase('warehouse', { 'warehouse.fds': "&HEAD CHID='warehouse' /\n", 'notes.txt': 'n', ...probes });
    const pid = project(dir);
    await ws!.push(pid);
    rmSync(join(dir, 'probes'), { recursive: true });

    await expect(ws!.push(pid)).rejects.toBeInstanceOf(MassDeleteError);
    // typed: the attention with its fix, and the list of files with what each answer costs
    expect(ws!.attentions(pid)).toEqual([expect.objectContaining({ code: 'mass-delete', severity: 'error', fixes: [{ kind: 'review-deletes' }] })]);
    const m = ws!.massDelete(pid)!;
    expect(m).toMatchObject({ count: 30, rule: 'share', more: 0, restoreCalls: 2, deleteCalls: (await ws!.previewPush(pid)).apiCalls });
    expect(m.paths).toEqual(Object.keys(probes).sort());

    // what a restore killed mid-way left behind (its process is gone) is swept by the next restore
    const killed = join(dir, APP_DIR_NAME, 'restore-tmp', 'run-999999999-1-dead');
    mkdirSync(killed, { recursive: true });
    writeFileSync(join(killed, 'archive.tar.gz'), 'left by a killed restore');

    const before = emu!.calls(KEY).total;
    const r = await ws!.resolveDeletes(pid, 'restore');
    expect(r?.restored.sort()).toEqual(Object.keys(probes).sort());
    expect(existsSync(killed)).toBe(false);
    expect(r?.failed).toEqual([]);
    // view-by-path + view-url of upload.tar.gz (asked once more while the just-pushed archive's link is not ready)
    const spent = emu!.calls(KEY).total - before;
    expect(spent).toBeGreaterThanOrEqual(2);
    expect(spent).toBeLessThanOrEqual(3);
    expect(r?.apiCalls).toBe(spent); // counted as the service saw them
    for (const [p, text] of Object.entries(probes)) expect(readFileSync(join(dir, p), 'utf8')).toBe(text);
    expect(ws!.attentions(pid)).toEqual([]);
    // the restored files are inputs again: nothing to push, nothing deleted
    expect((await ws!.previewPush(pid)).strategy).toBe('none');
  });

  it('delete removes exactly the reviewed files from the cloud; a later deletion asks again', async () => {
    await setup();
    const dir = makeCase('hall', { 'hall.fds': "&HEAD CHID='hall' /\n", ...probes });
    const pid = project(dir);
    await ws!.push(pid);
    rmSync(join(dir, 'probes'), { recursive: true });
    await expect(ws!.push(pid)).rejects.toBeInstanceOf(MassDeleteError);
    expect(await ws!.resolveDeletes(pid, 'delete')).toBeNull();
    await ws!.push(pid);
    expect(ws!.summary(pid).archive.fileCount).toBe(1); // the new archive holds the one input left
    expect(ws!.attentions(pid)).toEqual([]);
    // deleting the last input is "more than half of the case" again: the earlier answer does not cover it
    rmSync(join(dir, 'hall.fds'));
    writeFileSync(join(dir, 'other.fds'), "&HEAD CHID='other' /\n");
    await expect(ws!.push(pid)).rejects.toBeInstanceOf(MassDeleteError);
    expect(ws!.massDelete(pid)?.paths).toEqual(['hall.fds']);
    await expect(ws!.resolveDeletes(pid, 'restore')).resolves.toMatchObject({ restored: ['hall.fds'] });
  });
});

describe('an error clears itself once it no longer holds', () => {
  it('a push that failed offline leaves an attention with "retry now"; once the service is back and the push went through, it is gone', async () => {
    await setup({ dataDir: true });
    const dir = makeCase('room', { 'room.fds': "&HEAD CHID='room' /\n" });
    const pid = project(dir);
    await ws!.push(pid);
    const port = emu!.port;
    const dataDir = join(root, 'emu');
    await emu!.stop();
    emu = null;
    writeFileSync(join(dir, 'notes.txt'), 'new');
    const offline = nextEvent(ws!, 'projectState', (s) => s.projectId === pid && s.state === 'offline');
    await ws!.applyFix(pid, { kind: 'retry-now' });
    await offline;
    expect(ws!.attentions(pid).map((a) => [a.code, a.fixes])).toEqual([['offline', [{ kind: 'retry-now' }]]]);

    emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0, dataDir, port });
    const pushed = nextEvent(ws!, 'projectState', (s) => s.projectId === pid && s.state === 'idle' && s.lastPushAt !== null && s.detail === 'Up to date');
    await ws!.applyFix(pid, { kind: 'retry-now' });
    const s = await pushed;
    expect(s.lastError).toBeNull();
    expect(ws!.attentions(pid)).toEqual([]);
    expect(Object.keys(await emu.files(KEY, 'room'))).toContain('notes.txt');
  });
});

describe('the budget is protected from repeated clicks', () => {
  it('pulls asked while one runs join it (one pull); asked again right after, the pull waits for the budget instead of spending the reserve', async () => {
    await setup({ hourlyLimit: 60 });
    const dir = makeCase('cavity', { 'system/controlDict': 'application icoFoam;\n', 'constant/g': '', '0/U': '' });
    const pid = project(dir);
    await ws!.push(pid);
    await emu!.seedFile(KEY, 'cavity/cloudhpc.log', 'log');
    const calls0 = emu!.calls(KEY).total;
    const clicks = await Promise.all(Array.from({ length: 5 }, () => ws!.pull(pid)));
    expect(new Set(clicks).size).toBe(1); // the same pull answered every click
    const onePull = emu!.calls(KEY).total - calls0;
    expect(onePull).toBeGreaterThan(0);
    expect(clicks[0]!.apiCalls).toBe(onePull);

    // Only the reserve is left now (what the user asks for now: a stop, a launch).
    const b = ws!.api.budget;
    const reserve = b.state().reserve;
    while ((b.state().hourlyLeft as number) > reserve) await ws!.api.cloud.viewCpu({ priority: 'user' });
    const used = emu!.calls(KEY).total;
    const again = ws!.pull(pid).catch((e: unknown) => e);
    const deadline = Date.now() + 10_000;
    while (b.state().waiting === 0) {
      if (Date.now() > deadline) throw new Error('the repeated pull did not wait for the budget');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(emu!.calls(KEY).total).toBe(used); // nothing of the reserve was spent
    expect(b.state().hourlyLeft).toBe(reserve);
    await ws!.close(); // the waiting pull ends with the workspace
    await again;
  });
});

describe('launch lists offline, and calls that never left', () => {
  it('keeps the last known lists (saying why) when the service cannot be asked; without any, says so', async () => {
    await setup();
    const fresh = await ws!.runs.launchOptions(true);
    expect(fresh.stale).toBeUndefined();
    const url = emu!.url;
    await emu!.stop();
    emu = null;
    const kept = await ws!.runs.launchOptions(true);
    expect(kept).toMatchObject({ stale: true, cpus: fresh.cpus, scripts: fresh.scripts });
    expect(kept.problem).toMatch(/reach|connect/i);
    // a computer that never fetched them: the error, for the dialog to explain
    const other = new Workspace({ home: join(root, 'home2'), env: { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: url }, useKeychain: false });
    try {
      await other.connect();
      await expect(other.runs.launchOptions(false)).rejects.toMatchObject({ kind: 'network' });
    } finally {
      await other.close();
    }
  });

  it('a call refused before it reached the service (connection refused) is not counted', async () => {
    await setup({ hourlyLimit: 100 });
    await ws!.api.cloud.viewCpu({ priority: 'user' });
    const used = ws!.api.budget.state().hourlyUsed;
    await emu!.stop();
    emu = null;
    await expect(ws!.api.cloud.viewRam({ priority: 'user' })).rejects.toMatchObject({ kind: 'network', outcomeUnknown: false });
    expect(ws!.api.budget.state().hourlyUsed).toBe(used);
  });
});

describe('pulled results never block a launch', () => {
  it('a conflict copy and pulled outputs pass the pre-flight; they stay listed', async () => {
    await setup();
    const dir = makeCase('warehouse', { 'warehouse.fds': "&HEAD CHID='warehouse' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TAIL /\n" });
    const pid = project(dir);
    await ws!.push(pid);
    // the cloud's results, and a cloud version of an input the user changed meanwhile (a conflict copy)
    writeFileSync(join(dir, 'warehouse.fds'), "&HEAD CHID='warehouse' /\n&MESH IJK=20,10,10, XB=0,1,0,1,0,1 /\n&TAIL /\n");
    await emu!.seedFile(KEY, 'warehouse/warehouse.fds', "&HEAD CHID='warehouse', TITLE='changed in the cloud' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TAIL /\n");
    await emu!.seedFile(KEY, 'warehouse/warehouse.out', 'FDS completed successfully');
    await emu!.seedFile(KEY, 'warehouse/warehouse_hrr.csv', 't,hrr\n');
    await emu!.seedFile(KEY, 'warehouse/cloudhpc.log', 'log');
    const r = await ws!.pull(pid, { everything: true });
    expect(r.written.length).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'warehouse.out'))).toBe(true);
    expect(r.conflicts.map((c) => c.copy)).toEqual([expect.stringMatching(/^warehouse\.cloudhpc-\d{8}-\d{6}\.fds$/)]);
    const report = await ws!.runs.preflight(pid, { script: 'fds6.9.1', cpu: 1 });
    expect(report.blocking).toBe(false);
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.findings.find((f) => f.id === 'pulled-left-out')?.message).toMatch(/this app pulled/);
  });
});

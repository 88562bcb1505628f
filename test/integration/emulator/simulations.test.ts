// Simulations on the simulated clock: add validation, lifecycle, extraction at start, stops, SYNC, ERROR runs.
import { describe, expect, it } from 'vitest';
import type { SimulationRecord, SimulationStartEvent } from '../../../emulator/index';
import { writeFdsSample } from '../../../emulator/samples';
import { KEY, PROFILES, api, downloadByPath, emulator, itemByPath, makeZip, ok, refusedWith, tarGz, tarList, tempDir, upload } from './helpers';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import * as tar from 'tar';

const FDS = "&HEAD CHID='room', TITLE='t' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TAIL /\n";
const durations = { pendingSeconds: 30, runSeconds: 180, stoppingSeconds: 20 };

async function fdsCase(emu: Awaited<ReturnType<typeof emulator>>, folder = 'caseA'): Promise<void> {
  await upload(emu, folder, 'upload.tar.gz', await tarGz({ 'room.fds': FDS, 'extra/notes.txt': 'n' }));
  await ok(emu, 'DELETE', '/user/delete-cache');
}

const add = (emu: Awaited<ReturnType<typeof emulator>>, body: Record<string, unknown>) => ok<number>(emu, 'POST', '/simulation/add', body);
const short = (emu: Awaited<ReturnType<typeof emulator>>, id: number) => ok<SimulationRecord>(emu, 'GET', `/simulation/view-short/${id}`);

describe('emulator simulations', () => {
  it('accepts values as strings (bash client) or numbers (GUI client) and returns the new id', async () => {
    const emu = await emulator();
    await fdsCase(emu);
    const a = await add(emu, { cpu: '4', ram: 'standard', folder: 'caseA', script: 'fds6.9.1', nopre: '0', mesh: '' });
    const b = await add(emu, { cpu: 2, ram: 'highmem', folder: 'caseA', script: 'fds6.9.1', nopre: 1 });
    expect(typeof a).toBe('number');
    expect(b).toBeGreaterThan(a);
    const s = await short(emu, a);
    expect(s).toMatchObject({ id: a, cpu: 4, ram: 'standard', nopre: 0, folder: 'caseA', mesh: '', script: 'fds6.9.1', status: 20, edate: '', cpu_hrs: '', cost: '', vnc_url: '', ip_address: '', images: [] });
    expect(s.idate).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(s).not.toHaveProperty('output');
    expect(await short(emu, b)).toMatchObject({ cpu: 2, nopre: 1 });
  });

  it.each(PROFILES)('takes nopre "" (the bash client in interactive mode) in the evidence profile only, replying it as "" (%s profile)', async (profile) => {
    const emu = await emulator({ profile });
    await fdsCase(emu);
    const r = await api(emu, 'POST', '/simulation/add', { cpu: '4', ram: 'standard', folder: 'caseA', script: 'fds6.9.1', nopre: '', mesh: '' });
    if (profile === 'classic') {
      expect(r.status).toBe(400);
      expect(r.json.errors?.[0]).toMatch(/nopre/);
      return;
    }
    expect(r.status).toBe(200);
    expect(await short(emu, r.json.response as number)).toMatchObject({ nopre: '', cpu: 4 });
  });

  it.each(PROFILES)('validates cpu, ram, script, folder and mesh with clear errors (%s profile)', async (profile) => {
    const emu = await emulator({ profile });
    await fdsCase(emu);
    const base = { cpu: 4, ram: 'standard', folder: 'caseA', script: 'fds6.9.1' };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, cpu: 3 }, /cpu 3 is not available/],
      [{ ...base, cpu: 'four' }, /cpu must be an integer/],
      [{ ...base, ram: 'huge' }, /ram "huge" is not available/],
      [{ ...base, script: 'fds0.1' }, /script "fds0.1" is not available/],
      [{ ...base, folder: 'nope' }, /FOLDER nope not detected/],
      [{ ...base, folder: 'caseA/room.fds' }, /FOLDER caseA\/room.fds not detected/],
      [{ ...base, mesh: 'nomesh' }, /MESH FOLDER nomesh not detected/],
      [{ ...base, nopre: 2 }, /nopre must be 0/],
      [{ ...base, colour: 'red' }, /unknown field\(s\): colour/],
      [{ ram: 'standard', folder: 'caseA', script: 'fds6.9.1' }, /cpu: field is required/],
      [{ ...base, folder: '../etc' }, /must not contain/],
    ];
    for (const [body, re] of cases) {
      const r = await api(emu, 'POST', '/simulation/add', body);
      expect(r.status, JSON.stringify(body)).toBe(refusedWith(emu, 400));
      expect(r.json.errors?.[0], JSON.stringify(body)).toMatch(re);
    }
    expect(emu.simulations(KEY)).toEqual([]);
  });

  it('runs PENDING → RUNNING → COMPLETED on the simulated clock, with growing output and results at the end', async () => {
    const emu = await emulator({ durations, logWarnings: ['@@@ RAM used > 80.0%'], startTime: new Date('2026-09-24T09:31:20Z') });
    await fdsCase(emu);
    const id = await add(emu, { cpu: 4, ram: 'standard', folder: 'caseA', script: 'fds6.9.1' });
    await emu.clock.advance(29);
    expect((await short(emu, id)).status).toBe(20);
    await emu.clock.advance(1);
    const running = await short(emu, id);
    expect(running.status).toBe(30);
    expect(running.vnc_url).not.toBe('');
    expect(running.ip_address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    await emu.clock.advance(60);
    const mid = await ok<SimulationRecord>(emu, 'GET', `/simulation/view/${id}`);
    expect(mid.output).toContain('Fire Dynamics Simulator');
    expect(mid.output).toContain('Time Step:');
    expect(mid.output).toContain('@@@ RAM used > 80.0%');
    expect(mid.logs.length).toBeGreaterThan(0);
    await emu.clock.advance(60);
    const later = await ok<SimulationRecord>(emu, 'GET', `/simulation/view/${id}`);
    expect(later.output.length).toBeGreaterThan(mid.output.length);
    expect(await emu.files(KEY, 'caseA')).not.toHaveProperty(['FDS.tar.gz']);
    await emu.clock.advance(60);
    const done = await ok<SimulationRecord>(emu, 'GET', `/simulation/view/${id}`);
    expect(done).toMatchObject({ status: 10, edate: '2026-09-24 09:34:50', cpu_hrs: 0.2, vnc_url: '', ip_address: '' });
    expect(typeof done.cost).toBe('number');
    expect(done.cost).toBeGreaterThan(0);
    expect(done.output).toContain('STOP: FDS completed successfully');
    const files = await emu.files(KEY, 'caseA');
    for (const f of ['FDS.tar.gz', 'cloudhpc.log', 'cpu.csv', 'ram.csv']) expect(files, f).toHaveProperty([f]);
    const members = await tarList(await downloadByPath(emu, 'caseA/FDS.tar.gz'));
    expect(members).toEqual(expect.arrayContaining(['room.out', 'room_hrr.csv', 'room_devc.csv', 'room.smv']));
    expect((await downloadByPath(emu, 'caseA/cloudhpc.log')).toString()).toContain('STOP: FDS completed successfully');
    expect((await downloadByPath(emu, 'caseA/cpu.csv')).toString()).toMatch(/^time,cpu_percent\n/);
    expect((await itemByPath(emu, 'caseA/FDS.tar.gz')).timeCreated).toBe('2026-09-24T09:34:50Z');
  });

  it('extracts input archives into the case folder at start (archive kept, result archives ignored) before the start snapshot', async () => {
    const emu = await emulator({ durations });
    await upload(emu, 'caseA', 'upload.tar.gz', await tarGz({ 'room.fds': FDS, 'sub/a.txt': 'from upload' }));
    await upload(emu, 'caseA', 'more.tgz', await tarGz({ 'sub/b.txt': 'from more' }));
    await upload(emu, 'caseA', 'FDS.tar.gz', await tarGz({ 'old_result.txt': 'x' }));
    await upload(emu, 'caseA', 'CloudHPC-massive-files-20260925000914.tar.gz', await tarGz({ 'massive.bin': 'x' }));
    const events: SimulationStartEvent[] = [];
    const off = emu.onSimulationStart((e) => events.push(e));
    const id = await add(emu, { cpu: 1, ram: 'standard', folder: 'caseA', script: 'fds6.9.1' });
    expect(events).toHaveLength(0);
    await emu.clock.advance(30);
    off();
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e.key).toBe(KEY);
    expect(e.simulation.id).toBe(id);
    expect(e.simulation.status).toBe(30);
    expect(Object.keys(e.files).sort()).toEqual(['CloudHPC-massive-files-20260925000914.tar.gz', 'FDS.tar.gz', 'more.tgz', 'room.fds', 'sub/a.txt', 'sub/b.txt', 'upload.tar.gz']);
    expect(await fsp.readFile(join(emu.storageDir(KEY), 'caseA', 'sub', 'b.txt'), 'utf8')).toBe('from more');
    await ok(emu, 'DELETE', '/user/delete-cache');
    expect((await downloadByPath(emu, 'caseA/sub/a.txt')).toString()).toBe('from upload');
  });

  it('refuses hostile archive members (absolute, .., links) and never writes outside the folder', async () => {
    const emu = await emulator({ durations });
    const dir = await tempDir();
    const src = join(dir, 'src');
    await fsp.mkdir(src);
    await fsp.writeFile(join(src, 'room.fds'), FDS);
    await fsp.symlink('/etc/passwd', join(src, 'link'));
    const file = join(dir, 'evil.tar');
    await tar.c({ file, cwd: src, portable: true }, ['room.fds', 'link']);
    // Append hand-made members with "../escape.txt" and "/abs.txt" names.
    const raw = await fsp.readFile(file);
    const member = (name: string, body: string): Buffer => {
      const h = Buffer.alloc(512);
      h.write(name, 0);
      h.write('0000644\0', 100);
      h.write('0000000\0', 108);
      h.write('0000000\0', 116);
      h.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
      h.write('00000000000\0', 136);
      h.write('        ', 148);
      h.write('0', 156);
      h.write('ustar\0', 257);
      h.write('00', 263);
      let sum = 0;
      for (const b of h) sum += b;
      h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
      const data = Buffer.alloc(Math.ceil(body.length / 512) * 512);
      data.write(body);
      return Buffer.concat([h, data]);
    };
    const end = raw.length - 1024;
    const evil = Buffer.concat([raw.subarray(0, end), member('../escape.txt', 'escaped'), member('/abs.txt', 'abs'), Buffer.alloc(1024)]);
    await upload(emu, 'caseA', 'upload.tar', evil);
    const id = await add(emu, { cpu: 1, ram: 'standard', folder: 'caseA', script: 'fds6.9.1' });
    await emu.clock.advance(31);
    const files = await emu.files(KEY, '');
    expect(Object.keys(files).sort()).toEqual(['caseA/room.fds', 'caseA/upload.tar']);
    const view = await ok<SimulationRecord>(emu, 'GET', `/simulation/view/${id}`);
    expect(view.status).toBe(30);
    expect(view.output).toMatch(/refused/);
    const parent = join(emu.storageDir(KEY), '..');
    expect(await fsp.readdir(parent).then((d) => d.filter((n) => n.includes('escape') || n.includes('abs')))).toEqual([]);
  });

  it('extracts .zip inputs too, refusing hostile members', async () => {
    const emu = await emulator({ durations });
    const zip = makeZip([
      { name: 'room.fds', data: FDS, deflate: true },
      { name: 'sub/', mode: 0o040755 },
      { name: 'sub/stored.txt', data: 'stored' },
      { name: 'empty.txt' },
      { name: '../escape.txt', data: 'x' },
      { name: '/abs.txt', data: 'x' },
      { name: 'link', data: '/etc/passwd', mode: 0o120777 },
    ]);
    await upload(emu, 'zipcase', 'input.zip', zip);
    const id = await add(emu, { cpu: 1, ram: 'standard', folder: 'zipcase', script: 'fds6.9.1' });
    await emu.clock.advance(31);
    expect((await short(emu, id)).status).toBe(30);
    const files = await emu.files(KEY, '');
    expect(Object.keys(files).sort()).toEqual(['zipcase/empty.txt', 'zipcase/input.zip', 'zipcase/room.fds', 'zipcase/sub/stored.txt']);
    expect(await fsp.readFile(join(emu.storageDir(KEY), 'zipcase', 'room.fds'), 'utf8')).toBe(FDS);
    const out = (await ok<SimulationRecord>(emu, 'GET', `/simulation/view/${id}`)).output;
    expect(out.match(/refused/g)).toHaveLength(3);
  });

  it('soft stop: RUNNING → STOPPING → STOPPED with results saved', async () => {
    const emu = await emulator({ durations });
    await fdsCase(emu);
    const id = await add(emu, { cpu: 4, ram: 'standard', folder: 'caseA', script: 'fds6.9.1' });
    await emu.clock.advance(90);
    expect(await ok(emu, 'PUT', `/simulation/stop/${id}`, { signal: 'SIGTSTP' })).toBe(true);
    expect((await short(emu, id)).status).toBe(40);
    await emu.clock.advance(20);
    const s = await short(emu, id);
    expect(s.status).toBe(50);
    expect(s.edate).not.toBe('');
    expect(s.cpu_hrs).toBeGreaterThan(0);
    const files = await emu.files(KEY, 'caseA');
    for (const f of ['FDS.tar.gz', 'cloudhpc.log', 'cpu.csv', 'ram.csv']) expect(files, f).toHaveProperty([f]);
  });

  it('hard stop: STOPPED at once with nothing saved', async () => {
    const emu = await emulator({ durations });
    await fdsCase(emu);
    const id = await add(emu, { cpu: 4, ram: 'standard', folder: 'caseA', script: 'fds6.9.1' });
    await emu.clock.advance(90);
    const before = await emu.files(KEY, 'caseA');
    expect(await ok(emu, 'PUT', `/simulation/stop/${id}`, { signal: 'SIGINT' })).toBe(true);
    expect((await short(emu, id)).status).toBe(50);
    await emu.clock.advance(600);
    expect(await emu.files(KEY, 'caseA')).toEqual(before);
    expect((await short(emu, id)).edate).not.toBe('');
  });

  it.each(PROFILES)('SYNC writes partial results while running; stop and sync on a finished run answer an errors envelope (%s profile)', async (profile) => {
    const emu = await emulator({ durations, profile });
    await fdsCase(emu);
    const id = await add(emu, { cpu: 4, ram: 'standard', folder: 'caseA', script: 'fds6.9.1' });
    const early = await api(emu, 'PUT', `/simulation/sync/${id}`);
    expect(early.status).toBe(refusedWith(emu, 400));
    await emu.clock.advance(60);
    expect(await ok(emu, 'PUT', `/simulation/sync/${id}`)).toBe(true);
    const files = await emu.files(KEY, 'caseA');
    for (const f of ['FDS.tar.gz', 'cloudhpc.log', 'cpu.csv', 'ram.csv']) expect(files, f).toHaveProperty([f]);
    expect((await short(emu, id)).status).toBe(30);
    await emu.clock.advance(600);
    expect((await short(emu, id)).status).toBe(10);
    for (const [m, p, b] of [
      ['PUT', `/simulation/sync/${id}`, undefined],
      ['PUT', `/simulation/stop/${id}`, { signal: 'SIGTSTP' }],
      ['PUT', `/simulation/stop/${id}`, { signal: 'SIGINT' }],
    ] as const) {
      const r = await api(emu, m, p, b);
      expect(r.status).toBe(refusedWith(emu, 400));
      expect(r.json.errors?.[0]).toMatch(/is not running/);
    }
    const badSignal = await api(emu, 'PUT', `/simulation/stop/${id}`, { signal: 'SIGKILL' });
    expect(badSignal.status).toBe(refusedWith(emu, 400));
  });

  it('ends in ERROR when the case has no input for the script family', async () => {
    const emu = await emulator({ durations });
    const runs: [string, Record<string, string>, boolean][] = [
      ['fds6.9.1', { 'readme.txt': 'x' }, false],
      ['fds6.9.1', { 'room.fds': FDS }, true],
      ['openFoam-v2406', { 'room.fds': FDS }, false],
      ['openFoam-v2406', { 'system/controlDict': 'application simpleFoam;\n' }, true],
      ['snappyHexMesh-v2312', { 'constant/x': '1' }, false],
      ['codeAster-17.0_mpi', { 'a.inp': 'x' }, false],
      ['codeAster-17.0_mpi', { 'study.comm': 'DEBUT()' }, true],
      ['calculiX-2.21', { 'a.comm': 'x' }, false],
      ['calculiX-2.21', { 'beam.inp': '*NODE' }, true],
      ['codeSaturne-8.0', { 'x.txt': 'x' }, false],
      ['codeSaturne-8.0', { 'DATA/setup.xml': '<x/>' }, true],
      ['openRadioss-2024', { 'x.txt': 'x' }, false],
      ['openRadioss-2024', { 'crash_0000.rad': '#RADIOSS' }, true],
      ['custom-script', { 'x.txt': 'x' }, false],
      ['custom-script', { 'run.sh': 'echo hi' }, true],
    ];
    const ids: number[] = [];
    for (const [i, [script, files]] of runs.entries()) {
      await upload(emu, `c${i}`, 'upload.tar.gz', await tarGz(files));
      ids.push(await add(emu, { cpu: 2, ram: 'standard', folder: `c${i}`, script }));
    }
    const tooManyMeshes = "&HEAD CHID='m' /\n&MESH IJK=1,1,1 /\n&MESH IJK=1,1,1 /\n&MESH IJK=1,1,1 /\n";
    await upload(emu, 'meshes', 'm.fds', tooManyMeshes);
    const meshId = await add(emu, { cpu: 2, ram: 'standard', folder: 'meshes', script: 'fds6.9.1' });
    await emu.clock.advance(31);
    for (const [i, [script, , good]] of runs.entries()) {
      const s = await ok<SimulationRecord>(emu, 'GET', `/simulation/view/${ids[i]}`);
      expect(s.status, `${script} #${i}`).toBe(good ? 30 : 60);
      if (!good) {
        expect(s.output).toContain('@@@ ERROR');
        expect(s.edate).not.toBe('');
        expect(s.cpu_hrs).toBe(0);
      }
    }
    const m = await ok<SimulationRecord>(emu, 'GET', `/simulation/view/${meshId}`);
    expect(m.status).toBe(60);
    expect(m.output).toMatch(/3 &MESH entries exceed the 2 vCPU/);
    await emu.clock.advance(200);
    for (const [i, [script, , good]] of runs.entries()) {
      if (!good) continue;
      expect((await short(emu, ids[i]!)).status, script).toBe(10);
    }
    const archives = ['OPENFOAM-solution.tar.gz', 'CODE-ASTER.tar.gz', 'CALCULIX.tar.gz', 'SATURNE-solution.tar.gz', 'OPENRADIOSS.tar.gz'];
    const all = Object.keys(await emu.files(KEY, ''));
    for (const a of archives) expect(all.some((p) => p.endsWith(`/${a}`)), a).toBe(true);
  });

  it('moves on its own with a time scale (polled with a deadline, no sleeps for simulated time)', async () => {
    const emu = await emulator({ timeScale: 600, durations });
    await fdsCase(emu);
    const id = await add(emu, { cpu: 1, ram: 'standard', folder: 'caseA', script: 'fds6.9.1' });
    const deadline = Date.now() + 20_000;
    let status = 20;
    while (Date.now() < deadline && status !== 10) {
      status = (await short(emu, id)).status;
      if (status !== 10) await new Promise((r) => setTimeout(r, 25));
    }
    expect(status).toBe(10);
  });

  it('results written by the service refresh the listing by default, or wait for delete-cache when configured', async () => {
    const loose = await emulator({ durations });
    await fdsCase(loose);
    await ok(loose, 'POST', '/storage/view-by-path', { path: 'caseA' });
    await add(loose, { cpu: 1, ram: 'standard', folder: 'caseA', script: 'fds6.9.1' });
    await loose.clock.advance(300);
    expect(await ok(loose, 'POST', '/storage/view-by-path', { path: 'caseA/FDS.tar.gz' })).toMatchObject({ type: 'file' });

    const emu = await emulator({ durations, serviceWritesRefreshCache: false });
    await fdsCase(emu);
    const folder = await ok<{ id: number }>(emu, 'POST', '/storage/view-by-path', { path: 'caseA' });
    const id = await add(emu, { cpu: 1, ram: 'standard', folder: 'caseA', script: 'fds6.9.1' });
    await emu.clock.advance(300);
    expect((await short(emu, id)).status).toBe(10);
    const names = async () => (await ok<{ basename: string }[]>(emu, 'GET', `/storage/index/name/asc/parent_id/${folder.id}/1`)).map((i) => i.basename);
    expect(await names()).not.toContain('FDS.tar.gz');
    expect((await api(emu, 'POST', '/storage/view-by-path', { path: 'caseA/FDS.tar.gz' })).status).toBe(403);
    await ok(emu, 'DELETE', '/user/delete-cache');
    expect(await names()).toEqual(expect.arrayContaining(['FDS.tar.gz', 'cloudhpc.log', 'cpu.csv', 'ram.csv', 'room.fds', 'upload.tar.gz']));
  });

  it.each(PROFILES)('lists simulations with index-short, paginated and sorted; past the last page: page 1 again (evidence) or [] (classic) (%s profile)', async (profile) => {
    const emu = await emulator({ pageSize: 2, durations, profile });
    await fdsCase(emu);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(await add(emu, { cpu: 1, ram: 'standard', folder: 'caseA', script: 'fds6.9.1' }));
    const p1 = await ok<SimulationRecord[]>(emu, 'GET', '/simulation/index-short/id/desc/1');
    const p2 = await ok<SimulationRecord[]>(emu, 'GET', '/simulation/index-short/id/desc/2');
    const p3 = await ok<SimulationRecord[]>(emu, 'GET', '/simulation/index-short/id/desc/3');
    expect([...p1, ...p2].map((s) => s.id)).toEqual([...ids].reverse());
    expect(p3).toEqual(profile === 'evidence' ? p1 : []);
    expect(p1[0]).not.toHaveProperty('output');
    expect(await ok<SimulationRecord[]>(emu, 'GET', '/simulation/index-short/edate/asc/1')).toHaveLength(2);
    expect((await api(emu, 'GET', '/simulation/index-short/colour/asc/1')).status).toBe(refusedWith(emu, 400));
  });

  it('pages 100 simulations at a time by default in the evidence profile, 20 in the classic one', async () => {
    for (const [profile, size] of [['evidence', 100], ['classic', 20]] as const) {
      const emu = await emulator({ profile, durations });
      await fdsCase(emu);
      for (let i = 0; i < 21; i++) await add(emu, { cpu: 1, ram: 'standard', folder: 'caseA', script: 'fds6.9.1' });
      expect(await ok<SimulationRecord[]>(emu, 'GET', '/simulation/index-short/id/desc/1')).toHaveLength(Math.min(21, size));
    }
  });

  it('replies patched fields (NULL as "", damaged values) for one simulation without touching the record', async () => {
    const emu = await emulator({ durations });
    await fdsCase(emu);
    const a = await add(emu, { cpu: 1, ram: 'standard', folder: 'caseA', script: 'fds6.9.1' });
    const b = await add(emu, { cpu: 2, ram: 'standard', folder: 'caseA', script: 'fds6.9.1' });
    emu.setFaults({ simulationPatches: { [String(a)]: { status: '', cpu: '' } } });
    const list = await ok<Record<string, unknown>[]>(emu, 'GET', '/simulation/index-short/id/desc/1');
    expect(list.find((s) => s.id === a)).toMatchObject({ status: '', cpu: '' });
    expect(list.find((s) => s.id === b)).toMatchObject({ status: 20, cpu: 2 });
    expect(await short(emu, a)).toMatchObject({ status: '' });
    expect(emu.simulations(KEY).find((s) => s.id === a)).toMatchObject({ status: 20, cpu: 1 });
  });

  it('copies the mesh folder polyMesh into an OpenFOAM case at start', async () => {
    const emu = await emulator({ durations });
    await emu.seedFile(KEY, 'meshA/constant/polyMesh/points', '8()');
    const dir = await tempDir();
    await writeFdsSample(dir);
    await emu.seedFile(KEY, 'cfd/system/controlDict', 'application simpleFoam;\n');
    const id = await add(emu, { cpu: 2, ram: 'standard', folder: 'cfd', script: 'openFoam-v2406', mesh: 'meshA' });
    await emu.clock.advance(31);
    expect((await short(emu, id)).status).toBe(30);
    expect(await emu.files(KEY, 'cfd')).toHaveProperty(['constant/polyMesh/points']);
  });
});

import { appendFileSync, mkdirSync, rmSync, utimesSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { SyncService } from '../../../src-main/node/sync/service';
import type { ProjectStatus } from '../../../src-main/node/sync/status';
import { type Env, KEY, invariantViolations, localDigests, startEnv, startSimulation } from './harness';

let env: Env;
beforeEach(async () => { env = await startEnv(); });
afterEach(async () => { await env.close(); });

function write(dir: string, rel: string, content: string): void {
  mkdirSync(join(dir, rel, '..'), { recursive: true });
  writeFileSync(join(dir, rel), content);
}

function calls(): number {
  return env.emu.calls(KEY).total;
}

describe('push (against the emulator)', () => {
  it('first push is one snapshot (upload-url + delete-cache), and the run sees the case', async () => {
    const dir = env.caseDir('caseA');
    write(dir, 'run.sh', 'echo hi\n');
    write(dir, 'system/controlDict', 'application simpleFoam;\n');
    write(dir, 'constant/a/b.txt', 'b');
    write(dir, '.git/HEAD', 'ref');
    write(dir, 'notes.txt~', 'swap');
    const p = env.service.addProject(dir, { settings: { quietPeriodMs: 0 } });
    const before = env.emu.calls(KEY).byEndpoint;
    const r = await env.service.ensurePushed(p.id);
    expect(r.clean).toBe(true);
    const after = env.emu.calls(KEY).byEndpoint;
    expect((after['POST /storage/upload-url'] ?? 0) - (before['POST /storage/upload-url'] ?? 0)).toBe(1);
    expect((after['DELETE /user/delete-cache'] ?? 0) - (before['DELETE /user/delete-cache'] ?? 0)).toBe(1);
    const sim = await startSimulation(env, p.id, 'caseA');
    expect(invariantViolations(localDigests(dir), sim.files)).toEqual([]);
    expect(sim.files['.git/HEAD']).toBeUndefined();
    expect(sim.files['notes.txt~']).toBeUndefined();
  });

  it('an unchanged folder after restart costs zero API calls; touching a file pushes nothing', async () => {
    const dir = env.caseDir('caseB');
    write(dir, 'a.txt', 'a');
    write(dir, 'sub/b.txt', 'b');
    const p = env.service.addProject(dir, { settings: { quietPeriodMs: 0 } });
    await env.service.ensurePushed(p.id);
    await env.restart();
    const n0 = calls();
    await env.service.ensurePushed(p.id);
    expect(calls()).toBe(n0);
    const future = new Date(Date.now() - 10_000);
    utimesSync(join(dir, 'a.txt'), future, future);
    const r = await env.service.ensurePushed(p.id);
    expect(r.plan.strategy).toBe('none');
    expect(calls()).toBe(n0);
  });

  it('small edits go as single files; deletions and renames leave nothing behind after a run', async () => {
    const dir = env.caseDir('caseC');
    for (let i = 0; i < 8; i++) write(dir, `d/f${i}.txt`, `v1-${i}`);
    write(dir, 'keep.txt', 'k');
    const p = env.service.addProject(dir, { settings: { quietPeriodMs: 0 } });
    await env.service.ensurePushed(p.id);
    let sim = await startSimulation(env, p.id, 'caseC');
    expect(invariantViolations(localDigests(dir), sim.files)).toEqual([]);
    // The archive is now extracted: a small change costs the archive removal (2) + 1 upload.
    write(dir, 'd/f1.txt', 'v2');
    let r = await env.service.ensurePushed(p.id);
    expect(r.plan.strategy).toBe('none');
    const act = env.service.activity(p.id, 10).map((a) => a.message).join('\n');
    expect(act).toMatch(/Pushed d\/f1.txt/);
    rmSync(join(dir, 'd/f2.txt'));
    renameSync(join(dir, 'd/f3.txt'), join(dir, 'renamed.txt'));
    r = await env.service.ensurePushed(p.id);
    sim = await startSimulation(env, p.id, 'caseC');
    expect(invariantViolations(localDigests(dir), sim.files)).toEqual([]);
    // Pulled-back service files never come back as pushes.
    expect(sim.files['cloudhpc.log']).toBeDefined();
  });

  it('emits states with progress and the cost of the next push; errors say what to do', async () => {
    const dir = env.caseDir('caseE');
    for (let i = 0; i < 10; i++) write(dir, `f${i}.dat`, 'x'.repeat(1000 + i));
    const p = env.service.addProject(dir, { settings: { quietPeriodMs: 0 } });
    const states: ProjectStatus[] = [];
    const off = env.service.on('state', (s) => states.push(s));
    const plan = await env.service.previewPush(p.id);
    expect(plan).toMatchObject({ strategy: 'snapshot', apiCalls: 2 });
    expect(env.service.status(p.id).nextPush).toMatchObject({ strategy: 'snapshot', apiCalls: 2, bytes: plan.bytes });
    await env.service.ensurePushed(p.id);
    off();
    const names = states.map((s) => s.state);
    expect(names).toContain('scanning');
    expect(names).toContain('pushing');
    expect(names[names.length - 1]).toBe('idle');
    const withProgress = states.filter((s) => s.state === 'pushing' && s.progress !== null);
    expect(withProgress.length).toBeGreaterThan(0);
    const last = withProgress[withProgress.length - 1]?.progress;
    expect(last).toMatchObject({ filesDone: 10, filesTotal: 10, etaSeconds: 0 });
    expect(last?.bytesDone).toBe(last?.bytesTotal);
    const act = env.service.activity(p.id, 5);
    expect(act[0]?.kind).toBe('snapshot');

    // A refused key: state 'error', with what to do.
    const bad = new CloudHpcClient({ apiKey: 'refused-key-000000000', baseUrl: env.emu.url });
    const svc = new SyncService({ registry: env.registry, cloud: bad });
    write(dir, 'new.txt', 'n');
    await expect(svc.ensurePushed(p.id)).rejects.toMatchObject({ kind: 'unauthorized' });
    expect(svc.status(p.id)).toMatchObject({ state: 'error' });
    expect(svc.status(p.id).lastError?.action).toMatch(/API key/);
    await svc.close();
    await bad.close();
  });

  it('a case folder that disappears is an error, never a mass deletion', async () => {
    const dir = env.caseDir('caseF');
    for (let i = 0; i < 4; i++) write(dir, `f${i}.txt`, `v${i}`);
    const p = env.service.addProject(dir, { settings: { quietPeriodMs: 0 } });
    await env.service.ensurePushed(p.id);
    const before = await env.emu.files(KEY, 'caseF');
    renameSync(dir, `${dir}-moved`);
    await expect(env.service.ensurePushed(p.id, { timeoutMs: 1500 })).rejects.toThrow(/ENOENT|no such file/i);
    expect(env.service.status(p.id).state).toBe('error');
    expect(await env.emu.files(KEY, 'caseF')).toEqual(before);
    renameSync(`${dir}-moved`, dir);
    const r = await env.service.ensurePushed(p.id);
    expect(r.plan.strategy).toBe('none');
  });

  it('a file being appended to is pushed only in a settled version', async () => {
    const dir = env.caseDir('caseD');
    write(dir, 'log.txt', 'start\n');
    write(dir, 'other.txt', 'x');
    const p = env.service.addProject(dir, { settings: { quietPeriodMs: 300 } });
    let stop = false;
    let n = 0;
    const writer = (async () => {
      while (!stop && n < 40) {
        appendFileSync(join(dir, 'log.txt'), `line ${n++}\n`);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const pushed = env.service.ensurePushed(p.id, { timeoutMs: 60_000 });
    await writer;
    stop = true;
    await pushed;
    const sim = await startSimulation(env, p.id, 'caseD');
    expect(invariantViolations(localDigests(dir), sim.files)).toEqual([]);
    expect(sim.files['log.txt']?.size).toBe(localDigests(dir)['log.txt']?.size);
  });

  it('large files go beside the archive; an edit right after re-sends only the small files\' archive', async () => {
    const dir = env.caseDir('caseL');
    write(dir, 'system/controlDict', 'application simpleFoam;\n');
    write(dir, '0/U', 'internalField uniform (0 0 0);\n');
    write(dir, 'constant/polyMesh/points', 'p'.repeat(5000));
    write(dir, 'constant/triSurface/model.stl', 's'.repeat(4000));
    const p = env.service.addProject(dir, { settings: { quietPeriodMs: 0, largeFileBytes: 3000 } });
    const uploads = (): number => env.emu.calls(KEY).byEndpoint['POST /storage/upload-url'] ?? 0;
    const plan = await env.service.previewPush(p.id);
    expect(plan).toMatchObject({ strategy: 'snapshot', apiCalls: 4 });
    expect(plan.beside.map((f) => f.path)).toEqual(['constant/polyMesh/points', 'constant/triSurface/model.stl']);
    const u0 = uploads();
    const c0 = calls();
    await env.service.ensurePushed(p.id);
    expect(uploads() - u0).toBe(3);
    expect(calls() - c0).toBe(4);
    const stored = await env.emu.files(KEY, 'caseL');
    expect(Object.keys(stored).sort()).toEqual(['constant/polyMesh/points', 'constant/triSurface/model.stl', 'upload.tar.gz']);

    // The archive is not extracted yet: the edit rebuilds it (from the member cache), the large files stay.
    write(dir, '0/U', 'internalField uniform (1 0 0);\n');
    const c1 = calls();
    const second = await env.service.ensurePushed(p.id);
    expect(second.clean).toBe(true);
    expect(calls() - c1).toBe(2);
    expect(uploads() - u0).toBe(4);
    const sim = await startSimulation(env, p.id, 'caseL');
    expect(invariantViolations(localDigests(dir), sim.files)).toEqual([]);
  });
});

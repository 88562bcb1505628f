import { appendFileSync, mkdirSync, rmSync, utimesSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
});

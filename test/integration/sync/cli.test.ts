import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Env, KEY, invariantViolations, localDigests, startEnv, startSimulation } from './harness';
import { Writable } from 'node:stream';
import { main } from '../../../src-main/cli/main';
import { runCli, spawnCli } from './cli-helpers';

let env: Env;
let cliEnv: Record<string, string>;
beforeAll(async () => {
  env = await startEnv();
  cliEnv = { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: env.emu.url, CLOUDHPC_SYNC_HOME: env.home };
});
afterAll(async () => { await env.close(); });

/** Runs the CLI in this process (same code as the bin, without the start-up cost of a child). */
async function cliHere(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = new Writable({ write(c, _e, cb) { stdout += String(c); cb(); } });
  const err = new Writable({ write(c, _e, cb) { stderr += String(c); cb(); } });
  const code = await main(args, { stdout: out, stderr: err, env: { ...cliEnv, ...extraEnv } });
  return { code, stdout, stderr };
}

function makeCase(name: string, n: number): string {
  const dir = env.caseDir(name);
  for (let i = 0; i < n; i++) {
    mkdirSync(join(dir, `d${i % 3}`), { recursive: true });
    writeFileSync(join(dir, `d${i % 3}`, `f${i}.txt`), `content ${i}`);
  }
  return dir;
}

describe('cloudhpc-sync command line', () => {
  it('usage errors exit 2, a missing key exits 3 and the key is never printed', async () => {
    expect((await runCli([], cliEnv)).code).toBe(2); // the real bin, once
    expect((await cliHere(['frobnicate'])).code).toBe(2);
    expect((await cliHere(['push', '--bogus'])).code).toBe(2);
    const dir = makeCase('nokey', 1);
    const r = await cliHere(['push', dir], { CLOUDHPC_API_KEY: '' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/CLOUDHPC_API_KEY/);
    const bad = await cliHere(['push', dir, '--folder', 'my case']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--folder my_case/);
    const refused = await cliHere(['push', makeCase('refused', 1)], { CLOUDHPC_API_KEY: 'wrong-key-1234567890' });
    expect(refused.code).toBe(3);
    expect(refused.stderr + refused.stdout).not.toContain('wrong-key-1234567890');
  });

  it('push --json pushes the case, status shows it, a second push costs nothing', async () => {
    const dir = makeCase('cliA', 6);
    const p = env.registry.add(dir, { settings: { quietPeriodMs: 0 } });
    const r = await runCli(['push', dir, '--json'], cliEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop() as string)).toMatchObject({ storageFolder: 'cliA', pushed: true });
    const calls = env.emu.calls(KEY).total;
    const again = await runCli(['push', dir], cliEnv);
    expect(again.code).toBe(0);
    expect(env.emu.calls(KEY).total).toBe(calls);
    const st = await cliHere(['status', '--json']);
    const rows = JSON.parse(st.stdout).projects as Array<{ storageFolder: string; trackedFiles: number }>;
    expect(rows.find((x) => x.storageFolder === 'cliA')?.trackedFiles).toBe(6);
    const one = await cliHere(['status', dir, '--json']);
    expect(JSON.parse(one.stdout).nextPush.strategy).toBe('none');
    const sim = await startSimulation(env, p.id, 'cliA');
    expect(invariantViolations(localDigests(dir), sim.files)).toEqual([]);
    // The run ended: pull brings its log back, and pushing again costs nothing (no echo).
    const pulled = await runCli(['pull', dir, '--json'], cliEnv);
    expect(pulled.code, pulled.stderr).toBe(0);
    const out = JSON.parse(pulled.stdout.trim().split('\n').pop() as string) as { complete: boolean; downloaded: string[]; written: string[] };
    expect(out.complete).toBe(true);
    expect(out.downloaded.length).toBeGreaterThan(0);
    expect(out.written).toContain('cloudhpc.log');
    expect(existsSync(join(dir, 'cloudhpc.log'))).toBe(true);
    const n = env.emu.calls(KEY).total;
    expect((await runCli(['push', dir], cliEnv)).code).toBe(0);
    expect(env.emu.calls(KEY).total).toBe(n);
  });

  it('a mass deletion stops with exit 4 until --confirm-deletes', async () => {
    const dir = makeCase('cliB', 20);
    env.registry.add(dir, { settings: { quietPeriodMs: 0, massDeleteThreshold: 5 } });
    expect((await cliHere(['push', dir])).code).toBe(0);
    for (let i = 0; i < 10; i++) rmSync(join(dir, `d${i % 3}`, `f${i}.txt`));
    const dry = await cliHere(['push', dir, '--dry-run', '--json']);
    expect(JSON.parse(dry.stdout.trim().split('\n').pop() as string).massDelete).toMatchObject({ count: 10 });
    const stopped = await runCli(['push', dir], cliEnv); // the real bin: exit code as a script sees it
    expect(stopped.code).toBe(4);
    expect(stopped.stderr).toMatch(/--confirm-deletes/);
    expect((await cliHere(['push', dir, '--confirm-deletes'])).code).toBe(0);
    const files = await env.emu.files(KEY, 'cliB');
    expect(Object.keys(files).filter((f) => f.endsWith('.txt')).length).toBe(0); // only in the replaced archive
  });

  it('watch pushes changes and stops cleanly on Ctrl-C', async () => {
    const dir = makeCase('cliW', 2);
    env.registry.add(dir, { settings: { quietPeriodMs: 100 } });
    const uploads = () => env.emu.calls(KEY).byEndpoint['POST /storage/upload-url'] ?? 0;
    const { child, done } = spawnCli(['watch', dir], cliEnv);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    const until = async (cond: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(() => /Watching/.test(out) && /cliW: Pushed/.test(out), 'the initial push');
    const before = uploads();
    writeFileSync(join(dir, 'new.txt'), 'new');
    await until(() => uploads() > before && (out.match(/cliW: Pushed/g) ?? []).length >= 2, 'the push of new.txt');
    // what a person reads: what was pushed, never the engine's internal states
    expect(out).not.toMatch(/scanning|idle -/);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(0);
    expect(out).toMatch(/Stopping/);
  });
});

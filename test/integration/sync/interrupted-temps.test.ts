// Issue 16, hole 9: kill -9 of a real node process during a snapshot push or a pull leaves its temp
// files (a snapshot archive as big as the case, a pull's run folder of downloads); the next push or
// pull removes them at its start. The killed process is the node that runs the code (never a wrapper).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli, runCli } from './cli-helpers';
import { type Env, KEY, startEnv } from './harness';

let env: Env;
beforeAll(async () => { env = await startEnv(); });
afterAll(async () => { await env.close(); });

/** Every file under `dir` whose name matches, with its size. */
function findFiles(dir: string, re: RegExp): { path: string; size: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return [];
  }
  const out: { path: string; size: number }[] = [];
  for (const n of names) {
    if (!re.test(n.split('/').pop() ?? '')) continue;
    const st = statSync(join(dir, n), { throwIfNoEntry: false }); // a download is renamed into place meanwhile
    if (st) out.push({ path: join(dir, n), size: st.size });
  }
  return out;
}

/** Polls `probe` (no fixed sleep: it returns as soon as the state is reached) until it holds or `ms` pass. */
async function until(probe: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('temp files of interrupted pushes and pulls', () => {
  it('a snapshot archive left by push killed with SIGKILL is removed by the next push', async () => {
    const dir = env.caseDir('snap');
    for (let i = 0; i < 40; i++) writeFileSync(join(dir, `f${i}.bin`), randomBytes(1_000_000));
    env.registry.add(dir, { settings: { quietPeriodMs: 0 } });
    const cliEnv = { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: env.emu.url, CLOUDHPC_SYNC_HOME: env.home };
    const { child, done } = spawnCli(['push', dir], cliEnv);
    const snapshot = /^snapshot-\d+-\d+\.tar\.gz$/;
    // killed while its archive is being built (40 MB of incompressible files)
    await until(() => findFiles(env.home, snapshot).some((f) => f.size > 0), 30_000, 'the snapshot being built');
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');
    const left = findFiles(env.home, snapshot);
    expect(left.length).toBe(1);
    expect(left[0]?.path).toContain(`snapshot-${child.pid}-`);

    const again = await runCli(['push', dir], cliEnv);
    expect(again.code, again.stderr).toBe(0);
    expect(findFiles(env.home, snapshot)).toEqual([]);
  }, 90_000);

  it('a pull run folder left by a pull killed with SIGKILL is removed by the next pull', async () => {
    const dir = env.caseDir('pulled');
    writeFileSync(join(dir, 'room.fds'), '&HEAD /\n');
    for (let i = 0; i < 4; i++) await env.emu.seedFile(KEY, `pulled/out${i}.csv`, randomBytes(300_000).toString('hex'));
    await env.emu.seedFile(KEY, 'pulled/cloudhpc.log', 'log\n');
    await env.emu.clock.advance(2);
    mkdirSync(join(dir, '.cloudhpc-sync'), { recursive: true });
    env.emu.setFaults({ transferBytesPerSec: 100_000 });
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'pull-child.ts')], {
      cwd: join(import.meta.dirname, '..', '..', '..'),
      env: { ...process.env, PULL_EMU_URL: env.emu.url, PULL_KEY: KEY, PULL_PROJECT: dir, PULL_INDEX: join(env.root, 'pulled-index.sqlite'), PULL_FOLDER: 'pulled', PULL_EVERYTHING: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
    const tmp = join(dir, '.cloudhpc-sync', 'pull-tmp');
    await until(() => findFiles(tmp, /^download-\d+$/).some((f) => f.size > 0), 30_000, 'a download in progress');
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const runs = () => readdirSync(tmp).filter((n) => n.startsWith('run-'));
    expect(runs()).toHaveLength(1);
    env.emu.setFaults({});

    const again = await spawnPull(dir);
    expect(again, 'the second pull').toBe(0);
    expect(runs()).toEqual([]);
  }, 90_000);
});

function spawnPull(dir: string): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'pull-child.ts')], {
    cwd: join(import.meta.dirname, '..', '..', '..'),
    env: { ...process.env, PULL_EMU_URL: env.emu.url, PULL_KEY: KEY, PULL_PROJECT: dir, PULL_INDEX: join(env.root, 'pulled-index.sqlite'), PULL_FOLDER: 'pulled', PULL_EVERYTHING: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve) => child.on('exit', (c) => resolve(c)));
}

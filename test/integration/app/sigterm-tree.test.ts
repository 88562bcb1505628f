// Issue 16, hole 12: every long-running command stops its whole process tree on SIGTERM, as on
// Ctrl-C. `npm run emulator` and `npm run demo` get the SIGTERM at npm (which passes it to its shell
// only); `cloudhpc-sync watch` and `serve` at the command. Afterwards no process of the tree is left.
// Linux (the tree is read from /proc).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const built = existsSync(join(root, 'out', 'renderer', 'index.html'));
const linux = process.platform === 'linux';
const started: ChildProcess[] = [];
const temps: string[] = [];

afterEach(() => {
  // a failed test must not leave its tree behind: the group it was started in
  for (const c of started.splice(0)) {
    try {
      if (c.pid !== undefined) process.kill(-c.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

/** The process and all its descendants now (from /proc). */
function tree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const c of children.get(out[i]!) ?? []) out.push(c);
  return out;
}

const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};

/** Resolves when none of `pids` runs any more; rejects with the ones left after `ms`. */
function allGone(pids: number[], ms: number): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const left = pids.filter(alive);
      if (left.length === 0) return resolve();
      if (Date.now() > end) return reject(new Error(`still running after SIGTERM: ${left.map((p) => `${p} ${readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 100)}`).join('; ')}`));
      setTimeout(check, 50);
    };
    check();
  });
}

/** Starts `cmd` in a process group of its own; resolves once its output matches `ready`. */
function start(cmd: string, args: string[], ready: RegExp, env: NodeJS.ProcessEnv = process.env): Promise<ChildProcess> {
  const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  started.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 90 s: ${out}`)), 90_000);
    const seen = (d: Buffer): void => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited (${code}) before it was ready: ${out}`)); });
  });
}

async function sigtermLeavesNothing(child: ChildProcess): Promise<void> {
  const pids = tree(child.pid!);
  expect(pids.length).toBeGreaterThan(1); // npm → sh → node: there is a tree to stop
  child.kill('SIGTERM');
  await allGone(pids, 20_000);
}

describe.skipIf(!linux)('SIGTERM stops the whole process tree', () => {
  it('npm run emulator', async () => {
    const child = await start('npm', ['run', 'emulator', '--', '--port', '0', '--api-key', 'tree-key', '--time-scale', '0'], /listening on http/);
    await sigtermLeavesNothing(child);
  }, 120_000);

  it.skipIf(!built)('npm run demo (headless)', async () => {
    const child = await start('npm', ['run', 'demo', '--', '--headless', '--port', '0'], /\?token=/);
    await sigtermLeavesNothing(child);
  }, 150_000);

  it('cloudhpc-sync watch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigterm-watch-'));
    temps.push(dir);
    writeFileSync(join(dir, 'room.fds'), '&HEAD /\n');
    const env = { ...process.env, CLOUDHPC_SYNC_HOME: join(dir, '.home'), CLOUDHPC_API_KEY: 'k', CLOUDHPC_API_URL: 'http://127.0.0.1:9/api/v2' };
    const alone = await start(process.execPath, [join(root, 'bin', 'cloudhpc-sync.js'), 'watch', dir], /Watching/, env);
    const pids = tree(alone.pid!);
    alone.kill('SIGTERM');
    await allGone(pids, 20_000);
  }, 120_000);

  it.skipIf(!built)('cloudhpc-sync serve', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sigterm-serve-'));
    temps.push(home);
    const env: NodeJS.ProcessEnv = { ...process.env, CLOUDHPC_SYNC_HOME: home, CLOUDHPC_API_URL: 'http://127.0.0.1:9/api/v2' };
    delete env.CLOUDHPC_API_KEY;
    const child = await start(process.execPath, [join(root, 'bin', 'cloudhpc-sync.js'), 'serve', '--port', '0'], /\?token=/, env);
    const pids = tree(child.pid!);
    child.kill('SIGTERM');
    await allGone(pids, 20_000);
  }, 120_000);
});

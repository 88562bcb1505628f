// The command line: prints exactly one line with the URL, serves the API and (with --control) the
// control surface for tests in other processes, and stops cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from './helpers';

const root = join(import.meta.dirname, '..', '..', '..');
const children: ChildProcess[] = [];

afterEach(() => {
  // The CLI runs as tsx → node: kill the whole process group so no grandchild outlives a failed test.
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.pid !== undefined) {
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

async function startCli(args: string[]): Promise<{ child: ChildProcess; line: string; lines: string[] }> {
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'emulator', 'cli.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  const lines: string[] = [];
  const rl = createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no line from the CLI within 30 s')), 30_000);
    rl.on('line', (l) => {
      lines.push(l);
      clearTimeout(timer);
      resolve(l);
    });
    child.on('exit', (code) => reject(new Error(`CLI exited early with ${code}`)));
  });
  return { child, line, lines };
}

const exited = (c: ChildProcess): Promise<number | null> => new Promise((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.on('exit', (code) => resolve(code))));

describe('emulator CLI', () => {
  it('prints one line with its URL, serves the API and the control surface, and stops on SIGTERM', async () => {
    const data = await tempDir('emu-cli-');
    const { child, line, lines } = await startCli(['--port', '0', '--api-key', 'cli-key', '--time-scale', '0', '--rate-limit', '50', '--data', data, '--control']);
    const m = /^cloudHPC emulator listening on (http:\/\/127\.0\.0\.1:(\d+)\/api\/v2)$/.exec(line);
    expect(m).not.toBeNull();
    const url = m![1]!;
    const origin = url.replace(/\/api\/v2$/, '');
    const cpu = await fetch(`${url}/simulation/view-cpu`, { headers: { 'X-API-Key': 'cli-key' } });
    expect(cpu.status).toBe(200);
    expect(cpu.headers.get('x-ratelimit-hourly-limit')).toBe('50');
    const h = { 'x-api-key': 'cli-key', 'content-type': 'application/json' };
    const seed = await fetch(`${origin}/__emulator/seed`, { method: 'POST', headers: h, body: JSON.stringify({ path: 'caseA/room.fds', text: "&HEAD CHID='room' /\n" }) });
    expect(seed.status).toBe(200);
    expect(existsSync(join(data, 'cli-key'))).toBe(false);
    const add = await fetch(`${url}/simulation/add`, { method: 'POST', headers: h, body: JSON.stringify({ cpu: '1', ram: 'standard', script: 'fds6.9.1', folder: 'caseA' }) });
    const id = ((await add.json()) as { response: number }).response;
    const adv = await fetch(`${origin}/__emulator/clock/advance`, { method: 'POST', headers: h, body: JSON.stringify({ seconds: 1000 }) });
    expect(adv.status).toBe(200);
    const state = (await (await fetch(`${origin}/__emulator/state`, { headers: h })).json()) as { response: { simulations: { id: number; status: number }[]; files: Record<string, unknown>; calls: { total: number } } };
    expect(state.response.simulations).toEqual([expect.objectContaining({ id, status: 10 })]);
    expect(Object.keys(state.response.files)).toEqual(expect.arrayContaining(['caseA/room.fds', 'caseA/FDS.tar.gz', 'caseA/cloudhpc.log']));
    expect(state.response.calls.total).toBe(2);
    const files = (await (await fetch(`${origin}/__emulator/files?folder=caseA`, { headers: h })).json()) as { response: Record<string, { size: number }> };
    expect(files.response['room.fds']?.size).toBeGreaterThan(0);
    const faults = await fetch(`${origin}/__emulator/faults`, { method: 'PUT', headers: h, body: JSON.stringify({ error500Rate: 1 }) });
    expect(faults.status).toBe(200);
    expect((await fetch(`${url}/simulation/view-cpu`, { headers: h })).status).toBe(500);
    const badFaults = await fetch(`${origin}/__emulator/faults`, { method: 'PUT', headers: h, body: JSON.stringify({ error500Rate: 7 }) });
    expect(badFaults.status).toBe(400);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(lines).toHaveLength(1);
    expect(existsSync(join(data, '.emulator', 'state.json'))).toBe(true);
  });

  it('exits with a usage message when the key is missing', async () => {
    const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'emulator', 'cli.ts'), '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    expect(await exited(child)).toBe(2);
    expect(err).toMatch(/--api-key is required/);
  });
});

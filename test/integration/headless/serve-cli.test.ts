// `cloudhpc-sync serve` as a user runs it: a child process that prints one URL with a token,
// serves the UI on loopback, answers the contract, and stops cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = process.cwd();
const built = existsSync(join(root, 'out', 'renderer', 'index.html'));

function waitForLine(child: ChildProcess, re: RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; got: ${out}`)), timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = re.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing the URL: ${out}`));
    });
  });
}

describe('cloudhpc-sync serve', () => {
  let child: ChildProcess | null = null;
  let home: string | null = null;
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('refuses a bad --port with the usage exit code', async () => {
    home = await mkdtemp(join(tmpdir(), 'serve-'));
    child = spawn(process.execPath, [join(root, 'bin', 'cloudhpc-sync.js'), 'serve', '--port', 'abc'], { env: { ...process.env, CLOUDHPC_SYNC_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child!.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/--port needs a number/);
  });

  it.skipIf(!built)('prints the URL once, serves the UI and the contract, stops on SIGTERM', async () => {
    home = await mkdtemp(join(tmpdir(), 'serve-'));
    const env: NodeJS.ProcessEnv = { ...process.env, CLOUDHPC_SYNC_HOME: home, CLOUDHPC_API_URL: 'http://127.0.0.1:9/api/v2' };
    delete env.CLOUDHPC_API_KEY;
    child = spawn(process.execPath, [join(root, 'bin', 'cloudhpc-sync.js'), 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    const url = await waitForLine(child, /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/);
    const u = new URL(url);
    const token = u.searchParams.get('token') ?? '';
    expect(token.length).toBeGreaterThanOrEqual(32);

    const entry = await fetch(url, { redirect: 'manual' });
    expect(entry.status).toBe(303);
    const cookie = (entry.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const page = await fetch(u.origin, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    const state = await fetch(`${u.origin}/api/getState`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' });
    const reply = (await state.json()) as { ok: boolean; value: { transport: string; key: { set: boolean } } };
    expect(reply).toMatchObject({ ok: true, value: { transport: 'headless', key: { set: false } } });
    expect((await fetch(`${u.origin}/api/getState`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child!.on('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).not.toContain(token); // the token is printed once, on stdout, and never logged
  });
});

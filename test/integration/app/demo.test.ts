// `npm run demo` in its headless form: the emulator with the two sample cases and the app against
// it; the printed URL opens the UI at onboarding with the demo key offered; once it is given, both
// sample projects are there and get pushed; a signal (twice, as a terminal and npm deliver Ctrl-C)
// stops it all and removes the demo's temp folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = process.cwd();
const built = existsSync(join(root, 'out', 'renderer', 'index.html'));

describe('npm run demo (headless)', () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it.skipIf(!built)('prints the URL, opens at onboarding with the demo key, serves both sample projects, stops on Ctrl-C and leaves no temp folder', async () => {
    // as package.json runs it (no tsx parent process relaying signals)
    child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'demo.ts'), '--headless', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 45 s: ${out}`)), 45_000);
      child!.stdout?.on('data', () => {
        const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out);
        if (m) { clearTimeout(timer); resolve(m[0]); }
      });
      child!.on('exit', (c) => { clearTimeout(timer); reject(new Error(`demo exited (${c}): ${out}`)); });
    });
    expect(out).toMatch(/FDS/);
    expect(out).toMatch(/OpenFOAM/);
    const work = /Sample cases: (\S+)\/cases\/room_fire/.exec(out)?.[1];
    expect(work && existsSync(work)).toBe(true);
    const u = new URL(url);
    const entry = await fetch(url, { redirect: 'manual' });
    const cookie = (entry.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const call = async <T>(name: string, body: unknown): Promise<{ ok: boolean; value: T }> =>
      (await (await fetch(`${u.origin}/api/${name}`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { ok: boolean; value: T };
    // A newcomer's first screen: no key yet, the demo's key offered (and printed on the terminal).
    const first = await call<{ key: { set: boolean }; demoKey: string | null }>('getState', {});
    expect(first.value.key.set).toBe(false);
    expect(first.value.demoKey).toMatch(/^demo-/);
    expect(out).toContain(first.value.demoKey);
    expect((await call('setApiKey', { key: first.value.demoKey })).ok).toBe(true);
    const deadline = Date.now() + 30_000;
    let names: string[] = [];
    let pushed = false;
    while (Date.now() < deadline && !pushed) {
      const r = (await (await fetch(`${u.origin}/api/getState`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' })).json()) as { ok: boolean; value: { key: { set: boolean }; projects: { name: string; lastPushAt: string | null }[] } };
      expect(r.ok).toBe(true);
      expect(r.value.key.set).toBe(true);
      names = r.value.projects.map((p) => p.name).sort();
      pushed = r.value.projects.length === 2 && r.value.projects.every((p) => p.lastPushAt !== null);
      if (!pushed) await new Promise((res) => setTimeout(res, 200));
    }
    expect(names).toEqual(['cavity', 'room_fire']);
    expect(pushed).toBe(true);
    const exited = new Promise<number | null>((resolve) => child!.on('exit', resolve));
    child.kill('SIGINT');
    child.kill('SIGINT'); // a second one while it stops is not fatal
    expect(await exited).toBe(0);
    expect(existsSync(work!)).toBe(false);
  });
});

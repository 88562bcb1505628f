// `npm run demo` in its headless form: the emulator with the two sample cases and the app against
// it; the printed URL opens the UI, both sample projects are there and get pushed; SIGTERM stops it all.
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

  it.skipIf(!built)('prints the URL, serves both sample projects, and stops on SIGTERM', async () => {
    child = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'scripts', 'demo.ts'), '--headless', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
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
    const u = new URL(url);
    const entry = await fetch(url, { redirect: 'manual' });
    const cookie = (entry.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
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
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child!.on('exit', resolve));
    expect(code).toBe(0);
  });
});

// The command line as the installed desktop app ships it (test/unit/electron-install-layout.ts): the
// bundle from scripts/build-cli.mjs in a stand-in installation laid out like the deb's, with only the
// native addons in its node_modules (no tsx, no other dependency), the real launcher build/bin/cloudhpc-sync
// reached through the symlinks update-alternatives makes, and a stand-in app binary that runs this
// machine's plain node only as ELECTRON_RUN_AS_NODE asks. Then the command really works: help, a push to
// the emulator on loopback, and `serve` finding the built UI beside the bundle.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index';
import { makeLayout, projectRoot, run, writeCase, type Layout } from './electron-install-layout';

const KEY = 'cli-bundle-key-0123456789';
let layout: Layout;
let emu: Emulator;

beforeAll(async () => {
  layout = await makeLayout({ installed: true, renderer: true });
  emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }] });
}, 120_000);

afterAll(async () => {
  await emu?.stop();
  layout?.close();
});

const env = (): Record<string, string> => ({
  PATH: '/usr/bin:/bin', HOME: layout.base, TMPDIR: process.env.TMPDIR ?? '/tmp',
  CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url, CLOUDHPC_SYNC_HOME: join(layout.base, 'appdata'),
});

describe('the bundled command line in an installed layout', () => {
  it('has no TypeScript loader to lean on: tsx cannot be resolved from the bundle, which requires only the native addons', () => {
    expect(() => createRequire(layout.bundle).resolve('tsx')).toThrow(/Cannot find module 'tsx'/);
    const text = readFileSync(layout.bundle, 'utf8');
    const required = new Set([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] as string).filter((m) => !m.startsWith('node:') && !builtinModules.includes(m)));
    expect(required).toEqual(new Set(['better-sqlite3', 'keytar', '@parcel/watcher', 'bufferutil', 'utf-8-validate']));
    expect(text).not.toMatch(/\bimport\("keytar"\)/);
  });

  it('runs through the symlinks update-alternatives makes, and through a relative link, as the app run as Node', async () => {
    for (const cmd of [layout.onPath, layout.relativeLink]) {
      const r = await run(cmd, ['--help'], env());
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^cloudhpc-sync — keep case folders in sync with cloudHPC storage/);
    }
  });

  it('pushes a case to the service (the native SQLite index loads from the installed node_modules)', async () => {
    const dir = join(layout.base, 'cases', 'cavity');
    writeCase(dir);
    const r = await run(layout.onPath, ['push', dir, '--json'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop() as string)).toMatchObject({ storageFolder: 'cavity', pushed: true });
    expect(Object.keys(await emu.files(KEY, 'cavity'))).toContain('upload.tar.gz');
  }, 60_000);

  it.skipIf(!existsSync(join(projectRoot, 'out', 'renderer', 'index.html')))('serve finds the UI built beside the bundle and serves it', async () => {
    const child = spawn(layout.onPath, ['serve', '--port', '0'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('serve printed no URL within 30 s')), 30_000);
        createInterface({ input: child.stdout }).on('line', (l) => {
          if (/^http:\/\/127\.0\.0\.1:\d+\//.test(l)) { clearTimeout(timer); resolve(l.trim()); }
        });
        child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited with ${code}`)); });
      });
      // The token in the printed address is swapped for a cookie, then the UI loads with it.
      const entry = await fetch(url, { redirect: 'manual' });
      expect(entry.status).toBe(303);
      const cookie = (entry.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const page = await fetch(new URL('/', url), { headers: { cookie } });
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<html/i);
    } finally {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
  }, 60_000);
});

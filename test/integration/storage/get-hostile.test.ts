// `cloudhpc-sync get` and opening a case against a hostile stand-in for the service (a real HTTP server
// on loopback in front of the emulator that rewrites storage names) and a hostile result archive: names
// that would leave the destination or that the file system cannot hold are refused and reported,
// never written; the honest files land; nothing outside the destination is touched.
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { EXIT } from '../../../src-main/cli/exit-codes';
import { buildTarGz } from '../../unit/sync/pull-helpers';
import { startHostileProxy, type HostileProxy } from '../workspace/hostile-proxy';
import { cliHere, lastJson } from '../workspace/helpers';
import { temp } from './helpers';

const KEY = 'hostile-get-key-0123456789';

let emu: Emulator;
let proxy: HostileProxy;
let t: ReturnType<typeof temp>;
let env: Record<string, string>;

beforeEach(async () => {
  emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0 });
  t = temp('hostile-get-');
  for (const n of ['good.csv', 'aux.csv', 'a.csv', 'b.csv', 'sub/c.csv']) await emu.seedFile(KEY, `evil/${n}`, `${n}\n`);
  await emu.seedFile(KEY, 'evil/FDS.tar.gz', buildTarGz([
    { path: 'room_hrr.csv', data: 'Time,HRR\n0,0\n' },
    { path: '../escape.txt', data: 'dotdot' },
    { path: 'up', type: 'SymbolicLink', linkpath: '..' },
    { path: '/tmp/abs.txt', data: 'absolute' },
  ]));
  proxy = await startHostileProxy(emu.url, { 'evil/a.csv': 'evil/../a.csv', 'evil/b.csv': '/etc/b.csv', 'evil/sub/c.csv': 'other/c.csv' });
  env = { HOME: t.dir, CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: proxy.url, CLOUDHPC_SYNC_HOME: join(t.dir, 'home') };
});
afterEach(async () => {
  await proxy.close();
  await emu.stop();
  t.done();
});

interface Refusal { name: string; reason: string; code?: string; archive?: string | null }

describe('downloads against a hostile stand-in', () => {
  it('get --extract: every refused name is reported with its reason; the honest files land inside the destination only', async () => {
    const outer = join(t.dir, 'outer');
    const dest = join(outer, 'dest');
    mkdirSync(dest, { recursive: true });
    const r = await cliHere(['get', 'evil', dest, '--extract', '--json'], env);
    expect(r.code, r.stderr).toBe(EXIT.OK);
    const j = lastJson<{ complete: boolean; written: string[]; refused: Refusal[]; plan: { refused: Refusal[] } }>(r.stdout);
    expect(j.complete).toBe(true);
    // Listed under names that do not fit the folder: left out of the plan, reported.
    expect(j.plan.refused.map((x) => x.name).sort()).toEqual(['/etc/b.csv', 'evil/../a.csv', 'other/c.csv']);
    // Names this file system must not hold, and hostile archive members: refused while downloading.
    expect(j.refused.map((x) => [x.name, x.code, x.archive]).sort()).toEqual([
      ['/tmp/abs.txt', 'absolute', 'evil/FDS.tar.gz'],
      ['../escape.txt', 'dot-component', 'evil/FDS.tar.gz'],
      ['evil/aux.csv', 'reserved-name', null],
      ['up', 'symlink-member', 'evil/FDS.tar.gz'],
    ].sort());
    expect(j.refused.every((x) => x.reason.length > 0)).toBe(true);
    expect(j.written.sort()).toEqual(['evil/good.csv', 'evil/room_hrr.csv']);
    expect(readFileSync(join(dest, 'evil', 'good.csv'), 'utf8')).toBe('good.csv\n');
    expect(readdirSync(outer)).toEqual(['dest']);
    expect(readdirSync(dest)).toEqual(['evil']);
    expect(readdirSync(join(dest, 'evil')).sort()).toEqual(['good.csv', 'room_hrr.csv']); // sub/ held only the renamed file

    const text = await cliHere(['get', 'evil', join(t.dir, 'text')], env);
    expect(text.code, text.stderr).toBe(EXIT.OK);
    expect(text.stdout).toContain('refused: evil/../a.csv: not a plain name inside evil');
    expect(text.stdout).toContain('Refused 1 name: not written');
  });

  it('opening the folder as a project: the same names refused, the plan says how many were left out', async () => {
    const dir = join(t.dir, 'opened');
    const r = await cliHere(['pull', dir, '--folder', 'evil', '--json'], env);
    expect(r.code, r.stderr).toBe(EXIT.OK);
    const j = lastJson<{ opened: boolean; refused: Refusal[]; written: string[] }>(r.stdout);
    expect(j.opened).toBe(true);
    expect(j.refused.map((x) => x.code).sort()).toEqual(['absolute', 'dot-component', 'reserved-name', 'symlink-member']);
    expect(readdirSync(t.dir).sort()).toEqual(['home', 'opened']);
    const text = await cliHere(['pull', join(t.dir, 'opened2'), '--folder', 'evil'], env);
    expect(text.code).toBe(EXIT.USAGE);
    expect(text.stderr).toContain('already synced by the project');
  });
});

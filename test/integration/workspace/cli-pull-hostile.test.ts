// `cloudhpc-sync pull` against a hostile stand-in for the service (a real HTTP server on loopback in
// front of the emulator, rewriting storage names) and hostile result archives: every refused storage
// name and archive member is listed with its reason (--json) or counted (text); the honest files
// land; the exit code is 0 only when they all did.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { main } from '../../../src-main/cli/main';
import { EXIT } from '../../../src-main/cli/exit-codes';
import { ProjectRegistry } from '../../../src-main/node/project/registry';
import { buildTarGz } from '../../unit/sync/pull-helpers';
import { startHostileProxy, type HostileProxy } from './hostile-proxy';

const KEY = 'hostile-pull-key-0123456789';

let emu: Emulator;
let proxy: HostileProxy;
let root: string;

async function seed(folder: string): Promise<void> {
  await emu.seedFile(KEY, `${folder}/good.csv`, 'ok\n');
  await emu.seedFile(KEY, `${folder}/cloudhpc.log`, 'the log\n');
  await emu.seedFile(KEY, `${folder}/aux.csv`, 'a reserved device name on Windows');
  for (const n of ['a', 'b', 'c']) await emu.seedFile(KEY, `${folder}/${n}.csv`, `renamed by the stand-in: ${n}`);
  await emu.seedFile(KEY, `${folder}/FDS.tar.gz`, buildTarGz([
    { path: 'room_hrr.csv', data: 'Time,HRR\n0,0\n' },
    { path: '../escape.txt', data: 'dotdot' },
    { path: 'up', type: 'SymbolicLink', linkpath: '..' },
    { path: '/tmp/abs.txt', data: 'absolute' },
  ]));
}

function rename(folder: string): Record<string, string> {
  return { [`${folder}/a.csv`]: `${folder}/../a.csv`, [`${folder}/b.csv`]: '/etc/b.csv', [`${folder}/c.csv`]: `other-${folder}/c.csv` };
}

function project(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'input.txt'), 'the case');
  new ProjectRegistry(join(root, 'home')).add(dir);
  return dir;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = new Writable({ write(c, _e, cb) { stdout += String(c); cb(); } });
  const err = new Writable({ write(c, _e, cb) { stderr += String(c); cb(); } });
  const code = await main(args, { stdout: out, stderr: err, env: { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: proxy.url, CLOUDHPC_SYNC_HOME: join(root, 'home') } });
  return { code, stdout, stderr };
}

beforeEach(async () => {
  emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0 });
  root = mkdtempSync(join(tmpdir(), 'hostile-pull-'));
  proxy = await startHostileProxy(emu.url, { ...rename('one'), ...rename('two'), ...rename('three') });
});
afterEach(async () => {
  await proxy.close();
  await emu.stop();
  rmSync(root, { recursive: true, force: true });
});

const expectedRefusals = (folder: string): [string, string, string | null, string][] => [
  ['storage', 'aux.csv', null, 'reserved-name'],
  ['storage', '../a.csv', null, 'dot-component'],
  ['storage', '/etc/b.csv', null, 'outside-storage-folder'],
  ['storage', `other-${folder}/c.csv`, null, 'outside-storage-folder'],
  ['archive', '../escape.txt', 'FDS.tar.gz', 'dot-component'],
  ['archive', 'up', 'FDS.tar.gz', 'symlink-member'],
  ['archive', '/tmp/abs.txt', 'FDS.tar.gz', 'absolute'],
];

describe('cloudhpc-sync pull against a hostile stand-in', () => {
  it('--json lists every refused name and member with its reason; the honest files land; exit 0', async () => {
    await seed('one');
    const dir = project('one');
    const r = await cli(['pull', dir, '--json']);
    expect(r.code, r.stderr).toBe(EXIT.OK);
    const out = JSON.parse(r.stdout) as { complete: boolean; downloaded: string[]; written: string[]; refused: { source: string; name: string; archive: string | null; code: string; reason: string }[] };
    expect(out.complete).toBe(true);
    expect(out.refused.map((x) => [x.source, x.name, x.archive, x.code]).sort()).toEqual(expectedRefusals('one').sort());
    expect(out.refused.every((x) => x.reason.length > 0)).toBe(true);
    expect(out.written.sort()).toEqual(['cloudhpc.log', 'good.csv', 'room_hrr.csv']);
    expect(readFileSync(join(dir, 'good.csv'), 'utf8')).toBe('ok\n');
    expect(readdirSync(root).sort()).toEqual(['home', 'one']); // nothing written beside the case folder
  });

  it('the text output says how many were refused, and why, and exits 0', async () => {
    await seed('two');
    const dir = project('two');
    const r = await cli(['pull', dir]);
    expect(r.code, r.stderr).toBe(EXIT.OK);
    expect(r.stdout).toContain('two: pulled 3 files (3 written in the case folder, 0 conflicts');
    expect(r.stdout).toContain('Refused 7 (4 storage names, 3 archive members)');
    for (const [, name] of expectedRefusals('two')) expect(r.stdout).toContain(name);
    expect(readFileSync(join(dir, 'room_hrr.csv'), 'utf8')).toBe('Time,HRR\n0,0\n');
  });

  it('exits 6 when honest files could not be downloaded, and says so', async () => {
    await seed('three');
    const dir = project('three');
    emu.setFaults({ dropTransferRate: 1 });
    const r = await cli(['pull', dir]);
    expect(r.code).toBe(EXIT.INCOMPLETE);
    expect(r.stdout).toContain('Not pulled: 3 files could not be downloaded or put in place');
    expect(r.stdout).toContain('Refused 4 (4 storage names, 0 archive members)');
    const json = await (async () => { emu.setFaults({}); return cli(['pull', dir, '--json']); })();
    expect(json.code, json.stderr).toBe(EXIT.OK);
    expect((JSON.parse(json.stdout) as { complete: boolean }).complete).toBe(true);
  });
});

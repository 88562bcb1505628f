import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectError, ProjectRegistry, appDataDir, checkStorageName } from '../../../src-main/node/project';

describe('storage folder names', () => {
  const table: Array<[string, boolean, string?]> = [
    ['caseA', true],
    ['motorBike_v2', true],
    ['my-case.1', true],
    ['Düse', true],
    ['my case', false, 'my_case'],
    ['run,1', false, 'run_1'],
    ['run(1)', false, 'run_1'],
    ["bob's", false, 'bob_s'],
    ['cost$', false, 'cost'],
    ['~tmp', false, 'tmp'],
    ['"quoted"', false, 'quoted'],
    ['case#3', false, 'case_3'],
    ['wild*', false, 'wild'],
    ['what?', false, 'what'],
    ['a/b', false, 'a_b'],
    ['', false, 'case'],
    ['.hidden', false, 'hidden'],
    ['  (),  ', false, 'case'],
    ['tab\there', false, 'tab_here'],
  ];
  it.each(table)('%j → ok=%s suggestion=%s', (name, ok, suggestion) => {
    const r = checkStorageName(name);
    expect(r.ok).toBe(ok);
    if (!r.ok) {
      expect(r.suggestion).toBe(suggestion);
      expect(checkStorageName(r.suggestion).ok).toBe(true);
      expect(r.message).toContain(`Use "${suggestion}" instead`);
    }
  });
  it('names each offending character in the message', () => {
    const r = checkStorageName('a b#c');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/spaces.*"#"/);
  });
});

describe('app data folder', () => {
  it('honours CLOUDHPC_SYNC_HOME, then the platform default', () => {
    expect(appDataDir({ CLOUDHPC_SYNC_HOME: '/x/y' }, 'linux', '/home/u')).toBe('/x/y');
    expect(appDataDir({}, 'linux', '/home/u')).toBe('/home/u/.config/cloudhpc-sync');
    expect(appDataDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/u')).toBe('/cfg/cloudhpc-sync');
    expect(appDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/cloudHPC Sync');
    expect(appDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toContain('cloudHPC Sync');
  });
});

describe('ProjectRegistry', () => {
  let root: string;
  let home: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'reg-'));
    home = join(root, 'home');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function caseDir(name: string): string {
    const d = join(root, name);
    mkdirSync(d, { recursive: true });
    return d;
  }

  it('adds several projects, persists them and their settings, and removes them', () => {
    const reg = new ProjectRegistry(home);
    const a = reg.add(caseDir('caseA'));
    const b = reg.add(caseDir('other'), { storageFolder: 'caseB', settings: { quietPeriodMs: 500 } });
    expect(a.storageFolder).toBe('caseA');
    expect(b.settings.quietPeriodMs).toBe(500);
    expect(b.settings.massDeleteThreshold).toBe(50);
    const again = new ProjectRegistry(home);
    expect(again.list().map((p) => p.storageFolder)).toEqual(['caseA', 'caseB']);
    expect(again.findByDir(join(root, 'other'))?.id).toBe(b.id);
    again.updateSettings(a.id, { paused: true, pullMode: 'everything' });
    expect(new ProjectRegistry(home).get(a.id)?.settings).toMatchObject({ paused: true, pullMode: 'everything', extractArchives: true });
    expect(again.remove(a.id)).toBe(true);
    expect(again.list()).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(home, 'projects.json'), 'utf8')).version).toBe(1);
  });

  it('refuses an invalid default name with a suggestion', () => {
    const reg = new ProjectRegistry(home);
    let err: unknown;
    try { reg.add(caseDir('my case (v2)')); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ProjectError);
    expect((err as ProjectError).suggestion).toBe('my_case_v2');
    expect(reg.list()).toEqual([]);
  });

  it('refuses duplicate storage folders, nested folders and missing folders', () => {
    const reg = new ProjectRegistry(home);
    reg.add(caseDir('c1'), { storageFolder: 'same' });
    expect(() => reg.add(caseDir('c2'), { storageFolder: 'same' })).toThrow(/already used/);
    expect(() => reg.add(caseDir('c1/sub'))).toThrow(/inside one another/);
    expect(() => reg.add(join(root, 'nope'))).toThrow(/does not exist/);
    expect(reg.ensure(join(root, 'c1')).storageFolder).toBe('same');
  });

  it('says what to do when the project list is corrupt', () => {
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'projects.json'), '{not json');
    expect(() => new ProjectRegistry(home).list()).toThrow(/Move it away/);
  });
});

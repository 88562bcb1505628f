// Dropped paths come from the renderer and are re-checked in the main process against real files:
// exists, readable, a file or folder, not the app's own data folder (symlinks resolved).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDroppedPaths, judgeDroppedPath, MAX_DROPPED_PATHS } from '../../src-main/node/shell-policy';

let root: string;
let appData: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'drop-'));
  appData = join(root, 'appdata');
  mkdirSync(join(appData, 'projects'), { recursive: true });
  writeFileSync(join(appData, 'api-keys.enc.json'), '{}');
  mkdirSync(join(root, 'case', 'system'), { recursive: true });
  writeFileSync(join(root, 'case', 'system', 'controlDict'), 'FoamFile {}');
  writeFileSync(join(root, 'mesh.stl'), 'solid x\nendsolid x\n');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('checkDroppedPaths', () => {
  it('accepts real files and folders, once each', async () => {
    const r = await checkDroppedPaths([join(root, 'mesh.stl'), join(root, 'case'), join(root, 'mesh.stl')], appData);
    expect(r.accepted).toEqual([{ path: join(root, 'mesh.stl'), kind: 'file' }, { path: join(root, 'case'), kind: 'dir' }]);
    expect(r.refused).toEqual([]);
  });

  it('refuses missing, relative, empty, non-string and app-data paths, saying why', async () => {
    symlinkSync(join(appData, 'api-keys.enc.json'), join(root, 'innocent-looking.txt'));
    const r = await checkDroppedPaths([
      join(root, 'gone.txt'), 'relative/file.txt', '', 42, join(appData, 'api-keys.enc.json'), join(root, 'innocent-looking.txt'), root,
    ], appData);
    expect(r.accepted).toEqual([]);
    const reasons = r.refused.map((x) => x.reason);
    expect(reasons[0]).toMatch(/no longer exists/);
    expect(reasons[1]).toMatch(/no absolute path/);
    expect(reasons[2]).toMatch(/no usable path/);
    expect(reasons[3]).toMatch(/no usable path/);
    expect(reasons[4]).toMatch(/app's own data folder/);
    expect(reasons[5]).toMatch(/app's own data folder/);
    // A folder that CONTAINS the app data folder is refused too.
    expect(reasons[6]).toMatch(/app's own data folder/);
  });

  it.skipIf(process.getuid?.() === 0)('refuses an unreadable file', async () => {
    const f = join(root, 'secret.dat');
    writeFileSync(f, 'x');
    chmodSync(f, 0o000);
    const r = await checkDroppedPaths([f], appData);
    expect(r.refused[0]?.reason).toMatch(/cannot be read/);
  });

  it('refuses a pipe-like item and anything that is not an array, and bounds the count', async () => {
    expect((await checkDroppedPaths('/etc/passwd', appData)).refused[0]?.reason).toMatch(/Nothing usable/);
    const many = Array.from({ length: MAX_DROPPED_PATHS + 1 }, () => join(root, 'mesh.stl'));
    expect((await checkDroppedPaths(many, appData)).refused[0]?.reason).toMatch(/Too many items/);
    const dev = await checkDroppedPaths(['/dev/null'], appData);
    expect(dev.refused[0]?.reason).toMatch(/not a regular file or folder/);
  });
});

describe('judgeDroppedPath (the pure rule)', () => {
  it('an unreadable file is refused with what to do', () => {
    expect(judgeDroppedPath({ path: '/data/a.txt', exists: true, readable: false, kind: 'file', realPath: '/data/a.txt' }, '/home/u/.config/cloudhpc-sync')).toEqual({ ok: false, path: '/data/a.txt', reason: '/data/a.txt cannot be read: check its permissions.' });
  });
});

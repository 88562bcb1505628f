// Issue 16, hole 4: names that are not valid UTF-8 (a Latin-1 'été', bytes FF FE) are never lost
// silently: the push lists them as "cannot be synced" with the reason (typed, in --json and in the
// UI's project state), never says "up to date" while they are left out, and a folder with such a name
// does not make the push wait for its timeout.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import type { ProjectView } from '../../../src-main/common/contract';
import { AppCore } from '../../../src-main/node/app/app-core';
import { EXIT } from '../../../src-main/cli/exit-codes';
import { cliHere } from '../workspace/helpers';

const KEY = 'utf8-names-key-0123456789';
const LATIN1_ETE = Buffer.from([0xe9, 0x74, 0xe9, 0x2e, 0x74, 0x78, 0x74]); // 'été.txt' in Latin-1
const FF_FE = Buffer.from([0xff, 0xfe]);

function hostileCase(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'input.txt'), 'a valid name');
  writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), LATIN1_ETE]), 'latin-1 name');
  const folder = Buffer.concat([Buffer.from(`${dir}/`), FF_FE]);
  mkdirSync(folder);
  writeFileSync(Buffer.concat([folder, Buffer.from('/inner.txt')]), 'inside a folder with a bad name');
  return dir;
}

describe('names that are not valid UTF-8', () => {
  let emu: Emulator;
  let root: string;
  beforeEach(async () => {
    emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0 });
    root = mkdtempSync(join(tmpdir(), 'utf8-names-'));
  });
  afterEach(async () => {
    await emu.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('push --json lists them as cannot be synced, pushes the rest, exits 6 without waiting for its timeout', async () => {
    const dir = hostileCase(root, 'caseA');
    const started = Date.now();
    const r = await cliHere(['push', dir, '--json', '--timeout', '20'], { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url, CLOUDHPC_SYNC_HOME: join(root, 'home') });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.code, r.stderr).toBe(EXIT.INCOMPLETE);
    expect(r.stdout).not.toMatch(/up to date/i);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { leftOut: { path: string; code: string; reason: string }[] };
    expect(out.leftOut.map((x) => [x.path, x.code]).sort()).toEqual([['\\xE9t\\xE9.txt', 'name-not-utf8'], ['\\xFF\\xFE', 'name-not-utf8']]);
    expect(out.leftOut.every((x) => /UTF-8/.test(x.reason))).toBe(true);
    expect(Object.keys(await emu.files(KEY, 'caseA'))).toEqual(['upload.tar.gz']); // input.txt, in the first push's archive
    // the text form says it too
    const again = await cliHere(['push', dir], { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url, CLOUDHPC_SYNC_HOME: join(root, 'home') });
    expect(again.code).toBe(EXIT.INCOMPLETE);
    expect(again.stdout + again.stderr).toMatch(/2 items cannot be synced/);
    expect(again.stdout).not.toMatch(/up to date/i);
  }, 60_000);

  it("the UI's project state lists them (typed) and does not say up to date", async () => {
    const dir = hostileCase(root, 'caseB');
    const core = await AppCore.create({ transport: 'headless', home: join(root, 'home2'), env: { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url }, useKeychain: false, cliKeyFile: join(root, 'none') });
    try {
      const seen = new Promise<ProjectView>((resolve) => {
        core.onEvent((e) => {
          if (e.name === 'projectState' && e.payload.state === 'idle' && e.payload.lastPushAt !== null && e.payload.leftOut.length > 0) resolve(e.payload);
        });
      });
      await core.start();
      const added = await core.call('addProject', { dir });
      expect(added.ok).toBe(true);
      const view = await seen;
      expect(view.leftOut.map((x) => x.code)).toEqual(['name-not-utf8', 'name-not-utf8']);
      expect(view.stateText).not.toMatch(/up to date/i);
      expect(view.stateText).toMatch(/cannot be synced/);
    } finally {
      await core.stop();
    }
  }, 60_000);
});

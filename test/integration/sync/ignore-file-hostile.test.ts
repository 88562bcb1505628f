// Issue 16, hole 6: a .cloudhpcignore that is a FIFO or a symlink to /dev/zero never blocks the
// process (push, watch) nor makes it read without end: it is lstat'ed and read only when it is a
// regular file under a size cap; otherwise a clear error, and the process still stops on SIGTERM.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { EXIT } from '../../../src-main/cli/exit-codes';
import { IgnoreFileError, IgnoreRules } from '../../../src-main/node/sync/ignore-rules';
import { spawnCli } from './cli-helpers';

const KEY = 'ignore-file-key-0123456789';

/** Resolves with the child's result, or with null when it did not end within ms (then it is killed). */
async function within(run: ReturnType<typeof spawnCli>, ms: number) {
  const timer = setTimeout(() => run.child.kill('SIGKILL'), ms);
  const r = await run.done;
  clearTimeout(timer);
  return r.signal === 'SIGKILL' ? null : r;
}

describe('.cloudhpcignore that is not a regular file', () => {
  let emu: Emulator;
  let root: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0 });
    root = mkdtempSync(join(tmpdir(), 'ignore-hostile-'));
    env = { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: emu.url, CLOUDHPC_SYNC_HOME: join(root, 'home') };
  });
  afterAll(async () => {
    await emu.stop();
    rmSync(root, { recursive: true, force: true });
  });

  function fifoCase(name: string): string {
    const dir = join(root, name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'input.txt'), 'x');
    execFileSync('mkfifo', [join(dir, '.cloudhpcignore')]);
    return dir;
  }

  it('push: a FIFO is refused at once with a clear error (no open() that never returns)', async () => {
    const r = await within(spawnCli(['push', fifoCase('fifoPush'), '--timeout', '60'], env), 30_000);
    expect(r, 'push blocked on the FIFO').not.toBeNull();
    expect(r?.code).toBe(EXIT.FAILURE);
    expect(r?.stderr).toMatch(/\.cloudhpcignore is not a regular file/);
  }, 60_000);

  it('watch: stays responsive (says what is wrong) and stops on SIGTERM', async () => {
    const run = spawnCli(['watch', fifoCase('fifoWatch')], env);
    let said = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`watch said nothing about the ignore file within 30 s: ${said}`)), 30_000);
      const look = (d: Buffer): void => {
        said += d.toString();
        if (/\.cloudhpcignore is not a regular file/.test(said)) { clearTimeout(t); resolve(); }
      };
      run.child.stdout?.on('data', look);
      run.child.stderr?.on('data', look);
    }).catch(async (e: unknown) => { run.child.kill('SIGKILL'); await run.done; throw e; });
    run.child.kill('SIGTERM');
    const r = await within(run, 15_000);
    expect(r, 'watch ignored SIGTERM').not.toBeNull();
    expect(r?.code).toBe(EXIT.OK);
  }, 60_000);

  it('a symlink to /dev/zero, a folder and an oversized file are refused without reading them', () => {
    const dir = join(root, 'others');
    mkdirSync(dir);
    symlinkSync('/dev/zero', join(dir, '.cloudhpcignore'));
    expect(() => IgnoreRules.load(dir)).toThrow(IgnoreFileError);
    rmSync(join(dir, '.cloudhpcignore'));
    mkdirSync(join(dir, '.cloudhpcignore'));
    expect(() => IgnoreRules.load(dir)).toThrow(/not a regular file/);
    rmSync(join(dir, '.cloudhpcignore'), { recursive: true });
    writeFileSync(join(dir, '.cloudhpcignore'), Buffer.alloc(2 * 1024 * 1024, 0x61));
    expect(() => IgnoreRules.load(dir)).toThrow(/larger than/);
    writeFileSync(join(dir, '.cloudhpcignore'), '*.tmp\n');
    expect(IgnoreRules.load(dir).ignores('a.tmp')).toBe(true);
  });
});

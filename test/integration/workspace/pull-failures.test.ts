// Issue 16, hole 5: a pull that could not bring results exits non-zero, lists every failure in --json
// with its real cause as a code (disk full, permission, network, too large), and says it in words
// (never "check the connection" for a full disk). The case sits on a 1 MiB tmpfs to fill the disk;
// a stand-in for the service points the download link at a body that never ends.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { EXIT } from '../../../src-main/cli/exit-codes';
import { ProjectRegistry } from '../../../src-main/node/project/registry';
import { startEndless, startRewriter, type Endless, type Rewriter } from '../../hostile/servers';
import { cliHere } from './helpers';

const KEY = 'pull-failures-key-0123456789';

interface PullJson { complete: boolean; failed: { name: string; code: string; message: string }[] }

/** A 1 MiB tmpfs at `dir`, or why it cannot be mounted here (then the disk-full case is skipped). */
function mountTmpfs(dir: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (e) {
    return `cannot mount a tmpfs here (${(e as Error).message.split('\n')[0]}): needs root`;
  }
}

describe('a pull that fails says so, with the real cause', () => {
  let emu: Emulator;
  let endless: Endless;
  let rewriter: Rewriter;
  let root: string;
  let disk: string;
  let mountProblem: string | null;
  beforeAll(async () => {
    emu = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0 }], timeScale: 0 });
    endless = await startEndless(256 * 1024 * 1024);
    // through this stand-in, view-url answers with a link to a body that never ends
    rewriter = await startRewriter(new URL(emu.url).origin, (_m, url) => (url.includes('/storage/view-url/') ? { response: { mediaLink: `${endless.origin}/gcs/endless` } } : undefined));
    root = mkdtempSync(join(tmpdir(), 'pull-failures-'));
    disk = join(root, 'disk');
    mkdirSync(disk);
    mountProblem = mountTmpfs(disk);
    await emu.clock.advance(2);
  });
  afterAll(async () => {
    if (!mountProblem) execFileSync('umount', [disk]);
    await rewriter.close();
    await endless.close();
    await emu.stop();
    rmSync(root, { recursive: true, force: true });
  });
  const env = (url = emu.url) => ({ CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: url, CLOUDHPC_SYNC_HOME: join(root, 'home') });

  it('a full disk: exit 6, --json lists the file with code disk-full and says the disk is full', async (t) => {
    if (mountProblem) t.skip(mountProblem);
    const dir = join(disk, 'full');
    mkdirSync(dir);
    writeFileSync(join(dir, 'room.fds'), '&HEAD /\n');
    new ProjectRegistry(join(root, 'home')).add(dir);
    await emu.seedFile(KEY, 'full/cloudhpc.log', Buffer.alloc(3 * 1024 * 1024, 0x41));
    await emu.clock.advance(2);
    const r = await cliHere(['pull', dir, '--json'], env());
    expect(r.code, r.stderr).toBe(EXIT.INCOMPLETE);
    const out = JSON.parse(r.stdout) as PullJson;
    expect(out.complete).toBe(false);
    expect(out.failed.map((f) => [f.name, f.code])).toEqual([['cloudhpc.log', 'disk-full']]);
    expect(out.failed[0]?.message).toMatch(/disk .*is full/);
    expect(out.failed[0]?.message).not.toMatch(/connection/);
    expect(readdirSync(dir).sort()).toEqual(['.cloudhpc-sync', 'room.fds']);
    const text = await cliHere(['pull', dir], env());
    expect(text.code).toBe(EXIT.INCOMPLETE);
    expect(text.stdout).toMatch(/cloudhpc\.log: .*disk .*is full/);
  }, 60_000);

  it('an endless body: the download stops at the listed size plus a margin; exit 6 with code too-large', async () => {
    const dir = join(root, 'endless');
    mkdirSync(dir);
    writeFileSync(join(dir, 'room.fds'), '&HEAD /\n');
    new ProjectRegistry(join(root, 'home')).add(dir);
    await emu.seedFile(KEY, 'endless/cloudhpc.log', 'a short log\n');
    await emu.clock.advance(2);
    const r = await cliHere(['pull', dir, '--json'], env(`${rewriter.origin}${new URL(emu.url).pathname}`));
    expect(r.code, r.stderr).toBe(EXIT.INCOMPLETE);
    const out = JSON.parse(r.stdout) as PullJson;
    expect(out.failed.map((f) => [f.name, f.code])).toEqual([['cloudhpc.log', 'too-large']]);
    expect(endless.sent).toBeLessThan(64 * 1024 * 1024);
    expect(readdirSync(dir).sort()).toEqual(['.cloudhpc-sync', 'room.fds']);
  }, 60_000);

  it('the storage browser too: get of a file whose body never ends stops at its listed size; exit 6 with code too-large', async () => {
    await emu.seedFile(KEY, 'browsed/results.csv', 'a,b\n1,2\n');
    await emu.clock.advance(2);
    // the storage root was listed by the pulls above: the service's listing cache is dropped, as a refresh does
    expect((await fetch(`${emu.url}/user/delete-cache`, { method: 'DELETE', headers: { 'X-API-key': KEY } })).status).toBe(200);
    const dest = join(root, 'got');
    const before = endless.sent;
    const r = await cliHere(['get', 'browsed/results.csv', dest, '--json'], env(`${rewriter.origin}${new URL(emu.url).pathname}`));
    expect(r.code, r.stderr).toBe(EXIT.INCOMPLETE);
    const out = JSON.parse(r.stdout) as PullJson;
    expect(out.complete).toBe(false);
    expect(out.failed.map((f) => [f.name, f.code])).toEqual([['results.csv', 'too-large']]);
    expect(endless.sent - before).toBeLessThan(64 * 1024 * 1024);
    expect(readdirSync(dest).filter((n) => n === 'results.csv')).toEqual([]);
  }, 60_000);
});

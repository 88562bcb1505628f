// kill -9 of a pull at many points: the case folder never holds a torn or foreign file, and the
// next pull completes to exactly the cloud's results, with no conflict copy and nothing lost.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { IndexStore } from '../../../src-main/node/sync/index-store';
import { pullProject } from '../../../src-main/node/sync/pull/pull';
import { buildTarGz } from '../../unit/sync/pull-helpers';

const KEY = 'pull-kill-key';
const repo = path.resolve(__dirname, '../../..');
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('kill -9 during a pull', () => {
  let emu: Emulator;
  let root: string;
  const expected: Record<string, string> = {};

  beforeAll(async () => {
    emu = await startEmulator({ apiKey: KEY, timeScale: 0 });
    root = await mkdtemp(path.join(os.tmpdir(), 'pull-kill-'));
    const members = [];
    for (let i = 0; i < 400; i++) {
      const rel = `out/d${i % 10}/m${i}.csv`;
      const data = `member ${i}\n`.repeat(50 + (i % 7) * 30);
      members.push({ path: rel, data });
      expected[rel] = sha(data);
    }
    await emu.seedFile(KEY, 'case/FDS.tar.gz', buildTarGz(members));
    const log = 'log line\n'.repeat(20_000);
    await emu.seedFile(KEY, 'case/cloudhpc.log', log);
    expected['cloudhpc.log'] = sha(log);
    expected['room.fds'] = sha('&HEAD /\n');
    await emu.clock.advance(2); // past the files' first second (their mediaLink is empty until then)
  });

  afterAll(async () => {
    await emu?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  // The case's files, the app's own folder left out (never walked: a pull removes its temp folders
  // there, also those of a killed pull, while this looks).
  const caseFiles = async (project: string): Promise<string[]> => {
    const out: string[] = [];
    for (const top of await readdir(project, { withFileTypes: true })) {
      if (top.name === '.cloudhpc-sync') continue;
      if (top.isFile()) out.push(top.name);
      else if (top.isDirectory()) {
        for (const e of await readdir(path.join(project, top.name), { recursive: true, withFileTypes: true })) {
          if (e.isFile()) out.push(path.relative(project, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
        }
      }
    }
    return out;
  };

  it('leaves no torn file at 12 kill points and the next pull completes exactly', async () => {
    const project = path.join(root, 'case');
    await mkdir(project);
    await writeFile(path.join(project, 'room.fds'), '&HEAD /\n');
    const indexPath = path.join(root, 'index.sqlite');
    // Kill when this many case files exist (0: while downloading, before any is placed).
    const points = [0, 1, 3, 10, 30, 60, 100, 150, 220, 300, 380, 401];
    let finishedRuns = 0;
    for (const threshold of points) {
      emu.setFaults(threshold === 0 ? { transferBytesPerSec: 200_000 } : {});
      // node itself with tsx as a loader: the process killed is the one that pulls (the tsx command would
      // be a wrapper whose node child goes on pulling after the kill)
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'pull-child.ts')], {
        cwd: repo,
        env: { ...process.env, PULL_EMU_URL: emu.url, PULL_KEY: KEY, PULL_PROJECT: project, PULL_INDEX: indexPath },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      let exitedEarly = false;
      void exited.then(() => (exitedEarly = true));
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (exitedEarly) break;
        const files = await caseFiles(project);
        const downloading = threshold === 0 && (await readdir(path.join(project, '.cloudhpc-sync', 'pull-tmp'), { recursive: true }).catch(() => [])).some((n) => String(n).includes('download-'));
        if (downloading || (threshold > 0 && files.length >= threshold)) break;
        if (Date.now() > deadline) throw new Error(`kill point ${threshold} never reached`);
        await new Promise((r) => setTimeout(r, 2));
      }
      if (!exitedEarly) child.kill('SIGKILL');
      const code = await exited;
      if (code === 0) finishedRuns++;
      // Invariant at every instant: each case file is complete and holds the cloud's (or the user's) content.
      for (const rel of await caseFiles(project)) {
        expect(expected[rel], `unexpected file ${rel} (kill point ${threshold})`).toBeDefined();
        expect(sha(await readFile(path.join(project, rel))), `torn ${rel} (kill point ${threshold})`).toBe(expected[rel]);
      }
      if (code === 0) expect(out).toContain('"conflicts":0');
    }
    expect(finishedRuns).toBeLessThan(points.length); // the kills did land mid-pull

    const client = new CloudHpcClient({ baseUrl: emu.url, apiKey: KEY });
    const index = IndexStore.open(indexPath);
    try {
      const r = await pullProject({ client, index, projectDir: project, storageFolder: 'case', settings: { script: 'fds6.9.1' } });
      expect(r.conflicts).toEqual([]);
      expect(r.failed).toEqual([]);
      const files = (await caseFiles(project)).sort();
      expect(files).toEqual(Object.keys(expected).sort());
      for (const rel of files) expect(sha(await readFile(path.join(project, rel)))).toBe(expected[rel]);
      for (const rel of Object.keys(expected).filter((k) => k !== 'room.fds')) expect(index.get(rel)).toMatchObject({ origin: 'pulled', sha256: expected[rel] });
      // And then nothing is left to do.
      const again = await pullProject({ client, index, projectDir: project, storageFolder: 'case', settings: { script: 'fds6.9.1' } });
      expect(again.downloaded).toEqual([]);
    } finally {
      index.close();
      await client.close();
    }
  });
});

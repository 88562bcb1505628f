// kill -9 of `cloudhpc-sync push` at many points (chosen by the number of API calls the emulator has
// seen, plus a random delay), then a restart: the cloud ends identical to the local case, and no file
// recorded as pushed before the kill is uploaded again.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IndexStore } from '../../../src-main/node/sync/index-store';
import { spawnCli } from './cli-helpers';
import { type Env, KEY, invariantViolations, localDigests, startEnv, startSimulation } from './harness';
import { seededRandom as rng } from '../../../emulator/util';

const POINTS = Number(process.env.SYNC_KILL_POINTS ?? 20);


let env: Env;
beforeAll(async () => { env = await startEnv(); });
afterAll(async () => { await env.close(); });

const uploads = (): number => env.emu.calls(KEY).byEndpoint['POST /storage/upload-url'] ?? 0;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function killAt(dir: string, targetCalls: number, extraMs: number): Promise<{ killed: boolean }> {
  const start = env.emu.calls(KEY).total;
  const { child, done } = spawnCli(['push', dir], { CLOUDHPC_API_KEY: KEY, CLOUDHPC_API_URL: env.emu.url, CLOUDHPC_SYNC_HOME: env.home });
  let finished = false;
  void done.then(() => { finished = true; });
  const deadline = Date.now() + 30_000;
  while (!finished && env.emu.calls(KEY).total - start < targetCalls && Date.now() < deadline) await sleep(2);
  if (extraMs > 0 && !finished) await sleep(extraMs);
  const killed = !finished;
  if (killed) child.kill('SIGKILL');
  const r = await done;
  if (!killed) expect(r.code, r.stderr).toBe(0);
  return { killed };
}

describe('kill -9 during a push, then restart', () => {
  it(`converges without re-pushing recorded files (${POINTS} kill points)`, async () => {
    const r = rng(4242);
    let kills = 0;
    const failures: string[] = [];
    for (let point = 0; point < POINTS; point++) {
      const name = `kill${point}`;
      const dir = env.caseDir(name);
      const snapshotCase = point % 2 === 0;
      for (let i = 0; i < 12; i++) {
        mkdirSync(join(dir, `p${i % 3}`), { recursive: true });
        writeFileSync(join(dir, `p${i % 3}`, `f${i}.bin`), randomBytes(snapshotCase ? 40_000 : 2_000));
      }
      const project = env.registry.add(dir, { settings: { quietPeriodMs: 0, maxSingleCalls: 100, massDeleteThreshold: 1000, massDeleteRatio: 1 } });
      let changed: string[] = [];
      if (snapshotCase) {
        // The first push (one snapshot), slowed down so kills land before, during and after its PUT.
        env.emu.setFaults({ transferBytesPerSec: 400_000 });
      } else {
        await env.service.ensurePushed(project.id);
        await startSimulation(env, project.id, name);
        // Singles: 2 calls to remove the extracted archive, one per upload, two per deletion.
        for (let i = 0; i < 5; i++) writeFileSync(join(dir, `p${i % 3}`, `f${i}.bin`), randomBytes(3_000));
        writeFileSync(join(dir, 'p0', 'new1.bin'), randomBytes(100));
        writeFileSync(join(dir, 'new2.bin'), randomBytes(100));
        rmSync(join(dir, 'p2', 'f11.bin'));
        rmSync(join(dir, 'p1', 'f10.bin'));
        changed = ['p0/f0.bin', 'p1/f1.bin', 'p2/f2.bin', 'p0/f3.bin', 'p1/f4.bin', 'p0/new1.bin', 'new2.bin'];
        await env.restart();
      }
      const expectedCalls = snapshotCase ? 2 : 2 + changed.length + 4 + 1;
      const target = Math.floor(r() * expectedCalls);
      const extra = Math.floor(r() * (snapshotCase ? 600 : 40));
      const { killed } = await killAt(dir, target, extra);
      env.emu.setFaults({});
      if (killed) kills++;

      // What the killed process had recorded.
      const idx = IndexStore.open(env.registry.indexPath(project.id));
      const local = localDigests(dir);
      let recorded: number;
      let toUpload: number;
      if (snapshotCase) {
        recorded = idx.archive().present ? 1 : 0;
        toUpload = 1 - recorded;
      } else {
        recorded = changed.filter((p) => idx.get(p)?.storageSha256 === local[p]?.sha256).length;
        toUpload = changed.length - recorded;
      }
      idx.close();

      await env.restart();
      const before = uploads();
      await env.service.ensurePushed(project.id, { timeoutMs: 30_000 });
      const again = uploads() - before;
      const sim = await startSimulation(env, project.id, name);
      const v = invariantViolations(localDigests(dir), sim.files);
      if (again !== toUpload || v.length) {
        failures.push(`point ${point} (target ${target} calls + ${extra} ms, killed=${killed}): uploads after restart ${again}, expected ${toUpload} (recorded ${recorded}); ${v.join('; ')}`);
      }
    }
    expect(failures).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(Math.min(POINTS, 20) * 0.9);
  }, 600_000);
});

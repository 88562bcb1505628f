// A 3,000-file case pushed through 20% injected API failures, dropped replies and dropped
// transfers, with one file being appended to while the push runs: the push completes, and the run
// sees exactly the local case (the appended file in its final, settled version).
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Env, invariantViolations, localDigests, startEnv, startSimulation } from './harness';

let env: Env;
beforeAll(async () => { env = await startEnv(); });
afterAll(async () => { await env.close(); });

describe('push under injected faults', () => {
  it('a 3,000-file case completes with 20% failures and dropped connections', async () => {
    const dir = env.caseDir('faulty');
    for (let i = 0; i < 3000; i++) {
      const d = join(dir, `processor${i % 30}`, `t${i % 7}`);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, `field${i}`), `value ${i} ${'z'.repeat(i % 200)}\n`);
    }
    writeFileSync(join(dir, 'log.txt'), 'start\n');
    const project = env.service.addProject(dir, { settings: { quietPeriodMs: 250, maxSingleCalls: 30 } });
    env.emu.setFaults({ error500Rate: 0.2, dropReplyRate: 0.1, dropTransferRate: 0.2, seed: 11 });

    let appending = true;
    const appender = (async () => {
      for (let n = 0; n < 50 && appending; n++) {
        appendFileSync(join(dir, 'log.txt'), `line ${n}\n`);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const pushed = env.service.ensurePushed(project.id, { timeoutMs: 240_000 });
    await appender;
    appending = false;
    await pushed;

    // Then a handful of edits go out one by one, still under faults.
    for (let i = 0; i < 12; i++) writeFileSync(join(dir, `processor${i}`, `t${i % 7}`, `field${i}`), `edited ${i}\n`);
    const r = await env.service.ensurePushed(project.id, { timeoutMs: 240_000 });
    expect(r.clean).toBe(true);

    env.emu.setFaults({});
    const sim = await startSimulation(env, project.id, 'faulty');
    expect(invariantViolations(localDigests(dir), sim.files)).toEqual([]);
    expect(Object.keys(sim.files).length).toBeGreaterThanOrEqual(3001);
  }, 300_000);
});

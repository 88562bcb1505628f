// The shared call budget against the emulator's real counters (30 calls/hour, the 'evidence'
// profile: 403 refusals, sliding 60-minute window): background work pauses at the reserve while a
// user action still gets through, and resumes as the window frees the slots of its own calls.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallBudget } from '../../../src-main/node/api/budget';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { KEY, fastRetry, harness, until, type Harness } from './helpers';

let h: Harness;
beforeEach(async () => {
  // start in the middle of an hour so the window does not end under the test
  const start = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 10 * 60_000);
  h = await harness({ keys: [{ key: KEY, hourlyLimit: 30 }], startTime: start, durations: { pendingSeconds: 100_000 } });
  await h.emu.seedFile(KEY, 'caseA/input.fds', '&HEAD /');
});
afterEach(async () => h.close());

function matchesEmulator(): void {
  const s = h.budget.state();
  const c = h.emu.calls(KEY);
  expect(s.known).toBe(true);
  expect(s.hourlyLimit).toBe(30);
  expect(s.hourlyUsed).toBe(c.hourly);
  expect(s.dailyUsed).toBe(c.daily);
  expect(s.hourlyLeft).toBe(30 - c.hourly);
  expect(s.summary).toContain(`${30 - c.hourly} of 30 API calls left this hour`);
}

describe('call budget with a 30 calls/hour limit (403 form, sliding window)', () => {
  it('pauses background work at the reserve, lets a user stop through, resumes as the sliding window frees slots; nothing lost', async () => {
    const t0 = h.emu.clock.now().getTime();
    const id = await h.client.addSimulation({ cpu: 1, ram: 'standard', script: 'fds6.9.1', folder: 'caseA' }, { priority: 'user' });
    matchesEmulator(); // the add cost 2 calls: the "before" snapshot and the add
    expect(h.emu.calls(KEY).hourly).toBe(2);
    await h.emu.clock.advance(600);
    const t1 = h.emu.clock.now().getTime();

    // background polling: 40 polls wanted, 8 at a time
    let done = 0;
    let failed = 0;
    let started = 0;
    const worker = async () => {
      while (started < 40) {
        started++;
        try {
          await h.client.viewShort(id, { priority: 'background' });
          done++;
        } catch {
          failed++;
        }
      }
    };
    const workers = Array.from({ length: 8 }, () => worker());

    // reserve is 5 (10% of 30, at least 5): background stops at 25 used, before the service refuses anything
    await until(() => h.budget.state().waiting > 0 && done === 23, 10_000, 'background to pause at the reserve');
    expect(h.emu.calls(KEY).hourly).toBe(25);
    expect(done).toBe(23);
    expect(failed).toBe(0);
    matchesEmulator();
    const paused = h.budget.state();
    // the first slot frees 60 minutes (and the safety margin) after the first call, not at the full hour
    expect(paused.pausedUntil).toBe(t0 + 3_605_001);
    expect(paused.summary).toMatch(/paused until/);

    // the user stops the run: it goes through the reserve at once
    expect(await h.client.stopSimulation(id, 'SIGTSTP', { priority: 'user' })).toBe(true);
    expect(h.emu.calls(KEY).hourly).toBe(26);
    matchesEmulator();
    expect(done).toBe(23); // background still waits
    expect(h.budget.state().waiting).toBeGreaterThan(0);

    // the two calls made at t0 leave the service's sliding window: one slot above the reserve again
    await h.emu.clock.advance((t0 + 3_606_000 - h.emu.clock.now().getTime()) / 1000);
    h.budget.recheck();
    await until(() => done === 24 && h.budget.state().waiting > 0, 10_000, 'one more background call, then the reserve again');
    expect(h.emu.calls(KEY).hourly).toBe(25);
    matchesEmulator();

    // the calls made at t1 leave it too: the rest goes
    await h.emu.clock.advance((t1 + 3_606_000 - h.emu.clock.now().getTime()) / 1000);
    h.budget.recheck();
    await Promise.all(workers);
    expect(done).toBe(40);
    expect(failed).toBe(0);
    expect(h.emu.calls(KEY).hourly).toBe(17);
    expect(h.emu.calls(KEY).byEndpoint['GET /simulation/view-short/{id}']).toBe(40);
    matchesEmulator();
    expect(h.budget.state()).toMatchObject({ waiting: 0, pausedUntil: null });
  });

  it('background work refused by the service (another app spent the budget) waits instead of failing', async () => {
    // another device with its own budget spends the whole hour
    const other = new CloudHpcClient({ baseUrl: h.emu.url, apiKey: KEY, budget: new CallBudget(), retry: fastRetry });
    for (let i = 0; i < 30; i++) await other.viewRam({ priority: 'user' });
    await other.close();
    expect(h.emu.calls(KEY).hourly).toBe(30);

    // our budget has seen no header yet: the first background call is refused, then waits
    const p = h.client.viewCpu({ priority: 'background' });
    let settled = false;
    p.then(() => (settled = true), () => (settled = true));
    await until(() => h.budget.state().waiting > 0 || h.budget.state().pausedUntil !== null, 10_000, 'the refusal to pause background');
    expect(h.budget.state().pausedUntil).not.toBeNull();
    expect(h.budget.state().hourlyLeft).toBe(0);
    await until(() => h.budget.state().waiting === 1, 5_000, 'the background call to wait');
    expect(settled).toBe(false);

    await h.emu.clock.advance(3_600);
    h.budget.recheck();
    expect(await p).toContain(4);
    expect(h.emu.calls(KEY).hourly).toBe(1);
    matchesEmulator();
  });
});

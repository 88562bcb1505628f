// Safe retries under injected faults: idempotent calls are retried blindly and a long sequence
// completes; simulation/add is never sent twice blindly and creates exactly one simulation.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEY, harness, type Harness } from './helpers';

let h: Harness;
beforeEach(async () => {
  h = await harness({ pageSize: 5 }, { retry: { baseDelayMs: 2, maxDelayMs: 20, maxAttempts: 10, maxElapsedMs: 30_000, maxRetryAfterMs: 30_000 } });
  await h.emu.seedFile(KEY, 'caseA/input.fds', '&HEAD /');
  await h.emu.seedFile(KEY, 'caseA/sub/b.txt', 'b');
});
afterEach(async () => h.close());

describe('retries', () => {
  it('200 calls complete with 20% HTTP 500 and 20% dropped replies', async () => {
    const id = await h.client.addSimulation({ cpu: 1, ram: 'standard', script: 'fds6.9.1', folder: 'caseA' });
    h.emu.setFaults({ error500Rate: 0.2, dropReplyRate: 0.2, seed: 7 });
    const before = h.emu.calls(KEY).total;
    let ok = 0;
    for (let i = 0; i < 200; i++) {
      switch (i % 5) {
        case 0: expect(await h.client.viewCpu()).toContain(1); break;
        case 1: expect((await h.client.indexShort(1)).map((s) => s.id)).toEqual([id]); break;
        case 2: expect((await h.client.viewShort(id)).folder).toBe('caseA'); break;
        case 3: expect((await h.client.storageIndex(1)).map((s) => s.name)).toEqual(['caseA']); break;
        default: expect((await h.client.viewByPath('caseA/sub/b.txt')).basename).toBe('b.txt');
      }
      ok++;
    }
    expect(ok).toBe(200);
    const spent = h.emu.calls(KEY).total - before;
    expect(spent).toBeGreaterThan(250); // faults really happened and were retried
    expect(h.logs.some((l) => /HTTP 500 server/.test(l))).toBe(true);
    expect(h.logs.some((l) => /failed after/.test(l))).toBe(true);
    // the budget's count agrees with the service's, lost replies included
    expect(h.budget.state().hourlyUsed).toBe(h.emu.calls(KEY).hourly);
  });

  it('simulation/add with its reply dropped creates exactly one simulation and returns its id', async () => {
    h.emu.setFaults({ dropReplyFor: ['POST /simulation/add'] });
    const id = await h.client.addSimulation({ cpu: 2, ram: 'standard', script: 'fds6.9.1', folder: 'caseA' });
    const sims = h.emu.simulations(KEY);
    expect(sims.map((s) => s.id)).toEqual([id]);
    expect(h.emu.calls(KEY).byEndpoint['POST /simulation/add']).toBe(1);
    // snapshot before, the add, the check after the lost reply
    expect(h.emu.calls(KEY).byEndpoint['GET /simulation/index-short/{field}/{order}/{page}']).toBe(2);
    expect(h.logs.some((l) => /outcome unknown/.test(l))).toBe(true);

    // the same launch again (no fault) really starts a second one: the dedup is not over-eager
    const id2 = await h.client.addSimulation({ cpu: 2, ram: 'standard', script: 'fds6.9.1', folder: 'caseA' });
    expect(id2).not.toBe(id);
    expect(h.emu.simulations(KEY)).toHaveLength(2);
  });

  it('five launches under 20% HTTP 500 and dropped replies make exactly five simulations', async () => {
    h.emu.setFaults({ error500Rate: 0.2, dropReplyRate: 0.2, seed: 3 });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await h.client.addSimulation({ cpu: 1, ram: 'standard', script: 'fds6.9.1', folder: 'caseA' }));
    h.emu.setFaults({});
    expect(new Set(ids).size).toBe(5);
    expect(h.logs.filter((l) => /outcome unknown/.test(l)).length).toBeGreaterThan(0); // the check-before-resend path ran
    expect(h.emu.simulations(KEY).map((s) => s.id).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
  });
});

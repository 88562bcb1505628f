import { describe, expect, it } from 'vitest';
import type { PullResult } from '../../../src-main/node/sync/pull/pull';
import { PullScheduler, type SchedulerClock } from '../../../src-main/node/sync/pull/scheduler';

function result(downloaded: string[]): PullResult {
  return { downloaded, extracted: [], conflicts: [], refused: [], keptLocal: [], failed: [], warnings: [], upToDate: 0, apiCalls: 1, plan: { strategy: 'listing', lookupCalls: 1, names: [], reason: '' } };
}

function manualClock() {
  let now = 0;
  const timers: { at: number; fn: () => void; live: boolean }[] = [];
  const clock: SchedulerClock = {
    now: () => now,
    setTimer: (fn, ms) => {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return { cancel: () => (t.live = false) };
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => x.live && x.at <= now).sort((a, b) => a.at - b.at)) {
      t.live = false;
      t.fn();
    }
  };
  return { clock, advance, live: () => timers.filter((t) => t.live).length };
}

const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('PullScheduler', () => {
  it('never runs two pulls of a project at once; requests during a pull coalesce into one', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const gates: (() => void)[] = [];
    const s = new PullScheduler({
      clock: manualClock().clock,
      pull: async () => {
        running++;
        runs++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((r) => gates.push(r));
        running--;
        return result([]);
      },
    });
    const a = s.pullNow();
    await flush();
    const b = s.pullNow();
    const c = s.onTerminal();
    expect(b).toBe(c);
    gates.shift()!();
    await a;
    await flush();
    gates.shift()!();
    await b;
    expect(runs).toBe(2);
    expect(maxRunning).toBe(1);
  });

  it('after SYNC pulls at 2, 5 and 10 minutes until something new arrives', async () => {
    const m = manualClock();
    const answers = [[], ['FDS.tar.gz']];
    const reasons: string[] = [];
    const s = new PullScheduler({ clock: m.clock, pull: async (reason) => (reasons.push(reason), result(answers.shift() ?? [])) });
    s.afterSync();
    expect(s.nextRetryAt()).toBe(120_000);
    m.advance(60_000);
    await flush();
    expect(reasons).toEqual([]);
    m.advance(60_000);
    await flush();
    expect(reasons).toEqual(['sync-retry']);
    expect(s.nextRetryAt()).toBe(300_000);
    m.advance(180_000);
    await flush();
    expect(reasons).toEqual(['sync-retry', 'sync-retry']);
    expect(s.nextRetryAt()).toBeNull();
    expect(m.live()).toBe(0);
    m.advance(600_000);
    await flush();
    expect(reasons).toHaveLength(2);
  });

  it('a terminal status drops pending SYNC retries; stop aborts the pull in progress', async () => {
    const m = manualClock();
    let seen: AbortSignal | undefined;
    const s = new PullScheduler({
      clock: m.clock,
      pull: (_r, signal) => {
        seen = signal;
        return new Promise((_res, rej) => signal.addEventListener('abort', () => rej(signal.reason)));
      },
    });
    s.afterSync();
    const p = s.onTerminal();
    expect(m.live()).toBe(0);
    await flush();
    s.stop();
    await expect(p).rejects.toThrow(/stopped/);
    expect(seen?.aborted).toBe(true);
    await expect(s.pullNow()).rejects.toThrow(/stopped/);
  });
});

import { describe, expect, it } from 'vitest';
import { CallBudget, type CallTicket, type HeaderBag } from '../../../src-main/node/api/budget';
import { CloudHpcError } from '../../../src-main/node/api/errors';

const H0 = Date.UTC(2026, 10, 26, 10, 0, 0);

function headers(limit: number, used: number, dlimit = 0, dused = 0): HeaderBag {
  return {
    'x-ratelimit-hourly-limit': String(limit),
    'x-ratelimit-hourly-used': String(used),
    'x-ratelimit-daily-limit': String(dlimit),
    'x-ratelimit-daily-used': String(dused),
  };
}

function clock(start = H0 + 60_000) {
  let t = start;
  return { now: () => t, set: (v: number) => (t = v), add: (ms: number) => (t += ms) };
}

/** Resolves true if the promise settled within a turn of the event loop. */
async function settled<T>(p: Promise<T>): Promise<boolean> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('CallBudget', () => {
  it('assumes nothing without headers and lets background calls through', async () => {
    const b = new CallBudget();
    const t = await b.acquire('background');
    b.settle(t, {});
    const s = b.state();
    expect(s.known).toBe(false);
    expect(s.hourlyLeft).toBe(Infinity);
    expect(s.summary).toMatch(/not known/);
    expect(await settled(b.acquire('background'))).toBe(true);
  });

  it('reads the headers and reports calls left with a reserve of 10% (at least 5)', async () => {
    const c = clock();
    const b = new CallBudget({ now: c.now });
    const t = await b.acquire('user');
    b.settle(t, headers(500, 88));
    const s = b.state();
    expect(s).toMatchObject({ known: true, hourlyLimit: 500, hourlyUsed: 88, hourlyLeft: 412, reserve: 50, waiting: 0, pausedUntil: null });
    expect(s.summary).toBe('412 of 500 API calls left this hour');
    const small = new CallBudget({ now: c.now });
    small.settle(await small.acquire('user'), headers(30, 1));
    expect(small.state().reserve).toBe(5);
  });

  it('counts calls in flight so parallel background callers cannot overspend', async () => {
    const c = clock();
    const b = new CallBudget({ now: c.now });
    b.settle(await b.acquire('user'), headers(30, 20)); // 10 left, reserve 5 → 5 background calls
    const tickets: CallTicket[] = [];
    const pending: Promise<CallTicket>[] = [];
    for (let i = 0; i < 8; i++) pending.push(b.acquire('background'));
    await new Promise((r) => setImmediate(r));
    for (const p of pending.slice(0, 5)) tickets.push(await p);
    expect(await settled(pending[5]!)).toBe(false);
    expect(b.state()).toMatchObject({ hourlyUsed: 25, hourlyLeft: 5, waiting: 3 });
    // a user call still goes through the reserve
    expect(await settled(b.acquire('user'))).toBe(true);
  });

  it('never lets an older reply roll the count back', async () => {
    const b = new CallBudget({ now: clock().now });
    const a = await b.acquire('user');
    const c2 = await b.acquire('user');
    b.settle(c2, headers(100, 12));
    b.settle(a, headers(100, 11)); // overtaken reply
    expect(b.state().hourlyUsed).toBe(12);
  });

  it('keeps the higher count when replies arrive in another order than the service counted them', async () => {
    const b = new CallBudget({ now: clock().now });
    b.settle(await b.acquire('user'), headers(100, 10));
    const a = await b.acquire('background'); // counted 11th by the service...
    const c2 = await b.acquire('background'); // ...12th
    const d = await b.acquire('background'); // ...13th
    b.settle(d, headers(100, 13));
    b.settle(c2, headers(100, 12));
    expect(b.state().hourlyUsed).toBe(14); // 13 + a still in flight
    b.settle(a, headers(100, 11)); // a's reply was slow
    expect(b.state().hourlyUsed).toBe(13);
  });

  it('takes a much lower count as a reset of the service window', async () => {
    const b = new CallBudget({ now: clock().now });
    b.settle(await b.acquire('user'), headers(100, 60));
    b.settle(await b.acquire('user'), headers(100, 1));
    expect(b.state().hourlyUsed).toBe(1);
  });

  it('keeps counting a call whose reply was lost until a later reply brings fresh numbers', async () => {
    const b = new CallBudget({ now: clock().now });
    b.settle(await b.acquire('user'), headers(100, 10));
    b.settle(await b.acquire('background'), null); // connection lost: the service may have counted it
    expect(b.state().hourlyUsed).toBe(11);
    b.settle(await b.acquire('background'), headers(100, 12));
    expect(b.state().hourlyUsed).toBe(12);
  });

  it('pauses background after a refusal until Retry-After passes, then probes one call at a time', async () => {
    const c = clock();
    const b = new CallBudget({ now: c.now });
    b.settle(await b.acquire('user'), headers(100, 40));
    b.refused(30_000);
    expect(b.state().pausedUntil).toBe(c.now() + 30_000);
    const w1 = b.acquire('background');
    const w2 = b.acquire('background');
    expect(await settled(w1)).toBe(false);
    c.add(31_000);
    b.recheck();
    const t1 = await w1;
    expect(await settled(w2)).toBe(false); // a single probe until a reply confirms
    b.settle(t1, headers(100, 1));
    await w2;
  });

  it('resumes background 60 minutes after its own calls were made, as they leave the sliding window', async () => {
    const c = clock();
    const t0 = c.now();
    const b = new CallBudget({ now: c.now, slideMarginMs: 0 });
    b.settle(await b.acquire('user'), headers(30, 1));
    c.add(10 * 60_000);
    for (let i = 0; i < 24; i++) b.settle(await b.acquire('background'), headers(30, 2 + i)); // only the reserve left
    const w = b.acquire('background');
    expect(await settled(w)).toBe(false);
    // nothing happens at the full hour: the window slides
    expect(b.state().pausedUntil).toBe(t0 + 3_600_000 + 1);
    expect(b.state().summary).toMatch(/paused until 11:01 UTC/);
    c.set(H0 + 3_600_000 + 1);
    b.recheck();
    expect(await settled(w)).toBe(false);
    // the first call (t0) leaves the window: one slot above the reserve
    c.set(t0 + 3_600_000 + 1);
    b.recheck();
    const t = await w;
    expect(await settled(b.acquire('background'))).toBe(false);
    b.settle(t, headers(30, 25));
    expect(b.state()).toMatchObject({ hourlyUsed: 25, hourlyLeft: 5 });
    // the 24 calls made 10 minutes later free their slots 10 minutes later
    c.set(t0 + 70 * 60_000 + 1);
    b.recheck();
    // 1 left in the window (the call at t0 + 60 min) + the waiting call, now sent
    expect(b.state()).toMatchObject({ hourlyUsed: 2, hourlyLeft: 28, waiting: 0 });
  });

  it('after a 403-style refusal without Retry-After, waits until its own calls free a slot above the reserve (no probe)', async () => {
    const c = clock();
    const t0 = c.now();
    const b = new CallBudget({ now: c.now, slideMarginMs: 0 });
    b.settle(await b.acquire('user'), headers(10, 2)); // 2 used by others
    for (let i = 0; i < 8; i++) b.settle(await b.acquire('user'), headers(10, 3 + i)); // 8 own calls (the user's, into the reserve)
    b.refused(null); // the service says the limit is reached (10 of 10)
    expect(b.state().hourlyLeft).toBe(0);
    const w = b.acquire('background');
    expect(await settled(w)).toBe(false);
    // 10 used, reserve 5: six of its own calls must leave the window before one background call fits
    expect(b.resumeAt()).toBe(t0 + 3_600_000 + 1);
    c.set(t0 + 3_600_000 + 1);
    b.recheck();
    await w;
  });

  it('after a refusal its own calls do not explain, pauses a minute, doubling, then probes', async () => {
    const c = clock();
    const b = new CallBudget({ now: c.now });
    b.settle(await b.acquire('user'), headers(100, 100)); // others used the calls
    b.refused(null);
    expect(b.state().pausedUntil).toBe(c.now() + 60_000);
    c.add(60_001);
    const probe = await b.acquire('background');
    expect(await settled(b.acquire('background'))).toBe(false); // one at a time
    b.settle(probe, headers(100, 100)); // refused again: its reply shows the window full
    b.refused(null, probe);
    expect(b.state().pausedUntil).toBe(c.now() + 120_000);
  });

  it('resumes when a reply shows the service reset its counter', async () => {
    const c = clock();
    const b = new CallBudget({ now: c.now });
    b.settle(await b.acquire('user'), headers(30, 30));
    b.refused(null);
    const w = b.acquire('background');
    expect(await settled(w)).toBe(false);
    b.settle(await b.acquire('user'), headers(30, 1)); // e.g. the user's call in a new hour
    await w;
  });

  it('applies the daily limit too', async () => {
    const b = new CallBudget({ now: clock().now });
    b.settle(await b.acquire('user'), headers(0, 5, 100, 95));
    expect(b.state().summary).toMatch(/No hourly API call limit \(5 of 100 today\)/);
    expect(await settled(b.acquire('background'))).toBe(false);
  });

  it('a waiting background call fails only with cancelled when its signal aborts', async () => {
    const b = new CallBudget({ now: clock().now });
    b.settle(await b.acquire('user'), headers(30, 30));
    const ac = new AbortController();
    const w = b.acquire('background', ac.signal);
    expect(b.state().waiting).toBe(1);
    ac.abort();
    await expect(w).rejects.toBeInstanceOf(CloudHpcError);
    await expect(w).rejects.toMatchObject({ kind: 'cancelled' });
    expect(b.state().waiting).toBe(0);
  });

  it('notifies subscribers on change', async () => {
    const b = new CallBudget({ now: clock().now });
    const seen: string[] = [];
    const off = b.onChange((s) => seen.push(s.summary));
    b.settle(await b.acquire('user'), headers(500, 88));
    off();
    b.settle(await b.acquire('user'), headers(500, 89));
    expect(seen).toEqual(['412 of 500 API calls left this hour']);
  });
});

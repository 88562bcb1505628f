import { describe, expect, it } from 'vitest';
import { backoffDelay, defaultRetryPolicy, parseRetryAfter, withRetry, type Sleep } from '../../../src-main/node/api/retry';
import { CloudHpcError } from '../../../src-main/node/api/errors';

describe('backoff', () => {
  it('grows exponentially with jitter between half and the full step, capped', () => {
    const p = { ...defaultRetryPolicy, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, p, null, () => 0)).toBe(50);
    expect(backoffDelay(1, p, null, () => 1)).toBe(100);
    expect(backoffDelay(3, p, null, () => 0)).toBe(200);
    expect(backoffDelay(3, p, null, () => 1)).toBe(400);
    expect(backoffDelay(10, p, null, () => 1)).toBe(1000);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(2, p);
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(200);
    }
  });

  it('uses Retry-After as a floor', () => {
    expect(backoffDelay(1, defaultRetryPolicy, 7000, () => 0)).toBe(7000);
  });

  it('parses Retry-After in seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});

describe('withRetry', () => {
  const fast: Sleep = async () => undefined;
  const server = () => new CloudHpcError({ kind: 'server', endpoint: 'GET /x', httpStatus: 500 });

  it('retries network and server failures up to the attempt bound', async () => {
    let n = 0;
    await expect(withRetry(async () => { n++; throw server(); }, { policy: { ...defaultRetryPolicy, maxAttempts: 4 }, sleep: fast })).rejects.toMatchObject({ kind: 'server' });
    expect(n).toBe(4);
  });

  it('stops when the time bound would be passed', async () => {
    let t = 0;
    let n = 0;
    const sleep: Sleep = async (ms) => { t += ms; };
    await expect(withRetry(async () => { n++; throw server(); }, { policy: { ...defaultRetryPolicy, maxAttempts: 100, maxElapsedMs: 5_000, baseDelayMs: 1000 }, sleep, now: () => t })).rejects.toMatchObject({ kind: 'server' });
    expect(t).toBeLessThanOrEqual(5_000);
    expect(n).toBeLessThan(10);
  });

  it('does not retry what retrying cannot fix', async () => {
    let n = 0;
    await expect(withRetry(async () => { n++; throw new CloudHpcError({ kind: 'unauthorized', endpoint: 'x' }); }, { policy: defaultRetryPolicy, sleep: fast })).rejects.toMatchObject({ kind: 'unauthorized' });
    expect(n).toBe(1);
  });

  it('a user call refused with a long Retry-After fails at once; a short one is waited', async () => {
    let n = 0;
    const long = new CloudHpcError({ kind: 'rate-limited', endpoint: 'x', retryAfterMs: 3_600_000 });
    await expect(withRetry(async () => { n++; throw long; }, { policy: defaultRetryPolicy, sleep: fast })).rejects.toBe(long);
    expect(n).toBe(1);
    const waits: number[] = [];
    let m = 0;
    const r = await withRetry(async () => {
      if (m++ === 0) throw new CloudHpcError({ kind: 'rate-limited', endpoint: 'x', retryAfterMs: 2_000 });
      return 'ok';
    }, { policy: defaultRetryPolicy, sleep: async (ms) => { waits.push(ms); } });
    expect(r).toBe('ok');
    expect(waits[0]).toBeGreaterThanOrEqual(2_000);
  });

  it('succeeds after transient failures', async () => {
    let n = 0;
    const r = await withRetry(async () => { if (++n < 3) throw new CloudHpcError({ kind: 'network', endpoint: 'x' }); return n; }, { policy: defaultRetryPolicy, sleep: fast });
    expect(r).toBe(3);
  });
});

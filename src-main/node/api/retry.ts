// Retry policy: exponential backoff with jitter, bounded in attempts and in total time, honouring
// Retry-After. Only idempotent calls go through `withRetry` blindly; POST /simulation/add has its own
// rule in client.ts (check before sending again).
import { CloudHpcError } from './errors';

export interface RetryPolicy {
  /** Attempts in all (first try included). Default 5. */
  maxAttempts: number;
  /** No new attempt starts after this much time since the first. Default 60 s. */
  maxElapsedMs: number;
  /** First backoff delay. Default 500 ms. */
  baseDelayMs: number;
  /** Cap of one backoff delay. Default 15 s. */
  maxDelayMs: number;
  /** A Retry-After longer than this fails a user call at once instead of waiting. Default 30 s. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  maxElapsedMs: 60_000,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 30_000,
};

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A real sleep that ends early (rejecting with `cancelled`) when the signal aborts. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CloudHpcError({ kind: 'cancelled', endpoint: 'wait' }));
      return;
    }
    const onAbort = () => {
      clearTimeout(t);
      reject(new CloudHpcError({ kind: 'cancelled', endpoint: 'wait' }));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1): "equal jitter", half fixed and half
 * random, of base * 2^(attempt-1), capped. A Retry-After, when given, is a floor.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfterMs: number | null = null, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.max(Math.round(jittered), retryAfterMs ?? 0);
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return null;
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const d = Date.parse(t);
  if (Number.isNaN(d)) return null;
  return Math.max(0, d - now);
}

/** Failures worth another try of an idempotent call. */
export function isRetryable(e: unknown): e is CloudHpcError {
  return e instanceof CloudHpcError && (e.kind === 'network' || e.kind === 'server' || e.kind === 'rate-limited');
}

export interface RetryContext {
  policy: RetryPolicy;
  sleep: Sleep;
  signal?: AbortSignal;
  /** Background calls wait for the budget on a refusal instead of counting it as an attempt. */
  background?: boolean;
  now?: () => number;
  onRetry?: (e: CloudHpcError, attempt: number, delayMs: number) => void;
}

/** Background calls refused for the rate limit wait at most this many times before giving up. */
const maxRateLimitWaits = 50;

/** Runs `op` until it succeeds, fails for good, or the policy's bounds are reached. */
export async function withRetry<T>(op: (attempt: number) => Promise<T>, ctx: RetryContext): Promise<T> {
  const now = ctx.now ?? Date.now;
  const start = now();
  let attempt = 0;
  let limitedWaits = 0;
  for (;;) {
    attempt += 1;
    try {
      return await op(attempt);
    } catch (e) {
      if (!isRetryable(e)) throw e;
      if (e.kind === 'rate-limited') {
        if (ctx.background && limitedWaits < maxRateLimitWaits) {
          // the budget pauses background work until the window or Retry-After passes: the next
          // attempt waits there, so this is not counted against the attempts or the time bound
          limitedWaits += 1;
          attempt -= 1;
          continue;
        }
        const ra = e.retryAfterMs;
        if (ra === null || ra > ctx.policy.maxRetryAfterMs) throw e;
      }
      if (attempt >= ctx.policy.maxAttempts) throw e;
      const delay = backoffDelay(attempt, ctx.policy, e.retryAfterMs);
      if (now() - start + delay > ctx.policy.maxElapsedMs) throw e;
      ctx.onRetry?.(e, attempt, delay);
      await ctx.sleep(delay, ctx.signal);
    }
  }
}

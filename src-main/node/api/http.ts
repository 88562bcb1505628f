// One API call over HTTP: asks the budget, sends with X-API-key through undici (connect and idle
// timeouts, and a total deadline per call: a reply that drips a byte now and then never holds a call
// past it; a proxy from HTTPS_PROXY / HTTP_PROXY / NO_PROXY when set), tells the budget how it
// ended, and turns the reply into a value or a CloudHpcError. The `errors` key of the envelope is
// checked first (as the provider's clients do), then the HTTP status; the kind of a failure comes
// from the rate-limit headers and the service's text as much as from the status (see classifyFailure).
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import type { CallBudget, CallTicket, HeaderBag } from './budget';
import { CloudHpcError, abortReason } from './errors';
import { redactText, type LogSink } from './redact';
import { parseRetryAfter } from './retry';
import type { Priority } from './types';

export interface DispatcherOptions {
  /** Connect timeout, default 15 s. */
  connectTimeoutMs?: number;
  /** No byte for this long while waiting for a reply's headers or body: default 60 s. */
  idleTimeoutMs?: number;
  /** Environment to read the proxy variables from (default process.env). */
  env?: Record<string, string | undefined>;
}

export function proxyConfigured(env: Record<string, string | undefined> = process.env): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((k) => (env[k] ?? '').trim() !== '');
}

/** An undici dispatcher with the client's timeouts; goes through a proxy when the environment names one. */
export function makeDispatcher(opts: DispatcherOptions = {}): Dispatcher {
  const connectTimeout = opts.connectTimeoutMs ?? 15_000;
  const idle = opts.idleTimeoutMs ?? 60_000;
  const env = opts.env ?? process.env;
  const common = { connect: { timeout: connectTimeout }, headersTimeout: idle, bodyTimeout: idle, keepAliveTimeout: 4_000 };
  if (proxyConfigured(env)) {
    return new EnvHttpProxyAgent({
      ...common,
      httpProxy: env.HTTP_PROXY ?? env.http_proxy,
      httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
      noProxy: env.NO_PROXY ?? env.no_proxy,
    });
  }
  return new Agent(common);
}

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Concrete path below the base URL, e.g. /simulation/view-short/12. */
  path: string;
  /** The endpoint named in errors and logs, e.g. "GET /simulation/view-short/{id}". */
  endpoint: string;
  body?: unknown;
  priority: Priority;
  signal?: AbortSignal;
}

export interface ApiReply {
  status: number;
  headers: HeaderBag;
  /** The envelope's `response` value (not validated yet). */
  value: unknown;
}

/** Network error codes that prove the request never reached the service. */
const notSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ECONNABORTED_CONNECT']);

function errorCode(e: unknown): string {
  if (e && typeof e === 'object') {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string') return c;
    const cause = (e as { cause?: unknown }).cause;
    if (cause) return errorCode(cause);
  }
  return '';
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Maps a thrown transport error (no HTTP reply) to a CloudHpcError. */
export function networkError(e: unknown, endpoint: string, signal?: AbortSignal): CloudHpcError {
  if (e instanceof CloudHpcError) return e;
  if (signal?.aborted) return abortReason(signal, endpoint);
  const code = errorCode(e);
  return new CloudHpcError({
    kind: 'network',
    endpoint,
    detail: `${code || 'error'}: ${errorText(e)}`,
    outcomeUnknown: !notSentCodes.has(code),
  });
}

const maxReplyBytes = 32 * 1024 * 1024;

async function readText(body: Dispatcher.ResponseData['body'], endpoint: string, status: number): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of body) {
    const b = chunk as Buffer;
    n += b.length;
    if (n > maxReplyBytes) {
      body.destroy();
      throw new CloudHpcError({ kind: 'bad-reply', endpoint, httpStatus: status, detail: `reply larger than ${maxReplyBytes} bytes` });
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function firstError(errors: unknown): string {
  if (Array.isArray(errors)) {
    const e = errors[0];
    if (typeof e === 'string') return e;
    if (e !== undefined) return JSON.stringify(e);
    return '';
  }
  if (typeof errors === 'string') return errors;
  if (errors && typeof errors === 'object') return JSON.stringify(errors);
  return '';
}

/** The service's texts we recognise (its framework answers every error with HTTP 403). */
const UNAUTHORIZED_TEXT = /^\s*unauthori[sz]ed\.?\s*$|invalid (api )?key/i;
const TECHNICAL_PROBLEM_TEXT = /technical problem has occurred/i;
const RATE_LIMIT_TEXT = /rate.?limit|too many (requests|calls)|limit (exceeded|reached)|(requests|calls)? per (hour|day)/i;

/** True when the rate-limit headers of a reply show a window used up (`used >= limit`, limit 0 = none). */
export function limitReached(headers: HeaderBag | null | undefined): boolean {
  if (!headers) return false;
  const n = (name: string): number | null => {
    const v = headers[name];
    const t = Array.isArray(v) ? v[0] : v;
    if (t === undefined || t.trim() === '') return null;
    const x = Number(t);
    return Number.isFinite(x) ? x : null;
  };
  for (const w of ['hourly', 'daily']) {
    const limit = n(`x-ratelimit-${w}-limit`);
    const used = n(`x-ratelimit-${w}-used`);
    if (limit !== null && limit > 0 && used !== null && used >= limit) return true;
  }
  return false;
}

/**
 * Decides the error kind of an `errors` envelope or a bare failure status. The service answers
 * every error with 403 and a text, so the text and the headers decide, the status only helps:
 * - the rate limit: the headers first (a window used up), then 429, then the text;
 * - "Unauthorized." (or 401): `unauthorized` here; the client tells a refused key from an endpoint
 *   the key may not use (feature-unavailable) with view-cpu;
 * - 5xx: `server`; anything else: `not-found-or-forbidden`, with the service's text shown.
 */
export function classifyFailure(status: number, serviceMessage: string | null, endpoint: string, retryAfterMs: number | null, headers?: HeaderBag | null): CloudHpcError {
  const m = serviceMessage ?? '';
  const known = UNAUTHORIZED_TEXT.test(m) || TECHNICAL_PROBLEM_TEXT.test(m);
  let kind: CloudHpcError['kind'];
  let userMessage: string | undefined;
  if (!known && (limitReached(headers) || status === 429 || RATE_LIMIT_TEXT.test(m))) kind = 'rate-limited';
  else if (status === 401 || UNAUTHORIZED_TEXT.test(m)) kind = 'unauthorized';
  else if (status >= 500) kind = 'server';
  else if (status >= 200 && status < 300 && !serviceMessage) kind = 'bad-reply';
  else {
    kind = 'not-found-or-forbidden';
    if (serviceMessage && !TECHNICAL_PROBLEM_TEXT.test(m)) userMessage = 'cloudHPC refused the request: check what it says, correct it and try again.';
    else if (!serviceMessage && (status === 400 || status === 422)) userMessage = 'cloudHPC refused the request as invalid: check the values and try again.';
    else if (serviceMessage) userMessage = 'This item may not exist any more or may not be yours (or cloudHPC had a problem): refresh the list and try again.';
  }
  return new CloudHpcError({ kind, endpoint, httpStatus: status, serviceMessage, userMessage, retryAfterMs });
}

export interface TransportOptions {
  baseUrl: string;
  apiKey: string;
  budget: CallBudget;
  log: LogSink;
  dispatcher: Dispatcher;
  /** Total deadline of one call, from sending to the last byte of the reply. */
  callTimeoutMs: number;
  /** Everything stops when this aborts (the CLI's Ctrl-C and --timeout). */
  signal?: AbortSignal;
}

/** The signals that are set, as one (AbortSignal.any), or undefined when none is. */
export function anySignal(signals: ReadonlyArray<AbortSignal | undefined>): AbortSignal | undefined {
  const set = signals.filter((s): s is AbortSignal => s !== undefined);
  return set.length <= 1 ? set[0] : AbortSignal.any(set);
}

/** "90 s", "1.5 s" */
export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Sends single API calls; retries are the caller's decision. */
export class ApiTransport {
  private readonly base: string;

  constructor(private readonly opts: TransportOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
  }

  /** One attempt of one API call: one unit of the budget. */
  async once(req: ApiRequest): Promise<ApiReply> {
    const { endpoint } = req;
    const outer = anySignal([req.signal, this.opts.signal]);
    let ticket: CallTicket;
    try {
      ticket = await this.opts.budget.acquire(req.priority, outer);
    } catch (e) {
      throw e instanceof CloudHpcError && e.kind === 'cancelled' ? new CloudHpcError({ kind: 'cancelled', endpoint }) : e;
    }
    // The deadline runs from sending to the reply's last byte (waiting for budget is not counted).
    const ms = this.opts.callTimeoutMs;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new CloudHpcError({
      kind: 'network',
      endpoint,
      detail: `no complete reply within ${seconds(ms)}`,
      userMessage: 'cloudHPC did not answer in time: check the connection; background work tries again by itself.',
    })), ms);
    timer.unref?.();
    try {
      return await this.send(req, ticket, anySignal([outer, deadline.signal]) as AbortSignal);
    } finally {
      clearTimeout(timer);
    }
  }

  private async send(req: ApiRequest, ticket: CallTicket, signal: AbortSignal): Promise<ApiReply> {
    const { endpoint } = req;
    const started = Date.now();
    let res: Dispatcher.ResponseData;
    try {
      const headers: Record<string, string> = { 'x-api-key': this.opts.apiKey, accept: 'application/json' };
      let body: string | undefined;
      if (req.body !== undefined) {
        body = JSON.stringify(req.body);
        headers['content-type'] = 'application/json';
      }
      res = await request(`${this.base}${req.path}`, {
        method: req.method,
        headers,
        body,
        signal,
        dispatcher: this.opts.dispatcher,
      });
    } catch (e) {
      const err = networkError(e, endpoint, signal);
      // Never sent (refused, no route, DNS): the service did not count it, neither do we.
      if (err.kind === 'network' && err.outcomeUnknown === false) this.opts.budget.release(ticket);
      else this.opts.budget.settle(ticket, null);
      this.opts.log('warn', `${endpoint} failed after ${Date.now() - started} ms: ${err.detail ?? err.kind}`);
      throw err;
    }
    const headers = res.headers as HeaderBag;
    this.opts.budget.settle(ticket, headers);
    let text: string;
    try {
      text = await readText(res.body, endpoint, res.statusCode);
    } catch (e) {
      const err = e instanceof CloudHpcError ? e : networkError(e, endpoint, signal);
      this.opts.log('warn', `${endpoint} reply broken after ${Date.now() - started} ms: ${err.detail ?? err.kind}`);
      throw err;
    }
    const status = res.statusCode;
    let json: unknown = undefined;
    try {
      json = text.trim() === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const retryAfterMs = parseRetryAfter(headers['retry-after']);
    const envelope = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
    let failure: CloudHpcError | null = null;
    if (envelope && 'errors' in envelope && envelope.errors !== null && envelope.errors !== undefined && !(Array.isArray(envelope.errors) && envelope.errors.length === 0)) {
      failure = classifyFailure(status, firstError(envelope.errors) || null, endpoint, retryAfterMs, headers);
    } else if (status >= 300 || status < 200) {
      failure = classifyFailure(status, null, endpoint, retryAfterMs, headers);
      if (failure.kind === 'not-found-or-forbidden' && status >= 300 && status < 400) {
        failure = new CloudHpcError({ kind: 'bad-reply', endpoint, httpStatus: status, detail: `unexpected redirect (HTTP ${status})` });
      }
    } else if (!envelope || !('response' in envelope)) {
      failure = new CloudHpcError({
        kind: 'bad-reply',
        endpoint,
        httpStatus: status,
        detail: json === undefined ? `reply is not JSON: ${JSON.stringify(redactText(text.slice(0, 80)))}` : 'reply has no "response" field',
      });
    }
    if (failure) {
      if (failure.kind === 'rate-limited') this.opts.budget.refused(retryAfterMs, ticket);
      this.opts.log(failure.kind === 'rate-limited' ? 'info' : 'warn', `${endpoint} → HTTP ${status} ${failure.kind}${failure.serviceMessage ? `: ${failure.serviceMessage}` : ''}`);
      throw failure;
    }
    this.opts.log('debug', `${endpoint} → HTTP ${status} in ${Date.now() - started} ms`);
    return { status, headers, value: (envelope as Record<string, unknown>).response };
  }
}

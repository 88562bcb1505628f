import { describe, expect, it } from 'vitest';
import { CloudHpcError, plainText } from '../../../src-main/node/api/errors';
import { classifyFailure, makeDispatcher, proxyConfigured } from '../../../src-main/node/api/http';
import { redactText, redactUrl, registerSecret, safeLog } from '../../../src-main/node/api/redact';
import { EnvHttpProxyAgent, Agent } from 'undici';

describe('redaction', () => {
  it('drops the query string of URLs', () => {
    expect(redactUrl('https://storage.googleapis.com/b/o.tar.gz?X-Goog-Signature=deadbeef&X-Goog-Expires=900')).toBe('https://storage.googleapis.com/b/o.tar.gz?[redacted]');
    expect(redactText('PUT http://127.0.0.1:4000/upload/x?sig=abc failed; see http://h/p')).toBe('PUT http://127.0.0.1:4000/upload/x?[redacted] failed; see http://h/p');
  });

  it('hides registered keys in text, errors and log lines', () => {
    const key = 'k3y-' + Math.random().toString(36).slice(2);
    registerSecret(key);
    expect(redactText(`x-api-key: ${key}`)).toBe('x-api-key: [API key]');
    const e = new CloudHpcError({ kind: 'server', endpoint: `GET /x/${key}`, serviceMessage: `bad ${key}`, detail: key });
    expect(`${e.message} ${e.stack} ${e.serviceMessage} ${e.detail} ${e.endpoint}`).not.toContain(key);
    const lines: string[] = [];
    safeLog((_l, m) => lines.push(m))('info', `using ${key} at https://h/p?sig=${key}`);
    expect(lines).toEqual(['using [API key] at https://h/p?[redacted]']);
  });
});

describe('errors', () => {
  it('keeps errors[0] and gives a message a person can act on', () => {
    const e = classifyFailure(403, 'Unauthorized.', 'GET /simulation/view-cpu', null);
    expect(e.kind).toBe('unauthorized');
    expect(e.serviceMessage).toBe('Unauthorized.');
    expect(e.userMessage).toMatch(/API key was rejected: copy it again from your cloudHPC profile page/);
    expect(e.message).toContain('GET /simulation/view-cpu');
  });

  it('maps the service replies to kinds', () => {
    expect(classifyFailure(403, 'A technical problem has occurred, try again later.', 'x', null).kind).toBe('not-found-or-forbidden');
    expect(classifyFailure(404, null, 'x', null).kind).toBe('not-found-or-forbidden');
    expect(classifyFailure(429, null, 'x', 5000)).toMatchObject({ kind: 'rate-limited', retryAfterMs: 5000 });
    expect(classifyFailure(403, 'Rate limit exceeded', 'x', null).kind).toBe('rate-limited');
    expect(classifyFailure(403, 'Hourly rate limit reached (100 requests per hour)', 'x', null).kind).toBe('rate-limited');
    expect(classifyFailure(500, 'boom', 'x', null).kind).toBe('server');
    expect(classifyFailure(502, null, 'x', null).kind).toBe('server');
    expect(classifyFailure(401, null, 'x', null).kind).toBe('unauthorized');
    expect(classifyFailure(400, 'cpu not valid', 'x', null).userMessage).toBe('cloudHPC says: “cpu not valid”. cloudHPC refused the request: check what it says, correct it and try again.');
  });

  it('recognises the rate limit from the headers first (a text in another language), then the status, then the text', () => {
    const full = { 'x-ratelimit-hourly-limit': '100', 'x-ratelimit-hourly-used': '100', 'x-ratelimit-daily-limit': '0', 'x-ratelimit-daily-used': '100' };
    const room = { ...full, 'x-ratelimit-hourly-used': '40' };
    expect(classifyFailure(403, 'Limite orario raggiunto', 'x', null, full).kind).toBe('rate-limited');
    expect(classifyFailure(403, 'Limite orario raggiunto', 'x', null, room).kind).toBe('not-found-or-forbidden');
    expect(classifyFailure(403, 'Daily rate limit reached (500 requests per day)', 'x', null, room).kind).toBe('rate-limited');
    expect(classifyFailure(403, 'x', 'x', null, { ...room, 'x-ratelimit-daily-limit': '50', 'x-ratelimit-daily-used': '50' }).kind).toBe('rate-limited');
    // the service's known texts keep their meaning on the call that used the last slot
    expect(classifyFailure(403, 'Unauthorized.', 'x', null, full).kind).toBe('unauthorized');
    expect(classifyFailure(403, 'A technical problem has occurred, try again later.', 'x', null, full).kind).toBe('not-found-or-forbidden');
  });

  it("keeps the service's text (HTML stripped) beside our advice, in the message too", () => {
    const e = classifyFailure(403, 'Simulation <b>10002</b> is not running &amp; cannot be stopped', 'PUT /simulation/stop/{id}', null);
    expect(e.serviceText).toBe('Simulation 10002 is not running & cannot be stopped');
    expect(e.userMessage).toMatch(/^cloudHPC says: “Simulation 10002 is not running & cannot be stopped”\. cloudHPC refused the request/);
    expect(e.message).toContain('PUT /simulation/stop/{id} HTTP 403');
    expect(plainText('a<br/>b &lt;c&gt; &#233; &#x41;')).toBe('a b <c> é A');
  });
});

describe('proxy', () => {
  it('uses the environment proxy only when one is set', async () => {
    expect(proxyConfigured({})).toBe(false);
    expect(proxyConfigured({ HTTPS_PROXY: 'http://proxy:3128' })).toBe(true);
    const d1 = makeDispatcher({ env: {} });
    const d2 = makeDispatcher({ env: { https_proxy: 'http://proxy:3128', NO_PROXY: '127.0.0.1' } });
    expect(d1).toBeInstanceOf(Agent);
    expect(d2).toBeInstanceOf(EnvHttpProxyAgent);
    await d1.close();
    await d2.close();
  });
});

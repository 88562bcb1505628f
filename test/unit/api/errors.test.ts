import { describe, expect, it } from 'vitest';
import { CloudHpcError } from '../../../src-main/node/api/errors';
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
    expect(classifyFailure(500, 'boom', 'x', null).kind).toBe('server');
    expect(classifyFailure(502, null, 'x', null).kind).toBe('server');
    expect(classifyFailure(401, null, 'x', null).kind).toBe('unauthorized');
    expect(classifyFailure(400, 'cpu not valid', 'x', null).userMessage).toBe('cloudHPC refused the request: cpu not valid');
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

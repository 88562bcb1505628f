// The headless server's gate: token, Host, Origin, loopback only, bounded uploads, static files
// confined to the renderer folder. Real HTTP and WebSocket on loopback.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AnyEvent, CoreEndpoint } from '../../../src-main/node/app/endpoint';
import { startHeadlessServer, type HeadlessServer } from '../../../src-main/node/headless/server';

interface RawReply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function raw(port: number, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; host?: string }): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: opts.host ?? '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A small core with a real event stream: enough to test the transport around it. */
function testCore(stagingRoot: string): CoreEndpoint & { emit(ev: AnyEvent): void } {
  const subs = new Set<(ev: AnyEvent) => void>();
  return {
    stagingRoot,
    async request(name) {
      if (name === 'getSettings') return { ok: true, value: { echo: name } };
      return { ok: false, error: { code: 'invalid-params', message: `unknown request ${name}` } };
    },
    onEvent(cb) { subs.add(cb); return () => subs.delete(cb); },
    emit(ev) { for (const s of subs) s(ev); },
  };
}

const TOKEN = 'test-token-0123456789abcdef';

describe('headless server', () => {
  let dir: string;
  let server: HeadlessServer;
  let core: ReturnType<typeof testCore>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'headless-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>ui</title>');
    await writeFile(join(tmpdir(), 'outside-secret.txt'), 'secret').catch(() => {});
    core = testCore(join(dir, 'staging'));
    server = await startHeadlessServer({ core, rendererDir: dir, port: 0, token: TOKEN, uploadLimits: { maxBatchBytes: 1000, maxBatchFiles: 3 } });
  });
  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const auth = (): Record<string, string> => ({ 'x-cloudhpc-token': TOKEN });

  it('listens on the loopback address only', async () => {
    expect(server.origin).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.url).toBe(`${server.origin}/?token=${TOKEN}`);
    const external = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (external) {
      await expect(raw(server.port, { host: external.address, headers: auth() })).rejects.toThrow(/ECONNREFUSED/);
    }
    const ok = await raw(server.port, { headers: auth() });
    expect(ok.status).toBe(200);
  });

  it('refuses pages and requests without the token, and a wrong token', async () => {
    expect((await raw(server.port, {})).status).toBe(401);
    expect((await raw(server.port, { path: '/?token=nope' })).status).toBe(401);
    const api = await raw(server.port, { method: 'POST', path: '/api/getSettings', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(401);
    const wrong = await raw(server.port, { method: 'POST', path: '/api/getSettings', headers: { 'content-type': 'application/json', 'x-cloudhpc-token': 'x'.repeat(TOKEN.length) }, body: '{}' });
    expect(wrong.status).toBe(401);
  });

  it('swaps the URL token for an HttpOnly SameSite=Strict cookie and serves the UI with a strict CSP', async () => {
    const entry = await raw(server.port, { path: `/?token=${TOKEN}` });
    expect(entry.status).toBe(303);
    expect(entry.headers.location).toBe('/');
    const cookie = String(entry.headers['set-cookie']);
    expect(cookie.startsWith(`cloudhpc_token_${server.port}=`)).toBe(true); // per port: two servers never clobber each other
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await raw(server.port, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>ui</title>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('answers contract requests with the token, as JSON replies', async () => {
    const r = await raw(server.port, { method: 'POST', path: '/api/getSettings', headers: { ...auth(), 'content-type': 'application/json' }, body: '{}' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ ok: true, value: { echo: 'getSettings' } });
    const notJson = await raw(server.port, { method: 'POST', path: '/api/getSettings', headers: { ...auth(), 'content-type': 'text/plain' }, body: '{}' });
    expect(notJson.status).toBe(415);
  });

  it('refuses a foreign Host (DNS rebinding) even with the token', async () => {
    const r = await raw(server.port, { headers: { ...auth(), host: `evil.example:${server.port}` } });
    expect(r.status).toBe(421);
    const wrongPort = await raw(server.port, { headers: { ...auth(), host: `127.0.0.1:${server.port + 1}` } });
    expect(wrongPort.status).toBe(421);
    const localhost = await raw(server.port, { headers: { ...auth(), host: `localhost:${server.port}` } });
    expect(localhost.status).toBe(200);
  });

  it('refuses a foreign Origin on requests even with the token', async () => {
    const post = (origin: string): Promise<RawReply> => raw(server.port, { method: 'POST', path: '/api/getSettings', headers: { ...auth(), 'content-type': 'application/json', origin }, body: '{}' });
    expect((await post('http://evil.example')).status).toBe(403);
    expect((await post(`http://127.0.0.1:${server.port + 1}`)).status).toBe(403);
    expect((await post(`http://localhost:${server.port}`)).status).toBe(200);
    const crossSite = await raw(server.port, { method: 'POST', path: '/api/getSettings', headers: { ...auth(), 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, body: '{}' });
    expect(crossSite.status).toBe(403);
  });

  it('streams events over a WebSocket only to a same-origin client with the token', async () => {
    const wsUrl = `ws://127.0.0.1:${server.port}/events`;
    const openOrFail = (headers: Record<string, string>): Promise<number> => new Promise((resolve) => {
      const ws = new WebSocket(wsUrl, { headers });
      ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
      ws.on('error', () => resolve(-1));
      ws.on('open', () => { resolve(101); ws.close(); });
    });
    expect(await openOrFail({ origin: server.origin })).toBe(401);
    expect(await openOrFail({ ...auth(), origin: 'http://evil.example' })).toBe(403);
    expect(await openOrFail({ ...auth(), origin: server.origin, host: `evil.example:${server.port}` })).toBe(421);

    const ws = new WebSocket(wsUrl, { headers: { ...auth(), origin: server.origin } });
    const got = new Promise<unknown>((resolve) => ws.on('message', (d) => resolve(JSON.parse(String(d)))));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    core.emit({ name: 'keyRejected', payload: { message: 'The API key was rejected.' } });
    expect(await got).toEqual({ name: 'keyRejected', payload: { message: 'The API key was rejected.' } });
    ws.close();
  });

  it('serves nothing outside the renderer folder', async () => {
    for (const path of ['/%2e%2e/outside-secret.txt', '/..%2foutside-secret.txt', '/%2e%2e%2f%2e%2e%2fetc/passwd']) {
      const r = await raw(server.port, { path, headers: auth() });
      expect(r.status).toBe(404);
      expect(r.body).not.toContain('secret');
    }
  });

  it('stages dropped bytes with plain relative paths only, within the size and count limits', async () => {
    const created = await raw(server.port, { method: 'POST', path: '/upload/new', headers: auth() });
    expect(created.status).toBe(200);
    const { stagingId } = JSON.parse(created.body) as { stagingId: string };
    const put = (path: string, body: string | Buffer): Promise<RawReply> => raw(server.port, { method: 'PUT', path: `/upload/${stagingId}?path=${encodeURIComponent(path)}`, headers: auth(), body });
    expect((await put('case/a.txt', 'hello')).status).toBe(200);
    expect((await put('../escape.txt', 'x')).status).toBe(400);
    expect((await put('/abs.txt', 'x')).status).toBe(400);
    expect((await put('case/big.bin', Buffer.alloc(2000))).status).toBe(413);
    const files = await readdir(join(dir, 'staging', stagingId, 'files', 'case'));
    expect(files).toEqual(['a.txt']);
    const foreign = await raw(server.port, { method: 'PUT', path: `/upload/${'0'.repeat(32)}?path=a`, headers: auth(), body: 'x' });
    expect(foreign.status).toBe(404);
  });
});

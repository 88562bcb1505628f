// Each error kind, produced by real behaviour over loopback (the emulator, a closed port, a junk
// server) and mapped; and the API key never appears in a log line, an error text or a stack.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudHpcClient } from '../../../src-main/node/api/client';
import { CloudHpcError } from '../../../src-main/node/api/errors';
import { startEmulator, type Emulator } from '../../../emulator/index';
import { KEY, fastRetry, harness, type Harness } from './helpers';

const OTHER = 'other-key-93b1e0f7aa42d6c5';
const seen: string[] = [];
let h: Harness;

function record(e: unknown): CloudHpcError {
  expect(e).toBeInstanceOf(CloudHpcError);
  const err = e as CloudHpcError;
  seen.push(String(err), err.message, err.stack ?? '', err.userMessage, err.detail ?? '', err.serviceMessage ?? '', err.endpoint, JSON.stringify(err));
  return err;
}

async function failure(p: Promise<unknown>): Promise<CloudHpcError> {
  try {
    await p;
  } catch (e) {
    return record(e);
  }
  throw new Error('expected a failure');
}

function junkServer(reply: (path: string) => { status: number; body: string; type?: string }): Promise<Server> {
  const s = createServer((req, res) => {
    req.resume();
    const r = reply(req.url ?? '/');
    res.writeHead(r.status, { 'content-type': r.type ?? 'application/json' });
    res.end(r.body);
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

const clients: CloudHpcClient[] = [];
function client(baseUrl: string, apiKey = KEY): CloudHpcClient {
  const c = new CloudHpcClient({ baseUrl, apiKey, log: (l, m) => h.logs.push(`${l} ${m}`), retry: { ...fastRetry, maxAttempts: 3 } });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  h = await harness({ keys: [{ key: KEY, hourlyLimit: 0 }, { key: OTHER, hourlyLimit: 0 }] });
  await h.emu.seedFile(OTHER, 'theirCase/input.fds', '&HEAD /');
  await h.emu.seedFile(KEY, 'caseA/a.txt', 'a');
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await h.close();
});

describe('error kinds', () => {
  it('a bad key is unauthorized, with a message that says what to do', async () => {
    const e = await failure(client(h.emu.url, 'wrong-key-0000000000').viewCpu());
    expect(e).toMatchObject({ kind: 'unauthorized', httpStatus: 403, serviceMessage: 'Unauthorized.', endpoint: 'GET /simulation/view-cpu' });
    expect(e.userMessage).toMatch(/copy it again from your cloudHPC profile page/);
  });

  it("another user's id is not-found-or-forbidden", async () => {
    const other = client(h.emu.url, OTHER);
    const id = await other.addSimulation({ cpu: 1, ram: 'standard', script: 'fds6.9.1', folder: 'theirCase' });
    const e = await failure(h.client.viewShort(id));
    expect(e).toMatchObject({ kind: 'not-found-or-forbidden', httpStatus: 403, serviceMessage: 'A technical problem has occurred, try again later.' });
    record(await failure(h.client.stopSimulation(id, 'SIGINT')));
    expect(h.emu.simulations(OTHER)[0]!.status).not.toBe(50);
  });

  it.each(['evidence', 'classic'] as const)('past the limit is rate-limited, with the service text beside our advice (%s profile)', async (profile) => {
    const emu: Emulator = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 3 }], timeScale: 0, profile });
    try {
      const c = client(emu.url);
      for (let i = 0; i < 3; i++) await c.viewRam({ priority: 'user' });
      const e = await failure(c.viewRam({ priority: 'user' }));
      expect(e.kind).toBe('rate-limited');
      if (profile === 'evidence') {
        expect(e.httpStatus).toBe(403);
        expect(e.retryAfterMs).toBeNull();
        expect(e.serviceText).toBe('Hourly rate limit reached (3 requests per hour)');
        expect(e.userMessage).toMatch(/^cloudHPC says: “Hourly rate limit reached \(3 requests per hour\)”\. The cloudHPC API call limit is used up/);
      } else {
        expect(e.httpStatus).toBe(429);
        expect(e.retryAfterMs).toBeGreaterThan(0);
      }
      expect(c.budget.state()).toMatchObject({ known: true, hourlyLimit: 3, hourlyUsed: 3, hourlyLeft: 0 });
      expect(c.budget.state().pausedUntil).not.toBeNull();
    } finally {
      await emu.stop();
    }
  });

  it('"Unauthorized." on one endpoint while view-cpu works is feature-unavailable: the key is not called rejected, other calls go on', async () => {
    const emu: Emulator = await startEmulator({ keys: [{ key: KEY, hourlyLimit: 0, deniedEndpoints: ['GET /simulation/index-short/{field}/{order}/{page}'] }], timeScale: 0 });
    try {
      const c = client(emu.url);
      const changes: string[][] = [];
      c.onFeaturesChange((f) => changes.push(f.map((x) => x.feature)));
      const e = await failure(c.indexShort(1));
      expect(e).toMatchObject({ kind: 'feature-unavailable', httpStatus: 403, serviceText: 'Unauthorized.', feature: 'the list of simulations' });
      expect(e.userMessage).toBe('cloudHPC says: “Unauthorized.”. Your API key works, but cloudHPC does not let it use the list of simulations: ask cloudHPC support to enable it for your key. Everything else keeps working.');
      // one view-cpu told the two apart
      expect(emu.calls(KEY).byEndpoint).toEqual({ 'GET /simulation/index-short/{field}/{order}/{page}': 1, 'GET /simulation/view-cpu': 1 });
      expect(c.unavailableFeatures()).toMatchObject([{ feature: 'the list of simulations', endpoint: 'GET /simulation/index-short/{field}/{order}/{page}', serviceText: 'Unauthorized.' }]);
      expect(changes).toEqual([['the list of simulations']]);
      // asked again: known refused, no second check
      expect((await failure(c.indexShort(1))).kind).toBe('feature-unavailable');
      expect(emu.calls(KEY).byEndpoint['GET /simulation/view-cpu']).toBe(1);
      expect(await c.viewRam()).toContain('standard');
    } finally {
      await emu.stop();
    }
  });

  it('a bad key refused on any endpoint is unauthorized once view-cpu is refused too', async () => {
    const e = await failure(client(h.emu.url, 'wrong-key-0000000000').storageIndex(1));
    expect(e).toMatchObject({ kind: 'unauthorized', endpoint: 'GET /simulation/view-cpu', serviceMessage: 'Unauthorized.' });
    expect(e.userMessage).toMatch(/The API key was rejected/);
  });

  it("shows the service's own text without its HTML tags, with our advice beside it", async () => {
    const s = await junkServer(() => ({ status: 403, body: JSON.stringify({ errors: ['FOLDER <i>case&amp;1</i> not detected'] }) }));
    try {
      const e = await failure(client(`http://127.0.0.1:${(s.address() as AddressInfo).port}/api/v2`).syncSimulation(4));
      expect(e).toMatchObject({ kind: 'not-found-or-forbidden', serviceMessage: 'FOLDER <i>case&amp;1</i> not detected', serviceText: 'FOLDER case&1 not detected' });
      expect(e.userMessage).toBe('cloudHPC says: “FOLDER case&1 not detected”. cloudHPC refused the request: check what it says, correct it and try again.');
    } finally {
      await new Promise((r) => s.close(r));
    }
  });

  it('HTTP 500 past the retries is server, after the bounded attempts', async () => {
    const before = h.emu.calls(KEY).total;
    h.emu.setFaults({ error500Rate: 1 });
    try {
      const e = await failure(client(h.emu.url).viewScripts());
      expect(e).toMatchObject({ kind: 'server', httpStatus: 500 });
      expect(h.emu.calls(KEY).total - before).toBe(3);
    } finally {
      h.emu.setFaults({});
    }
  });

  it('a refused connection is network', async () => {
    const s = await junkServer(() => ({ status: 200, body: '' }));
    const port = (s.address() as AddressInfo).port;
    await new Promise((r) => s.close(r));
    const e = await failure(client(`http://127.0.0.1:${port}/api/v2`).viewCpu());
    expect(e.kind).toBe('network');
    expect(e.outcomeUnknown).toBe(false);
    expect(e.userMessage).toMatch(/could not be reached/);
  });

  it('a server that accepts and never answers times out as network (idle timeout), outcome unknown', async () => {
    const held: import('node:http').ServerResponse[] = [];
    const s = createServer((req, res) => {
      req.resume();
      held.push(res);
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const c = new CloudHpcClient({ baseUrl: `http://127.0.0.1:${(s.address() as AddressInfo).port}/api/v2`, apiKey: KEY, idleTimeoutMs: 200, retry: { ...fastRetry, maxAttempts: 2 }, log: (l, m) => h.logs.push(`${l} ${m}`) });
    clients.push(c);
    try {
      const started = Date.now();
      const e = await failure(c.viewCpu());
      expect(e.kind).toBe('network');
      expect(e.outcomeUnknown).toBe(true);
      expect(e.detail).toMatch(/HEADERS_TIMEOUT|timeout/i);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const r of held) r.destroy();
      await new Promise((r) => s.close(r));
    }
  });

  it('a garbage reply is bad-reply naming the endpoint; a file: URL is refused', async () => {
    const s = await junkServer((path) => {
      if (path.endsWith('/view-cpu')) return { status: 200, body: '<html>maintenance</html>', type: 'text/html' };
      if (path.endsWith('/view-ram')) return { status: 200, body: '{"response": {"not": "a list"}}' };
      if (path.includes('/view-short/')) return { status: 200, body: '{"response": {"id": "7", "status": 30}}' };
      if (path.endsWith('/upload-url')) return { status: 200, body: '{"response": {"url": "file:///etc/passwd"}}' };
      return { status: 200, body: '{"result": true}' };
    });
    try {
      const c = client(`http://127.0.0.1:${(s.address() as AddressInfo).port}/api/v2`);
      expect(await failure(c.viewCpu())).toMatchObject({ kind: 'bad-reply', endpoint: 'GET /simulation/view-cpu' });
      expect(await failure(c.viewRam())).toMatchObject({ kind: 'bad-reply', endpoint: 'GET /simulation/view-ram' });
      expect(await failure(c.viewShort(7))).toMatchObject({ kind: 'bad-reply', endpoint: 'GET /simulation/view-short/{id}' });
      expect(await failure(c.uploadUrl({ dirname: 'a', filename: 'b' }))).toMatchObject({ kind: 'bad-reply', endpoint: 'POST /storage/upload-url' });
      expect(await failure(c.deleteCache())).toMatchObject({ kind: 'bad-reply', endpoint: 'DELETE /user/delete-cache' });
    } finally {
      await new Promise((r) => s.close(r));
    }
  });

  it('an expired URL whose replacement is also expired is transfer', async () => {
    const local = join(h.tmp, 'small.bin');
    await writeFile(local, Buffer.alloc(100_000, 1));
    h.emu.setFaults({ expireNextUrls: 2 });
    const before = h.emu.calls(KEY).byEndpoint['POST /storage/upload-url'] ?? 0;
    const e = await failure(h.client.uploadFile(local, { dirname: 'caseA', filename: 'small.bin' }));
    expect(e.kind).toBe('transfer');
    expect(e.detail).toMatch(/ExpiredToken/);
    expect(h.emu.calls(KEY).byEndpoint['POST /storage/upload-url']! - before).toBe(2);
    expect(await h.emu.files(KEY, 'caseA')).not.toHaveProperty('small.bin');
    h.emu.setFaults({});
  });

  it('an aborted call is cancelled', async () => {
    h.emu.setFaults({ latencyMs: 2_000 });
    const ac = new AbortController();
    const p = h.client.viewCpu({ signal: ac.signal });
    setImmediate(() => ac.abort());
    expect((await failure(p)).kind).toBe('cancelled');
    h.emu.setFaults({});
  });

  it('the key never appears in any log line, error text or stack; signed URLs are logged without their query', () => {
    expect(seen.length).toBeGreaterThan(40);
    expect(h.logs.length).toBeGreaterThan(10);
    const all = [...seen, ...h.logs].join('\n');
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(OTHER);
    expect(all).not.toContain('wrong-key-0000000000');
    expect(all).not.toMatch(/X-Goog-Signature/i);
    expect(h.logs.some((l) => /\/gcs\/.*\?\[redacted\]/.test(l))).toBe(true);
  });
});

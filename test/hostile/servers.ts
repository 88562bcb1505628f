// Hostile stand-ins for the service on loopback (real HTTP servers on 127.0.0.1, port 0), for the
// issue-16 tests: a recorder that notes every request's headers, a server that drips its reply one
// byte at a time and never ends, a server whose body never ends, and a gate in front of the emulator
// that holds chosen requests until the test lets them go.
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export interface Loopback {
  /** http://127.0.0.1:<port> (add the path the client needs, e.g. /api/v2). */
  origin: string;
  close(): Promise<void>;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; origin: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

export interface Recorder extends Loopback {
  requests: { method: string; url: string; headers: IncomingHttpHeaders }[];
}

/** Answers every request with a cloudHPC envelope holding an empty list, and records it. */
export async function startRecorder(): Promise<Recorder> {
  const requests: Recorder['requests'] = [];
  const l = await listen((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"response":[]}');
  });
  return { origin: l.origin, close: l.close, requests };
}

export interface Drip extends Loopback {
  /** Requests received so far. */
  requests: number;
}

/** Sends 200 and its headers at once, then one byte of a JSON envelope every `everyMs`, forever. */
export async function startDrip(everyMs: number): Promise<Drip> {
  const timers = new Set<NodeJS.Timeout>();
  const state = { requests: 0 };
  const l = await listen((req, res) => {
    state.requests++;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    const text = '{"response":[1,2,4,8' + ','.repeat(1 << 20);
    let i = 0;
    const t = setInterval(() => { res.write(text[i++ % text.length] as string); }, everyMs);
    timers.add(t);
    res.on('close', () => { clearInterval(t); timers.delete(t); });
  });
  return {
    origin: l.origin,
    get requests() { return state.requests; },
    close: async () => {
      for (const t of timers) clearInterval(t);
      await l.close();
    },
  };
}

export interface Endless extends Loopback {
  /** Bytes sent so far (all requests). */
  sent: number;
}

/**
 * Answers GET with 200 and a body of zeros without Content-Length that goes on until `capBytes`
 * (a safety stop for code that would not stop by itself) and then ends cleanly.
 */
export async function startEndless(capBytes: number): Promise<Endless> {
  const state = { sent: 0 };
  const chunk = Buffer.alloc(64 * 1024);
  const l = await listen((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    let mine = 0;
    const pump = (): void => {
      while (mine < capBytes) {
        mine += chunk.length;
        state.sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => undefined);
    pump();
  });
  return { origin: l.origin, close: l.close, get sent() { return state.sent; } };
}

export interface Gate extends Loopback {
  /** Resolves when a request matching `hold` arrives (it waits until release()). */
  held(): Promise<{ method: string; url: string }>;
  release(): void;
}

/**
 * Forwards everything to `target` (the emulator's origin), except that the first request for which
 * `hold(method, url, body)` is true waits until release() is called.
 */
export async function startGate(target: string, hold: (method: string, url: string, body: string) => boolean): Promise<Gate> {
  const t = new URL(target);
  let onHeld: ((v: { method: string; url: string }) => void) | null = null;
  const heldP = new Promise<{ method: string; url: string }>((resolve) => { onHeld = resolve; });
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => { release = resolve; });
  let used = false;
  const l = await listen((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const forward = (): void => {
        const up = request({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: { ...req.headers, host: t.host } }, (reply) => {
          res.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(res);
        });
        up.on('error', () => { res.writeHead(502); res.end(); });
        up.end(Buffer.concat(body));
      };
      const method = req.method ?? '';
      const url = req.url ?? '';
      if (!used && hold(method, url, Buffer.concat(body).toString('utf8'))) {
        used = true;
        onHeld?.({ method, url });
        void released.then(forward);
      } else {
        forward();
      }
    });
  });
  return { origin: l.origin, close: l.close, held: () => heldP, release: () => release() };
}

export interface Rewriter extends Loopback {
  /** API calls seen, by "METHOD path" with ids and pages as they came. */
  calls: string[];
}

/**
 * Forwards every request to `target` (the emulator's origin); a JSON reply for which `rewrite` returns
 * a value is replaced by that value (the envelope as parsed; return undefined to keep it). `answer`
 * may answer a request itself instead (a JSON envelope; undefined forwards it).
 */
export async function startRewriter(target: string, rewrite: (method: string, url: string, json: unknown) => unknown, answer?: (method: string, url: string) => unknown): Promise<Rewriter> {
  const t = new URL(target);
  const calls: string[] = [];
  const l = await listen((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const method = req.method ?? '';
      const url = req.url ?? '';
      if (url.includes('/api/')) calls.push(`${method} ${url}`);
      const own = answer?.(method, url);
      if (own !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(own));
        return;
      }
      const up = request({ host: t.hostname, port: t.port, path: url, method, headers: { ...req.headers, host: t.host } }, (reply) => {
        const chunks: Buffer[] = [];
        reply.on('data', (c: Buffer) => chunks.push(c));
        reply.on('end', () => {
          let out = Buffer.concat(chunks);
          const type = String(reply.headers['content-type'] ?? '');
          if (type.includes('json')) {
            let parsed: unknown;
            try { parsed = JSON.parse(out.toString('utf8')); } catch { parsed = undefined; }
            const changed = parsed === undefined ? undefined : rewrite(method, url, parsed);
            if (changed !== undefined) out = Buffer.from(JSON.stringify(changed));
          }
          const h = { ...reply.headers, 'content-length': String(out.length) };
          delete h['transfer-encoding'];
          res.writeHead(reply.statusCode ?? 502, h);
          res.end(out);
        });
      });
      up.on('error', () => { res.writeHead(502); res.end(); });
      up.end(Buffer.concat(body));
    });
  });
  return { origin: l.origin, close: l.close, calls };
}

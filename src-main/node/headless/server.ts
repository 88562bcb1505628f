// `cloudhpc-sync serve`: the same core and the same renderer without Electron. Loopback only,
// a random token (printed once in the URL, then an HttpOnly SameSite=Strict cookie or the
// x-cloudhpc-token header), Host and Origin checks, strict CSP. Requests: POST /api/<name> with a
// JSON body (the params); events: a WebSocket on /events carrying {name, payload} messages.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CoreEndpoint } from '../app/endpoint';
import {
  contentSecurityPolicy, cookieName, hostAllowed, newToken, originAllowed, requestToken, sameToken,
} from './security';
import { findStatic, openStatic } from './static-files';
import { DEFAULT_UPLOAD_LIMITS, StagingUploads, UploadError, type UploadLimits } from './uploads';

export interface HeadlessOptions {
  core: CoreEndpoint;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Default 0: any free port. */
  port?: number;
  /** Fixed token (tests); default random. */
  token?: string;
  uploadLimits?: UploadLimits;
  /** Diagnostics; never receives the token. */
  log?: (message: string) => void;
}

export interface HeadlessServer {
  port: number;
  /** http://127.0.0.1:<port>/ — without the token. */
  origin: string;
  /** The URL to open, with the token: print it once, never log it elsewhere. */
  url: string;
  close(): Promise<void>;
}

const MAX_JSON_BYTES = 1024 * 1024;
const HOST = '127.0.0.1';

export async function startHeadlessServer(opts: HeadlessOptions): Promise<HeadlessServer> {
  const token = opts.token ?? newToken();
  const log = opts.log ?? (() => {});
  const uploads = new StagingUploads(opts.core.stagingRoot, opts.uploadLimits ?? DEFAULT_UPLOAD_LIMITS);
  let port = 0;

  const securityHeaders = (res: ServerResponse): void => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(port));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
  };

  const send = (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
    securityHeaders(res);
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  const sendJson = (res: ServerResponse, status: number, value: unknown): void => send(res, status, JSON.stringify(value), 'application/json');

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const b = chunk as Buffer;
      size += b.length;
      if (size > MAX_JSON_BYTES) throw new UploadError(413, 'The request is too large.');
      chunks.push(b);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new UploadError(400, 'The request body is not JSON.');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req, port)) return send(res, 421, 'Wrong Host: open the address printed by cloudhpc-sync serve.');
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    const method = req.method ?? 'GET';

    // Entry page: the token arrives once in the URL, is swapped for a cookie, and leaves the address bar.
    const queryToken = url.searchParams.get('token');
    if (method === 'GET' && url.pathname === '/' && queryToken !== null) {
      if (!sameToken(queryToken, token)) return send(res, 401, 'This link is not valid: open the address printed by cloudhpc-sync serve.');
      securityHeaders(res);
      res.writeHead(303, {
        'Set-Cookie': `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: '/',
        'Content-Length': 0,
      });
      res.end();
      return;
    }

    if (!sameToken(requestToken(req, port), token)) {
      return send(res, 401, 'Not signed in: open the address printed by cloudhpc-sync serve (it carries the access token).');
    }

    if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/upload')) {
      if (!originAllowed(req, port)) return send(res, 403, 'Cross-site request refused.');
      if (method !== 'POST' && method !== 'PUT') return send(res, 405, 'Use POST.');
    }

    if (url.pathname.startsWith('/api/')) {
      if (method !== 'POST') return send(res, 405, 'Use POST.');
      const type = req.headers['content-type'] ?? '';
      if (!type.toLowerCase().startsWith('application/json')) return send(res, 415, 'Send application/json.');
      const name = url.pathname.slice('/api/'.length);
      const params = await readJson(req);
      const reply = await opts.core.request(name, params);
      return sendJson(res, 200, reply);
    }

    if (url.pathname === '/upload/new' && method === 'POST') {
      return sendJson(res, 200, { stagingId: await uploads.create() });
    }
    const m = /^\/upload\/([a-f0-9]{32})$/.exec(url.pathname);
    if (m && m[1] && method === 'PUT') {
      const bytes = await uploads.receive(m[1], url.searchParams.get('path') ?? '', req);
      return sendJson(res, 200, { bytes });
    }

    if (method !== 'GET' && method !== 'HEAD') return send(res, 405, 'Method not allowed.');
    const file = await findStatic(opts.rendererDir, url.pathname);
    if (!file) {
      if (url.pathname === '/') return send(res, 503, 'The user interface is not built: run `npm run build` (electron-vite build) first.');
      return send(res, 404, 'Not found.');
    }
    securityHeaders(res);
    res.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.size });
    if (method === 'HEAD') return void res.end();
    await pipeline(openStatic(file), res);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof UploadError) {
        req.resume();
        sendJson(res, err.status, { ok: false, error: { code: 'invalid-input', message: err.message } });
        return;
      }
      log(`headless: request failed: ${err instanceof Error ? err.message : String(err)}`);
      sendJson(res, 500, { ok: false, error: { code: 'internal', message: 'The server had a problem with this request: try again.' } });
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const clients = new Set<WebSocket>();
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!hostAllowed(req, port)) return refuse(421, 'Misdirected Request');
    // Browsers always send Origin on a WebSocket handshake; a foreign one is a cross-site page.
    if (!originAllowed(req, port)) return refuse(403, 'Forbidden');
    if (!sameToken(requestToken(req, port), token)) return refuse(401, 'Unauthorized');
    if (url.pathname !== '/events') return refuse(404, 'Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('error', () => clients.delete(ws));
      // Clients only listen; anything they send is ignored.
      void opts.core.request('getState', {}).then((reply) => {
        if (reply.ok && ws.readyState === ws.OPEN) ws.send(JSON.stringify({ name: 'state', payload: reply.value }));
      });
    });
  });

  const unsubscribe = opts.core.onEvent((ev) => {
    const text = JSON.stringify(ev);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${HOST}:${port}`;

  return {
    port,
    origin,
    url: `${origin}/?token=${token}`,
    async close() {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await uploads.removeAll();
    },
  };
}

// A hostile stand-in for the service: a real HTTP server on 127.0.0.1 that forwards every request to
// the emulator and rewrites the names in storage listings (ids stay real, so downloads would work).
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileProxy {
  /** Base URL to give the client instead of the emulator's. */
  url: string;
  close(): Promise<void>;
}

/** `emulatorUrl`: the emulator's API base URL (emu.url). */
export async function startHostileProxy(emulatorUrl: string, rename: Record<string, string>): Promise<HostileProxy> {
  const target = new URL(emulatorUrl);
  const server: Server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
      const up = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers }, (reply) => {
        const chunks: Buffer[] = [];
        reply.on('data', (c: Buffer) => chunks.push(c));
        reply.on('end', () => {
          let out = Buffer.concat(chunks);
          if ((req.url ?? '').includes('/storage/index/')) {
            const json = JSON.parse(out.toString('utf8')) as { response?: { name: string; basename?: string; dirname?: string }[] };
            for (const item of json.response ?? []) {
              const to = rename[item.name];
              if (to !== undefined) Object.assign(item, { name: to, basename: '', dirname: '' });
            }
            out = Buffer.from(JSON.stringify(json));
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname.replace(/\/+$/, '')}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

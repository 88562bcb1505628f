// The proxy from the usual environment variables: with HTTP_PROXY set, API calls and transfers go
// through it (a CONNECT proxy on loopback); NO_PROXY exempts a host.
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeDispatcher } from '../../../src-main/node/api/http';
import { KEY, harness, type Harness } from './helpers';

let h: Harness;
let proxy: Server;
let proxyUrl = '';
const tunnels: string[] = [];
const sockets = new Set<Socket>();

beforeEach(async () => {
  h = await harness();
  await h.emu.seedFile(KEY, 'caseA/a.txt', 'a');
  tunnels.length = 0;
  proxy = createServer((req, res) => {
    res.writeHead(405);
    res.end();
  });
  proxy.on('connect', (req, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(client).add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await new Promise((r) => proxy.close(r));
  await h.close();
});

describe('proxy from the environment', () => {
  it('sends API calls and transfers through HTTP_PROXY', async () => {
    const d = makeDispatcher({ env: { HTTP_PROXY: proxyUrl } });
    const c = h.makeClient({ dispatcher: d });
    expect(await c.viewCpu()).toContain(1);
    const local = join(h.tmp, 'p.bin');
    await writeFile(local, Buffer.alloc(100_000, 5));
    const r = await c.uploadFile(local, { dirname: 'caseA', filename: 'p.bin' });
    expect((await h.emu.files(KEY, 'caseA'))['p.bin']?.sha256).toBe(r.sha256);
    expect(tunnels.length).toBeGreaterThan(0);
    expect(tunnels.every((t) => t === `127.0.0.1:${h.emu.port}`)).toBe(true);
    await d.close();
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    const d = makeDispatcher({ env: { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' } });
    const c = h.makeClient({ dispatcher: d });
    expect(await c.viewRam()).toContain('standard');
    expect(tunnels).toEqual([]);
    await d.close();
  });
});

// startEmulator(): the HTTP server (node:http) that routes /api/v2, the signed-URL path and the
// optional control surface, plus the programmatic Emulator handle.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Emulator, EmulatorOptions } from './types';
import { Core } from './core';
import { API_BASE, handleApi } from './api';
import { handleTransfer } from './transfers';
import { CONTROL_PREFIX, handleControl } from './control';
import { GCS_PREFIX } from './signing';
import { sendJson } from './http';
import { normaliseStoragePath } from './util';

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const core = await Core.create(opts);

  const advance = async (seconds: number): Promise<void> => {
    core.clock.shift(seconds);
    await core.tick();
    await core.flush();
  };

  const seed = async (key: string, path: string, data: string | Buffer): Promise<void> => {
    const k = core.keyFor(key);
    const p = normaliseStoragePath(path, 'path');
    if (p === '') throw new Error('seedFile needs a file path');
    const tmp = join(core.tmpDir, `seed-${randomBytes(8).toString('hex')}`);
    await fsp.writeFile(tmp, data);
    await k.storage.commitFile(p, tmp).catch(async (e: unknown) => {
      await fsp.rm(tmp, { force: true });
      throw e;
    });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://emulator.invalid');
    } catch {
      req.resume();
      sendJson(res, 400, { errors: ['Malformed request URL.'] });
      return;
    }
    const path = url.pathname;
    let work: Promise<void>;
    if (path === API_BASE || path.startsWith(`${API_BASE}/`)) work = handleApi(core, req, res, path.slice(API_BASE.length) || '/');
    else if (path.startsWith(GCS_PREFIX)) work = handleTransfer(core, req, res, url);
    else if (core.opts.control && (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`))) work = handleControl(core, { advance, seed }, req, res, url);
    else {
      req.resume();
      sendJson(res, 404, { errors: [`Not found: ${path}`] });
      return;
    }
    work.catch(() => {
      if (!res.headersSent) sendJson(res, 500, { errors: ['A technical problem has occurred, try again later.'] });
      else res.destroy();
    });
  };

  const server = createServer({ requestTimeout: 0 }, onRequest);
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(core.opts.port, core.opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = core.opts.host.includes(':') ? `[${core.opts.host}]` : core.opts.host === '0.0.0.0' ? '127.0.0.1' : core.opts.host;
  const origin = `http://${hostForUrl}:${port}`;
  core.origin = origin;

  let ticker: NodeJS.Timeout | undefined;
  if (core.clock.scale > 0) {
    ticker = setInterval(() => void core.tickUnlessBusy().catch(() => undefined), 50);
    ticker.unref();
  }

  let stopped: Promise<void> | undefined;
  const emulator: Emulator = {
    url: `${origin}${API_BASE}`,
    origin,
    port,
    profile: core.opts.profile,
    clock: { now: () => core.clock.now(), advance },
    setFaults: (f) => core.faults.set(f),
    calls: (key) => core.keyFor(key).counter.counts(core.clock.nowMs()),
    storageDir: (key) => core.keyFor(key).storage.root,
    seedFile: seed,
    files: async (key, folder) => core.keyFor(key).storage.digests(normaliseStoragePath(folder, 'folder')),
    simulations: (key) => {
      const k = core.keyFor(key);
      return core.engine.ofKey(k.keyId).map((s) => ({ ...s.record, images: [...s.record.images] }));
    },
    onSimulationStart: (cb) => {
      core.listeners.add(cb);
      return () => core.listeners.delete(cb);
    },
    stop: () =>
      (stopped ??= (async () => {
        if (ticker) clearInterval(ticker);
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await core.close();
      })()),
  };
  return emulator;
}

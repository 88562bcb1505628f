// Signed-URL transfers (/gcs/<bucket>/<object>): streamed PUT to a temp file then rename, streamed GET
// with Content-Length (and Range). No API key, not counted. Refusals answer like GCS: XML error bodies.
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Core } from './core';
import { GCS_PREFIX, verifyUrl, xmlError } from './signing';
import { StorageConflictError } from './storage';
import { PathError, normaliseStoragePath } from './util';

function sendXml(res: ServerResponse, status: number, code: string, message: string, details?: string): void {
  const body = xmlError(code, message, details);
  res.writeHead(status, { 'content-type': 'application/xml; charset=UTF-8', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** Passes bytes through, throttled to `bytesPerSec` when set, and calls `onCut` once `cutAt` bytes have passed. */
class TransferGate extends Transform {
  private passed = 0;
  private readonly startedAt = Date.now();

  constructor(
    private readonly bytesPerSec: number | undefined,
    private readonly cutAt: number | undefined,
    private readonly onCut: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    void this.pass(chunk).then(() => cb(), (e: Error) => cb(e));
  }

  private async pass(chunk: Buffer): Promise<void> {
    const piece = this.bytesPerSec ? Math.max(1024, Math.floor(this.bytesPerSec / 10)) : chunk.length;
    for (let off = 0; off < chunk.length; off += piece) {
      let part = chunk.subarray(off, off + piece);
      if (this.cutAt !== undefined && this.passed + part.length >= this.cutAt) {
        part = part.subarray(0, Math.max(0, this.cutAt - this.passed));
        if (part.length) this.push(part);
        this.passed += part.length;
        this.onCut();
        throw new Error('transfer cut (injected fault)');
      }
      this.push(part);
      this.passed += part.length;
      if (this.bytesPerSec) {
        const due = this.startedAt + (this.passed / this.bytesPerSec) * 1000;
        const delay = due - Date.now();
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}

export async function handleTransfer(core: Core, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  const rest = url.pathname.slice(GCS_PREFIX.length);
  const slash = rest.indexOf('/');
  let bucket: string;
  let object: string;
  try {
    bucket = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
    const rawObject = slash < 0 ? '' : rest.slice(slash + 1);
    object = normaliseStoragePath(rawObject.split('/').map((s) => decodeURIComponent(s)).join('/'), 'object name');
  } catch (e) {
    req.resume();
    sendXml(res, 400, 'InvalidArgument', 'Invalid argument.', e instanceof PathError ? e.message : 'Malformed object path.');
    return;
  }
  const k = core.byBucket.get(bucket);
  if (!k) {
    req.resume();
    sendXml(res, 404, 'NoSuchBucket', 'The specified bucket does not exist.');
    return;
  }
  if (method !== 'PUT' && method !== 'GET') {
    req.resume();
    sendXml(res, 405, 'MethodNotAllowed', `${method} is not allowed on a signed URL.`);
    return;
  }
  const contentType = method === 'PUT' ? (req.headers['content-type'] ?? '') : '';
  const v = verifyUrl(core.secret, { method, bucket, object, contentType }, url.searchParams, core.clock.urlNowMs());
  if (!v.ok) {
    req.resume();
    sendXml(res, v.status, v.code, v.message, v.details);
    return;
  }
  if (method === 'PUT') await put(core, k.storage, object, req, res);
  else await get(core, k.storage, object, req, res);
}

async function put(core: Core, storage: import('./storage').KeyStorage, object: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const tmp = join(core.tmpDir, `upload-${randomBytes(8).toString('hex')}`);
  const declared = Number(req.headers['content-length'] ?? NaN);
  const cut = core.faults.transferCut(Number.isFinite(declared) ? declared : undefined);
  const gate = new TransferGate(core.faults.bytesPerSec, cut, () => req.socket.destroy());
  try {
    await pipeline(req, gate, createWriteStream(tmp, { flags: 'wx' }));
    if (Number.isFinite(declared) && (await fsp.stat(tmp)).size !== declared) throw new Error('incomplete body');
  } catch {
    await fsp.rm(tmp, { force: true });
    if (!res.headersSent && !req.socket.destroyed) sendXml(res, 400, 'IncompleteBody', 'The request body was incomplete.');
    return;
  }
  try {
    const fh = await fsp.open(tmp, 'r+');
    await fh.sync().finally(() => fh.close());
    await storage.commitFile(object, tmp);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    if (e instanceof StorageConflictError) sendXml(res, 409, 'Conflict', e.message);
    else sendXml(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
    return;
  }
  const etag = `"${randomBytes(16).toString('hex')}"`;
  res.writeHead(200, { etag, 'content-length': '0', 'x-goog-stored-content-length': String((await fsp.stat(storage.abs(object)).catch(() => ({ size: 0 }))).size) });
  res.end();
}

async function get(core: Core, storage: import('./storage').KeyStorage, object: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  req.resume();
  let size: number;
  try {
    const st = await fsp.stat(storage.abs(object));
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    sendXml(res, 404, 'NoSuchKey', 'The specified key does not exist.', `No such object: ${object}`);
    return;
  }
  let start = 0;
  let end = size - 1;
  let status = 200;
  const range = req.headers.range;
  if (range) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    const a = m?.[1] ? Number(m[1]) : undefined;
    const b = m?.[2] ? Number(m[2]) : undefined;
    if (m && a !== undefined && a < size) {
      start = a;
      end = b !== undefined ? Math.min(b, size - 1) : size - 1;
      status = 206;
    } else if (m && a === undefined && b !== undefined && b > 0) {
      start = Math.max(0, size - b);
      status = 206;
    } else {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      res.end();
      return;
    }
  }
  const length = size === 0 ? 0 : end - start + 1;
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'content-length': String(length), 'accept-ranges': 'bytes' };
  if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  res.writeHead(status, headers);
  if (length === 0) {
    res.end();
    return;
  }
  const cut = core.faults.transferCut(length);
  const gate = new TransferGate(core.faults.bytesPerSec, cut, () => undefined);
  try {
    await pipeline(createReadStream(storage.abs(object), { start, end }), gate, res);
  } catch {
    res.destroy();
  }
}

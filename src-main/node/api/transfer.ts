// Transfers with the storage's signed URLs (not API calls: they do not count against the budget).
// Uploads open the file once (no symlink followed, checked with fstat: a regular file, with the size
// and mtime it was hashed with) and stream from that descriptor with the exact Content-Length (never
// read whole into memory), report progress, can be cancelled, time out only on stalls, retry a
// dropped connection with the whole PUT and ask for a new URL once when the URL is refused (expired,
// bad signature). Downloads go to a
// temporary file in the destination folder, are fsynced and renamed into place; a failure leaves
// nothing half-written in place.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { CloudHpcError, abortReason } from './errors';
import { anySignal } from './http';
import { checkUnchanged, isLocalFileChanged, LocalFileChanged, LocalWriteFailed, openRegularFile, writing, type Expected, type OpenedFile } from './local-file';
import { redactUrl, type LogSink } from './redact';
import { backoffDelay, defaultRetryPolicy, realSleep, type RetryPolicy, type Sleep } from './retry';
import type { TransferOptions, TransferProgress } from './types';

export interface TransferDeps {
  dispatcher: Dispatcher;
  log: LogSink;
  sleep?: Sleep;
  /** No byte moved for this long = stalled. Default 60 s. */
  stallTimeoutMs?: number;
  /** A transfer's total deadline: this much plus its size at minBytesPerSec. Default 60 s. */
  baseDeadlineMs?: number;
  /** The slowest rate that still finishes in time. Default 32 KiB/s. */
  minBytesPerSec?: number;
  /** Every transfer stops when this aborts (the client's signal: the CLI's Ctrl-C and --timeout). */
  signal?: AbortSignal;
  /** Attempts of the whole PUT/GET after dropped connections or 5xx. Default 3. */
  maxAttempts?: number;
  /** Backoff between attempts (default: the client's default policy). */
  policy?: RetryPolicy;
}

export interface UploadTarget {
  dirname: string;
  filename: string;
  /** Default application/octet-stream (what the provider's clients use). */
  contentType?: string;
}

export interface UploadOptions extends TransferOptions {
  /** Compute the sha256 of the bytes sent (default true). */
  sha256?: boolean;
  /** The size and mtime the file was planned (hashed) with: anything else fails with LocalFileChanged before any call. */
  expect?: Expected;
}

export interface TransferResult {
  bytes: number;
  /** Hex sha256 of the bytes transferred, when asked for. */
  sha256: string | null;
  /** Whole-body attempts made (1 when nothing went wrong). */
  attempts: number;
  /** Signed URLs used (2 when the first was refused). */
  urls: number;
}

export interface DownloadOptions extends TransferOptions {
  sha256?: boolean;
  /**
   * The size the listing gave: the download stops with an error past it plus a margin (an endless
   * body never fills the disk), and its deadline derives from it. Without it, Content-Length serves,
   * else the cap below.
   */
  expectedSize?: number | null;
}

/** Past the listed size, a download may grow this much (a log still being written): 25%, at least 16 MiB. */
export function downloadLimit(expected: number): number {
  return expected + Math.max(16 * 1024 * 1024, Math.ceil(expected / 4));
}

/** A download of unknown size (no listed size, no Content-Length) stops here. */
const UNKNOWN_SIZE_CAP = 64 * 1024 ** 3;

/** The deadline of a transfer of `bytes`: the base plus the bytes at the slowest acceptable rate. */
export function transferDeadlineMs(deps: Pick<TransferDeps, 'baseDeadlineMs' | 'minBytesPerSec'>, bytes: number): number {
  return (deps.baseDeadlineMs ?? 60_000) + (bytes / (deps.minBytesPerSec ?? 32 * 1024)) * 1000;
}

/** Why one attempt failed, for the retry decision. */
class AttemptError extends Error {
  constructor(
    readonly reason: 'refused' | 'dropped' | 'stalled' | 'server' | 'fatal' | 'deadline' | 'too-large',
    readonly detail: string,
    readonly httpStatus: number | null = null,
  ) {
    super(detail);
  }
}

class ProgressMeter {
  private samples: Array<[number, number]> = [];
  private lastEmit = 0;
  bytes = 0;
  constructor(
    public total: number | null,
    private readonly onProgress?: (p: TransferProgress) => void,
  ) {}
  reset(): void {
    this.bytes = 0;
    this.samples = [];
    this.emit(true);
  }
  add(n: number): void {
    const first = this.bytes === 0;
    this.bytes += n;
    this.emit(first);
  }
  emit(force: boolean): void {
    if (!this.onProgress) return;
    const t = Date.now();
    if (!force && t - this.lastEmit < 200) return;
    this.lastEmit = t;
    this.samples.push([t, this.bytes]);
    while (this.samples.length > 2 && t - this.samples[0]![0] > 3_000) this.samples.shift();
    const first = this.samples[0]!;
    const dt = (t - first[0]) / 1000;
    const rate = dt > 0 ? Math.max(0, (this.bytes - first[1]) / dt) : 0;
    try {
      this.onProgress({ bytes: this.bytes, total: this.total, rate });
    } catch {
      // a listener's failure is its own
    }
  }
}

/** Upper bound of bytes the OS may buffer for one connection, and the slowest line rate assumed to drain them. */
const drainBufferBytes = 16 * 1024 * 1024;
const drainAssumedBytesPerMs = 256; // 256 KB/s

/** Aborts `controller` when no activity was recorded for `stallMs`. */
class StallWatch {
  private last = Date.now();
  private readonly timer: ReturnType<typeof setInterval>;
  constructor(controller: AbortController, stallMs: number) {
    this.timer = setInterval(
      () => {
        if (Date.now() - this.last > stallMs) controller.abort(new AttemptError('stalled', `no bytes moved for ${Math.round(stallMs / 1000)} s`));
      },
      Math.max(50, Math.min(1_000, stallMs / 4)),
    );
    this.timer.unref?.();
  }
  touch(): void {
    this.last = Date.now();
  }
  /** Bytes handed to the socket may still sit in kernel buffers: allow them time to drain. */
  grace(ms: number): void {
    this.last = Date.now() + ms;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/** Aborts `controller` when the transfer of `bytes` is not done by its deadline; returns the cancel. */
function deadlineFor(deps: TransferDeps, controller: AbortController, bytes: number): () => void {
  const ms = transferDeadlineMs(deps, bytes);
  const t = setTimeout(() => controller.abort(new AttemptError('deadline', `not done within its deadline of ${Math.round(ms / 1000)} s for ${bytes} bytes`)), ms);
  t.unref?.();
  return () => clearTimeout(t);
}

function linkSignals(outer: AbortSignal | undefined, inner: AbortController): () => void {
  if (!outer) return () => undefined;
  const onAbort = () => inner.abort(outer.reason);
  if (outer.aborted) onAbort();
  else outer.addEventListener('abort', onAbort, { once: true });
  return () => outer.removeEventListener('abort', onAbort);
}

function classifyThrown(e: unknown, controller: AbortController): AttemptError {
  const r: unknown = controller.signal.reason;
  if (controller.signal.aborted && r instanceof AttemptError) return r;
  if (e instanceof AttemptError) return e;
  const msg = e instanceof Error ? `${(e as { code?: string }).code ?? e.name}: ${e.message}` : String(e);
  return new AttemptError('dropped', msg);
}

async function drainText(body: Dispatcher.ResponseData['body'], limit = 16_384): Promise<string> {
  let out = '';
  try {
    for await (const chunk of body) {
      if (out.length < limit) out += (chunk as Buffer).toString('utf8');
    }
  } catch {
    // the text is only for the message
  }
  return out.slice(0, limit);
}

/** Classifies a non-2xx reply of the storage. */
async function failedReply(res: Dispatcher.ResponseData): Promise<AttemptError> {
  const text = await drainText(res.body);
  const code = /<Code>([^<]{1,80})<\/Code>/.exec(text)?.[1] ?? null;
  const s = res.statusCode;
  const detail = `HTTP ${s}${code ? ` ${code}` : ''}`;
  // GCS refuses an expired or mis-signed URL with 400/401/403 and an XML code; a 400 about the body
  // itself (IncompleteBody, RequestTimeout) means the connection failed, not the URL
  if (s === 400 && code !== null && /incomplete|timeout/i.test(code)) return new AttemptError('dropped', detail, s);
  if (s === 400 || s === 401 || s === 403) return new AttemptError('refused', detail, s);
  if (s >= 500 || s === 408 || s === 429) return new AttemptError('server', detail, s);
  return new AttemptError('fatal', detail, s);
}

const tooSlow = 'The transfer was too slow to finish in time (its deadline follows from its size): check the connection; it is tried again later.';

function transferError(endpoint: string, a: AttemptError, userMessage?: string): CloudHpcError {
  const transferFailure = a.reason === 'deadline' ? 'too-slow' : a.reason;
  return new CloudHpcError({ kind: 'transfer', endpoint, httpStatus: a.httpStatus, detail: a.detail, userMessage, transferFailure });
}

const tooLarge = 'The cloudHPC storage sent more than the listed size of the file: the download was stopped (nothing was written); try again later.';

/** The bytes 0..size of the open file, read by position (each attempt from 0; the handle stays open). */
async function* readFrom(fh: FileHandle, size: number, shrank: { at: number }): AsyncGenerator<Buffer> {
  let pos = 0;
  while (pos < size) {
    const n = Math.min(256 * 1024, size - pos);
    const buf = Buffer.allocUnsafe(n);
    const { bytesRead } = await fh.read(buf, 0, n, pos);
    if (bytesRead === 0) {
      shrank.at = pos;
      throw new Error(`the file shrank to ${pos} bytes while it was sent`);
    }
    pos += bytesRead;
    yield bytesRead === n ? buf : buf.subarray(0, bytesRead);
  }
}

/** One PUT of the whole open file to `url`. */
async function putOnce(
  deps: TransferDeps,
  url: string,
  file: OpenedFile,
  size: number,
  contentType: string,
  meter: ProgressMeter,
  hash: Hash | null,
  signal: AbortSignal | undefined,
): Promise<void> {
  const stallMs = deps.stallTimeoutMs ?? 60_000;
  const controller = new AbortController();
  const unlink = linkSignals(signal, controller);
  const watch = new StallWatch(controller, stallMs);
  const endDeadline = deadlineFor(deps, controller, size);
  // From the descriptor opened once: positional reads from 0 at each attempt, the handle stays open.
  const shrank = { at: -1 };
  const source = size > 0 ? Readable.from(readFrom(file.fh, size, shrank), { objectMode: false, highWaterMark: 64 * 1024 }) : null;
  const counter = new Transform({
    highWaterMark: 64 * 1024,
    transform(chunk: Buffer, _enc, cb) {
      watch.touch();
      meter.add(chunk.length);
      hash?.update(chunk);
      cb(null, chunk);
    },
  });
  source?.on('error', (e) => counter.destroy(e));
  // once the whole body is handed over, the socket's buffers may still hold up to several MiB that
  // drain at line rate before the reply can come: allow that at a modest assumed rate
  counter.on('end', () => watch.grace(Math.min(size, drainBufferBytes) / drainAssumedBytesPerMs));
  if (source) source.pipe(counter);
  else counter.end(); // an empty file
  try {
    meter.reset();
    const res = await request(url, {
      method: 'PUT',
      body: counter,
      headers: { 'content-length': String(size), 'content-type': contentType },
      signal: controller.signal,
      dispatcher: deps.dispatcher,
      // stalls are watched by StallWatch (sending and waiting for the reply alike), the whole by its deadline
      headersTimeout: 0,
      bodyTimeout: stallMs,
    });
    watch.touch();
    if (res.statusCode < 200 || res.statusCode >= 300) throw await failedReply(res);
    await drainText(res.body);
    if (meter.bytes !== size) throw new AttemptError('dropped', `sent ${meter.bytes} of ${size} bytes`);
    meter.emit(true);
  } catch (e) {
    if (signal?.aborted) throw abortReason(signal, 'PUT <upload URL>');
    if (shrank.at >= 0) throw new LocalFileChanged(file.path, 'changed-while-read');
    throw classifyThrown(e, controller);
  } finally {
    watch.stop();
    endDeadline();
    unlink();
    source?.destroy();
    counter.destroy();
  }
}

/**
 * Uploads `localPath` to a signed URL obtained by `getUrl` (one API call each time). A refused URL
 * (HTTP 400/401/403, e.g. expired) is replaced once; a dropped connection, a stall or a 5xx retries
 * the whole PUT, at most `maxAttempts` times.
 */
export async function uploadFile(
  deps: TransferDeps,
  getUrl: (signal?: AbortSignal) => Promise<string>,
  localPath: string,
  opts: UploadOptions = {},
  contentType = 'application/octet-stream',
): Promise<TransferResult> {
  const endpoint = 'PUT <upload URL>';
  const signal = anySignal([opts.signal, deps.signal]);
  let file: OpenedFile;
  try {
    file = await openRegularFile(localPath, opts.expect);
  } catch (e) {
    if (isLocalFileChanged(e)) throw e;
    throw new CloudHpcError({ kind: 'transfer', endpoint, detail: String(e), userMessage: `The file to upload cannot be read (${basename(localPath)}): check that it still exists.` });
  }
  try {
    const size = file.stat.size;
    const meter = new ProgressMeter(size, opts.onProgress);
    const maxAttempts = deps.maxAttempts ?? 3;
    const sleep = deps.sleep ?? realSleep;
    let url = await getUrl(signal);
    let urls = 1;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const hash = opts.sha256 === false ? null : createHash('sha256');
      try {
        deps.log('info', `upload ${basename(localPath)} (${size} bytes) to ${redactUrl(url)}, attempt ${attempts}`);
        await putOnce(deps, url, file, size, contentType, meter, hash, signal);
        // Written to while it was sent: the bytes sent are no settled version (the caller sends it again).
        await checkUnchanged(localPath, file);
        deps.log('info', `upload ${basename(localPath)} done (${size} bytes)`);
        return { bytes: size, sha256: hash ? hash.digest('hex') : null, attempts, urls };
      } catch (e) {
        if (e instanceof CloudHpcError || isLocalFileChanged(e)) throw e;
        const a = e instanceof AttemptError ? e : new AttemptError('fatal', String(e));
        deps.log('warn', `upload ${basename(localPath)} attempt ${attempts} failed: ${a.detail}`);
        if (a.reason === 'refused') {
          if (urls >= 2) throw transferError(endpoint, a, 'The cloudHPC storage refused the upload link twice: try again later.');
          url = await getUrl(signal);
          urls += 1;
          continue;
        }
        if (a.reason === 'deadline') throw transferError(endpoint, a, tooSlow);
        if (a.reason === 'fatal' || attempts >= maxAttempts) throw transferError(endpoint, a);
        await sleep(backoffDelay(attempts, deps.policy ?? defaultRetryPolicy), signal);
      }
    }
  } finally {
    await file.fh.close();
  }
}

/** One GET of `url` into the open temp file (truncated first). */
async function getOnce(
  deps: TransferDeps,
  url: string,
  fh: FileHandle,
  tempPath: string,
  meter: ProgressMeter,
  hash: Hash | null,
  signal: AbortSignal | undefined,
  listed: number | null,
): Promise<number> {
  const stallMs = deps.stallTimeoutMs ?? 60_000;
  const controller = new AbortController();
  const unlink = linkSignals(signal, controller);
  const watch = new StallWatch(controller, stallMs);
  let endDeadline = listed !== null ? deadlineFor(deps, controller, listed) : (): void => undefined;
  try {
    await writing(tempPath, () => fh.truncate(0));
    meter.reset();
    const res = await request(url, {
      method: 'GET',
      signal: controller.signal,
      dispatcher: deps.dispatcher,
      headersTimeout: stallMs,
      bodyTimeout: stallMs,
    });
    watch.touch();
    if (res.statusCode !== 200) throw await failedReply(res);
    const lenHeader = res.headers['content-length'];
    const expected = typeof lenHeader === 'string' && /^\d+$/.test(lenHeader) ? Number(lenHeader) : null;
    // Never more than the listed size plus a margin (else Content-Length, else the cap).
    const limit = listed !== null ? downloadLimit(listed) : expected ?? UNKNOWN_SIZE_CAP;
    const more = (n: number): AttemptError => new AttemptError('too-large', `the storage sent more than ${limit} bytes (${n}; listed size ${listed ?? 'unknown'})`);
    if (expected !== null && expected > limit) throw more(expected);
    if (listed === null) {
      endDeadline();
      endDeadline = deadlineFor(deps, controller, expected ?? limit);
    }
    meter.total = expected;
    let pos = 0;
    for await (const chunk of res.body) {
      const b = chunk as Buffer;
      watch.touch();
      if (pos + b.length > limit) throw more(pos + b.length);
      hash?.update(b);
      let off = 0;
      while (off < b.length) {
        const { bytesWritten } = await writing(tempPath, () => fh.write(b, off, b.length - off, pos));
        off += bytesWritten;
        pos += bytesWritten;
      }
      meter.add(b.length);
    }
    if (expected !== null && pos !== expected) throw new AttemptError('dropped', `received ${pos} of ${expected} bytes`);
    meter.emit(true);
    return pos;
  } catch (e) {
    if (signal?.aborted) throw abortReason(signal, 'GET <download URL>');
    if (e instanceof LocalWriteFailed) throw e; // this machine's disk, not the network
    throw classifyThrown(e, controller);
  } finally {
    watch.stop();
    endDeadline();
    unlink();
  }
}

async function fsyncDir(dir: string): Promise<void> {
  let d: FileHandle | null = null;
  try {
    d = await open(dir, 'r');
    await d.sync();
  } catch {
    // not every platform can fsync a directory; the rename itself is atomic
  } finally {
    await d?.close().catch(() => undefined);
  }
}

/**
 * Downloads `url` to `destPath`: streamed into a temporary file in the same folder, fsynced, then
 * renamed into place. Dropped connections, stalls and 5xx retry the whole GET (bounded). On failure
 * or cancellation the temporary file is removed and `destPath` is untouched.
 */
export async function downloadToFile(deps: TransferDeps, url: string, destPath: string, opts: DownloadOptions = {}): Promise<TransferResult> {
  const endpoint = 'GET <download URL>';
  const dir = dirname(destPath);
  const temp = join(dir, `.${basename(destPath)}.${randomBytes(6).toString('hex')}.part`);
  const maxAttempts = deps.maxAttempts ?? 3;
  const sleep = deps.sleep ?? realSleep;
  const meter = new ProgressMeter(null, opts.onProgress);
  const signal = anySignal([opts.signal, deps.signal]);
  const listed = typeof opts.expectedSize === 'number' && Number.isFinite(opts.expectedSize) && opts.expectedSize >= 0 ? opts.expectedSize : null;
  let fh: FileHandle | null = null;
  let attempts = 0;
  try {
    fh = await writing(temp, () => open(temp, 'wx', 0o644));
    for (;;) {
      attempts += 1;
      const hash = opts.sha256 === false ? null : createHash('sha256');
      try {
        deps.log('info', `download ${redactUrl(url)} to ${basename(destPath)}, attempt ${attempts}`);
        const handle: FileHandle = fh ?? (fh = await writing(temp, () => open(temp, 'w', 0o644)));
        const bytes = await getOnce(deps, url, handle, temp, meter, hash, signal, listed);
        await writing(temp, () => handle.sync());
        fh = null;
        await writing(temp, () => handle.close());
        await writing(destPath, () => rename(temp, destPath));
        await fsyncDir(dir);
        deps.log('info', `download ${basename(destPath)} done (${bytes} bytes)`);
        return { bytes, sha256: hash ? hash.digest('hex') : null, attempts, urls: 1 };
      } catch (e) {
        if (e instanceof CloudHpcError || e instanceof LocalWriteFailed) throw e;
        const a = e instanceof AttemptError ? e : new AttemptError('fatal', e instanceof Error ? e.message : String(e));
        deps.log('warn', `download ${basename(destPath)} attempt ${attempts} failed: ${a.detail}`);
        if (a.reason === 'refused') throw transferError(endpoint, a, 'The cloudHPC storage refused the download link (it may have expired): ask for a new one and try again.');
        if (a.reason === 'deadline') throw transferError(endpoint, a, tooSlow);
        if (a.reason === 'too-large') throw transferError(endpoint, a, tooLarge);
        if (a.reason === 'fatal' || attempts >= maxAttempts) throw transferError(endpoint, a);
        await sleep(backoffDelay(attempts, deps.policy ?? defaultRetryPolicy), signal);
      }
    }
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    if (e instanceof CloudHpcError || e instanceof LocalWriteFailed) throw e;
    throw new LocalWriteFailed(dir, e);
  }
}

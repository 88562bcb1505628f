// HTTP plumbing for the API: envelopes, body reading with a size limit, typed errors.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An API failure that becomes {"errors": [message]} with this status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const UNAUTHORIZED = 'Unauthorized.';
export const TECHNICAL_PROBLEM = 'A technical problem has occurred, try again later.';

/** Largest accepted JSON body of an API call. */
export const MAX_JSON_BODY = 2 * 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new ApiError(413, `Request body too large: at most ${limit} bytes of JSON are accepted.`, { connection: 'close' });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      throw new ApiError(413, `Request body too large: at most ${limit} bytes of JSON are accepted.`, { connection: 'close' });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON body: "" → undefined; malformed → 400 with the parser's reason. */
export function parseJson(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  if (text.trim() === '') return undefined;
  if (text.includes('\u0000')) throw new ApiError(400, 'Malformed JSON body: NUL byte in the body.');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ApiError(400, `Malformed JSON body: ${(e as Error).message}`);
  }
}

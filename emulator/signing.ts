// Signed storage URLs, shaped like GCS V4 signed URLs: /gcs/<bucket>/<object>?X-Goog-Algorithm=...
// The signature is an HMAC-SHA256 over method, object path, content type, date and lifetime, so a
// changed path, method, Content-Type, date or lifetime is refused as SignatureDoesNotMatch.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { formatGoogDate, parseGoogDate } from './util';

export const GCS_PREFIX = '/gcs/';

export interface SignedTarget {
  method: 'PUT' | 'GET';
  bucket: string;
  object: string;
  /** Signed Content-Type for PUT; "" for GET. */
  contentType: string;
}

const encodeSegment = (s: string): string => encodeURIComponent(s).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function objectUrlPath(bucket: string, object: string): string {
  return `${GCS_PREFIX}${encodeSegment(bucket)}/${object.split('/').map(encodeSegment).join('/')}`;
}

function signature(secret: string, t: SignedTarget, date: string, expires: number): string {
  const toSign = ['GOOG4-HMAC-SHA256', t.method, `${t.bucket}/${t.object}`, t.contentType, date, String(expires)].join('\n');
  return createHmac('sha256', secret).update(toSign).digest('hex');
}

export function signUrl(origin: string, secret: string, t: SignedTarget, issuedAt: Date, ttlSeconds: number): string {
  const date = formatGoogDate(issuedAt);
  const expires = Math.max(1, Math.floor(ttlSeconds));
  const q = new URLSearchParams({
    'X-Goog-Algorithm': 'GOOG4-HMAC-SHA256',
    'X-Goog-Credential': `cloudhpc-emulator/${date.slice(0, 8)}/auto/storage/goog4_request`,
    'X-Goog-Date': date,
    'X-Goog-Expires': String(expires),
    'X-Goog-SignedHeaders': t.method === 'PUT' ? 'content-type;host' : 'host',
    'X-Goog-Signature': signature(secret, t, date, expires),
  });
  return `${origin}${objectUrlPath(t.bucket, t.object)}?${q.toString()}`;
}

export type VerifyResult =
  | { ok: true }
  | { ok: false; status: number; code: string; message: string; details?: string };

export function verifyUrl(secret: string, t: SignedTarget, query: URLSearchParams, nowMs: number): VerifyResult {
  const date = query.get('X-Goog-Date');
  const expiresRaw = query.get('X-Goog-Expires');
  const sig = query.get('X-Goog-Signature');
  if (!date || !expiresRaw || !sig || query.get('X-Goog-Algorithm') !== 'GOOG4-HMAC-SHA256') {
    return { ok: false, status: 400, code: 'AuthorizationQueryParametersError', message: 'Query-string authentication version 4 requires the X-Goog-Algorithm, X-Goog-Credential, X-Goog-Date, X-Goog-Expires, X-Goog-SignedHeaders and X-Goog-Signature parameters.' };
  }
  const issued = parseGoogDate(date);
  const expires = Number(expiresRaw);
  if (!issued || !Number.isInteger(expires) || expires < 1 || expires > 604800) {
    return { ok: false, status: 400, code: 'AuthorizationQueryParametersError', message: 'Invalid X-Goog-Date or X-Goog-Expires (at most 604800 seconds).' };
  }
  const want = Buffer.from(signature(secret, t, date, expires), 'hex');
  const got = Buffer.from(/^[0-9a-f]{64}$/.test(sig) ? sig : '', 'hex');
  if (got.length !== want.length || !timingSafeEqual(got, want)) {
    return {
      ok: false,
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'Access denied.',
      details: `The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method. (${t.method}, Content-Type "${t.contentType}")`,
    };
  }
  if (nowMs > issued.getTime() + expires * 1000) {
    return { ok: false, status: 400, code: 'ExpiredToken', message: 'Invalid argument.', details: `Request has expired: ${date}, lifetime ${expires} s.` };
  }
  return { ok: true };
}

export function xmlError(code: string, message: string, details?: string): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${esc(code)}</Code><Message>${esc(message)}</Message>${details ? `<Details>${esc(details)}</Details>` : ''}</Error>`;
}

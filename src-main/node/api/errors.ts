// One error type for everything the cloudHPC client can fail with. The message is written for a
// person: the service's own text (HTML tags stripped) when it gave one, with our advice beside it,
// never instead of it. `serviceMessage` keeps errors[0] as sent. No error built here ever carries
// the API key or a signed URL's query string: see redact.ts.
import type { ErrorKind, TransferFailure } from './types';
import { redactText } from './redact';

export interface CloudHpcErrorInit {
  kind: ErrorKind;
  /** "GET /simulation/view-short/{id}" style: method and path template, never a query string. */
  endpoint: string;
  httpStatus?: number | null;
  serviceMessage?: string | null;
  /** Our advice, shown after the service's text; overrides the default advice of the kind. */
  userMessage?: string;
  /** Technical detail for logs (already redacted). */
  detail?: string;
  /** For rate-limited: how long the service asked us to wait. */
  retryAfterMs?: number | null;
  /** True when a request may have reached the service before the connection failed. */
  outcomeUnknown?: boolean;
  /** For feature-unavailable: what the key may not do, in words ("downloads", "the list of simulations"). */
  feature?: string | null;
  /** For transfer: why, as a code. */
  transferFailure?: TransferFailure | null;
}

const defaultAdvice: Record<ErrorKind, string> = {
  unauthorized: 'The API key was rejected: copy it again from your cloudHPC profile page (the API may also be unavailable on the FREE plan).',
  'feature-unavailable': 'Your API key works, but cloudHPC does not let it use this: ask cloudHPC support to enable it for your key. Everything else keeps working.',
  'not-found-or-forbidden': 'cloudHPC does not know this item or it is not yours: refresh the list and try again.',
  'rate-limited': 'The cloudHPC API call limit is used up for now: wait until calls free up (each one an hour after it was made) and try again.',
  network: 'cloudHPC could not be reached: check the internet connection (and the proxy settings), then try again.',
  server: 'cloudHPC had a technical problem: try again in a few minutes.',
  'bad-reply': 'cloudHPC sent a reply this app does not understand: try again later, and report it if it keeps happening.',
  transfer: 'A file transfer with the cloudHPC storage failed: check the connection and try again.',
  cancelled: 'The operation was cancelled.',
};

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The service's text as plain text: HTML tags removed, common entities decoded, spaces collapsed. */
export function plainText(s: string): string {
  return s
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]{0,200}>/g, '')
    .replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
      }
      return entities[e.toLowerCase()] ?? m;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** What a person reads: the service's words first (quoted), then what to do. */
function compose(serviceText: string | null, advice: string): string {
  if (!serviceText) return advice;
  return `cloudHPC says: “${serviceText}”. ${advice}`;
}

export class CloudHpcError extends Error {
  readonly kind: ErrorKind;
  readonly endpoint: string;
  readonly httpStatus: number | null;
  /** errors[0] as the service sent it (redacted). */
  readonly serviceMessage: string | null;
  /** The service's text as plain text (HTML tags stripped), or null. */
  readonly serviceText: string | null;
  /** Our advice alone (without the service's text). */
  readonly advice: string;
  /** The service's text and our advice: what the UI shows. */
  readonly userMessage: string;
  readonly detail: string | null;
  readonly retryAfterMs: number | null;
  readonly outcomeUnknown: boolean;
  readonly feature: string | null;
  readonly transferFailure: TransferFailure | null;

  constructor(init: CloudHpcErrorInit) {
    const advice = redactText(init.userMessage ?? defaultAdvice[init.kind]);
    const endpoint = redactText(init.endpoint);
    const service = init.serviceMessage == null ? null : redactText(String(init.serviceMessage));
    const serviceText = service === null ? null : plainText(service) || null;
    const userMessage = compose(serviceText, advice);
    super(`${userMessage} [${endpoint}${init.httpStatus ? ` HTTP ${init.httpStatus}` : ''}]`);
    this.name = 'CloudHpcError';
    this.kind = init.kind;
    this.endpoint = endpoint;
    this.httpStatus = init.httpStatus ?? null;
    this.serviceMessage = service;
    this.serviceText = serviceText;
    this.advice = advice;
    this.userMessage = userMessage;
    this.detail = init.detail == null ? null : redactText(init.detail);
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
    this.feature = init.feature ?? null;
    this.transferFailure = init.transferFailure ?? null;
  }
}

export function isCloudHpcError(e: unknown, kind?: ErrorKind): e is CloudHpcError {
  return e instanceof CloudHpcError && (kind === undefined || e.kind === kind);
}

export function cancelledError(endpoint: string): CloudHpcError {
  return new CloudHpcError({ kind: 'cancelled', endpoint });
}

/** The reason of an aborted signal, as a CloudHpcError of kind `cancelled` unless it already is one. */
export function abortReason(signal: AbortSignal, endpoint: string): CloudHpcError {
  const r: unknown = signal.reason;
  if (r instanceof CloudHpcError) return r;
  return cancelledError(endpoint);
}

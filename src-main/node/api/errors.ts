// One error type for everything the cloudHPC client can fail with. The message is written for a
// person (what happened, what to do); `serviceMessage` keeps errors[0] from the service. No error
// built here ever carries the API key or a signed URL's query string: see redact.ts.
import type { ErrorKind } from './types';
import { redactText } from './redact';

export interface CloudHpcErrorInit {
  kind: ErrorKind;
  /** "GET /simulation/view-short/{id}" style: method and path template, never a query string. */
  endpoint: string;
  httpStatus?: number | null;
  serviceMessage?: string | null;
  /** Overrides the default message for the kind. */
  userMessage?: string;
  /** Technical detail for logs (already redacted). */
  detail?: string;
  /** For rate-limited: how long the service asked us to wait. */
  retryAfterMs?: number | null;
  /** True when a request may have reached the service before the connection failed. */
  outcomeUnknown?: boolean;
}

const defaultMessages: Record<ErrorKind, string> = {
  unauthorized: 'The API key was rejected: copy it again from your cloudHPC profile page (the API may also be unavailable on the FREE plan).',
  'not-found-or-forbidden': 'cloudHPC does not know this item or it is not yours: refresh the list and try again.',
  'rate-limited': 'The cloudHPC API call limit is used up for now: wait until the limit resets (usually within the hour) and try again.',
  network: 'cloudHPC could not be reached: check the internet connection (and the proxy settings), then try again.',
  server: 'cloudHPC had a technical problem: try again in a few minutes.',
  'bad-reply': 'cloudHPC sent a reply this app does not understand: try again later, and report it if it keeps happening.',
  transfer: 'A file transfer with the cloudHPC storage failed: check the connection and try again.',
  cancelled: 'The operation was cancelled.',
};

export class CloudHpcError extends Error {
  readonly kind: ErrorKind;
  readonly endpoint: string;
  readonly httpStatus: number | null;
  readonly serviceMessage: string | null;
  readonly userMessage: string;
  readonly detail: string | null;
  readonly retryAfterMs: number | null;
  readonly outcomeUnknown: boolean;

  constructor(init: CloudHpcErrorInit) {
    const userMessage = redactText(init.userMessage ?? defaultMessages[init.kind]);
    const endpoint = redactText(init.endpoint);
    const service = init.serviceMessage == null ? null : redactText(String(init.serviceMessage));
    super(`${userMessage} [${endpoint}${init.httpStatus ? ` HTTP ${init.httpStatus}` : ''}${service ? `: ${service}` : ''}]`);
    this.name = 'CloudHpcError';
    this.kind = init.kind;
    this.endpoint = endpoint;
    this.httpStatus = init.httpStatus ?? null;
    this.serviceMessage = service;
    this.userMessage = userMessage;
    this.detail = init.detail == null ? null : redactText(init.detail);
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.outcomeUnknown = init.outcomeUnknown ?? false;
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

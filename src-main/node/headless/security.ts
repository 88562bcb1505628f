// The headless server's gatekeeping: a random token (URL once, then an HttpOnly cookie or a
// header), Host checks against DNS rebinding, Origin checks against cross-site requests.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'cloudhpc_token';
export const TOKEN_HEADER = 'x-cloudhpc-token';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/** Cookies are per host, not per port: each server names its own so two instances never clobber each other. */
export function cookieName(port: number): string {
  return `${TOKEN_COOKIE}_${port}`;
}

/** The token a request carries (cookie or header), never from the URL except on the entry page. */
export function requestToken(req: IncomingMessage, port: number): string | null {
  const h = req.headers[TOKEN_HEADER];
  if (typeof h === 'string' && h !== '') return h;
  return parseCookies(req.headers.cookie).get(cookieName(port)) ?? null;
}

/** The hosts this server answers to: the loopback address and localhost, on its own port. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return typeof host === 'string' && allowedHosts(port).includes(host.toLowerCase());
}

/**
 * Origin must be this server's own when present. Browsers always send it on WebSocket handshakes
 * and on POSTs; a missing Origin means a non-browser client (curl, tests), which still needs the token.
 */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) {
    const site = req.headers['sec-fetch-site'];
    return site === undefined || site === 'same-origin' || site === 'none';
  }
  return allowedHosts(port).some((h) => origin.toLowerCase() === `http://${h}`);
}

export function contentSecurityPolicy(port: number): string {
  const ws = allowedHosts(port).map((h) => `ws://${h}`).join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${ws}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

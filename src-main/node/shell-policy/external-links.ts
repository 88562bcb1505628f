// Which links the app may hand to the system browser (shell.openExternal): http(s) only, to the
// cloudHPC web app, its docs and site, and the VNC host of a simulation the app knows. Anything else
// (file:, javascript:, custom schemes, look-alike hosts, credentials in the URL) is refused.

import { CLOUDHPC_WEB_HOSTS } from '../../common/web-hosts';

export type LinkVerdict = { allowed: true; url: string } | { allowed: false; reason: string };

/** The hosts of the known simulations' vnc_url values (invalid ones ignored). */
export function vncHosts(vncUrls: readonly (string | null | undefined)[]): string[] {
  const hosts = new Set<string>();
  for (const v of vncUrls) {
    if (!v) continue;
    try {
      const u = new URL(v);
      if (u.protocol === 'https:' || u.protocol === 'http:') hosts.add(u.hostname.toLowerCase());
    } catch {
      // not a URL: not a host to allow
    }
  }
  return [...hosts];
}

export function checkExternalUrl(raw: unknown, extraHosts: readonly string[] = []): LinkVerdict {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 4096) return { allowed: false, reason: 'Not a link.' };
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { allowed: false, reason: 'Not a valid link.' };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { allowed: false, reason: `Links with ${u.protocol} are not opened: only http and https.` };
  if (u.username || u.password) return { allowed: false, reason: 'Links carrying a user name or password are not opened.' };
  const host = u.hostname.toLowerCase();
  const allowed = new Set([...CLOUDHPC_WEB_HOSTS, ...extraHosts.map((h) => h.toLowerCase())]);
  if (!allowed.has(host)) return { allowed: false, reason: `${host} is not a cloudHPC address, so the app does not open it.` };
  return { allowed: true, url: u.toString() };
}

// Which service addresses the API key may be sent to: https anywhere, plain http only to this machine
// (the emulator, a local proxy), never with credentials in the address. One rule for the settings
// (what the UI may save) and the client (what it will send the key to).
const LOOPBACK_V4 = /^127(\.\d{1,3}){3}$/;

/** 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || LOOPBACK_V4.test(h);
}

/** Why the key may not be sent to `url` (a sentence that says what to do), or null when it may. */
export function serviceUrlProblem(url: string, example: string): string | null {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return `The service address must be an https address such as ${example}.`;
  }
  if (u.username !== '' || u.password !== '') return `The service address must not hold a user name or password: use ${example}.`;
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) return null;
  if (u.protocol === 'http:') return `The service address must use https (plain http only for this machine, e.g. http://127.0.0.1:8080/api/v2): the API key would travel unencrypted. Use ${example}.`;
  return `The service address must be an https address such as ${example}.`;
}

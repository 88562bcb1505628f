// Every IPC message is checked for where it comes from: the main window's web contents, its top frame
// (not an iframe), and the app's own page (the bundled file:// index.html; in development the
// electron-vite dev server's origin). Pure: the shell passes plain facts taken from the IPC event.

export interface SenderFacts {
  /** event.sender.id */
  webContentsId: number;
  /** event.senderFrame is the top frame (senderFrame.parent === null). */
  isTopFrame: boolean;
  /** event.senderFrame.url */
  frameUrl: string;
}

export interface TrustedPage {
  /** The main window's webContents.id */
  webContentsId: number;
  /** file:// URL of the bundled renderer index.html. */
  appUrl: string;
  /** Development only: the dev server URL (ELECTRON_RENDERER_URL); never set in a packaged app. */
  devServerUrl?: string | null;
}

/** Scheme, host and decoded path: the same file reached with different percent-encodings compares equal. */
function withoutHashAndQuery(u: URL, caseInsensitive: boolean): string {
  let path = u.pathname;
  try { path = decodeURIComponent(path); } catch { /* keep as is */ }
  const s = `${u.protocol}//${u.host}${path}`;
  return caseInsensitive ? s.toLowerCase() : s;
}

/** True when the URL is the app's page itself (hash and query ignored). */
export function isAppUrl(raw: string, page: Pick<TrustedPage, 'appUrl' | 'devServerUrl'>, caseInsensitive = process.platform === 'win32'): boolean {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return false;
  }
  if (u.protocol === 'file:') {
    const app = new URL(page.appUrl);
    return app.protocol === 'file:' && withoutHashAndQuery(u, caseInsensitive) === withoutHashAndQuery(app, caseInsensitive);
  }
  if (page.devServerUrl) {
    const dev = new URL(page.devServerUrl);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === dev.origin;
  }
  return false;
}

export type SenderVerdict = { trusted: true } | { trusted: false; reason: string };

export function checkSender(facts: SenderFacts, page: TrustedPage): SenderVerdict {
  if (facts.webContentsId !== page.webContentsId) return { trusted: false, reason: 'message from another window or web contents' };
  if (!facts.isTopFrame) return { trusted: false, reason: 'message from a sub-frame' };
  if (!isAppUrl(facts.frameUrl, page)) return { trusted: false, reason: `message from a page that is not the app (${safeUrlForLog(facts.frameUrl)})` };
  return { trusted: true };
}

/** A URL for a log line: scheme, host and path only. */
export function safeUrlForLog(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`.slice(0, 200);
  } catch {
    return '(not a URL)';
  }
}

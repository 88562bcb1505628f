// The renderer's security settings (Electron's security checklist), kept as data so a test can read
// them: isolated, sandboxed, no Node, web security on, no webviews, no navigation, no new windows,
// and a Content-Security-Policy under which the page can load only its own files and talk to nothing
// (every call goes through the preload to the main process).

export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: true,
  } as const;
}

/**
 * The CSP for the app page. Scripts: only the bundled files ('self'), no inline script, no eval.
 * Styles allow inline because Svelte writes style attributes and transition keyframes; that cannot run
 * code. connect-src 'none': the renderer has no network at all. In development the dev server's origin
 * (and its HMR WebSocket) is added.
 */
export function contentSecurityPolicy(devServerUrl?: string | null): string {
  const dev = devServerUrl ? new URL(devServerUrl) : null;
  const self = dev ? `'self' ${dev.origin}` : "'self'";
  const connect = dev ? `${dev.origin} ${dev.protocol === 'https:' ? 'wss' : 'ws'}://${dev.host}` : "'none'";
  return [
    "default-src 'none'",
    `script-src ${self}`,
    `style-src ${self} 'unsafe-inline'`,
    `img-src ${self} data:`,
    `font-src ${self}`,
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "worker-src 'none'",
    "manifest-src 'none'",
  ].join('; ');
}

/** will-navigate / will-redirect: the window never navigates away from the app (a reload of the same page is fine). */
export function mayNavigate(targetUrl: string, currentUrl: string): boolean {
  try {
    const t = new URL(targetUrl);
    const c = new URL(currentUrl);
    return t.protocol === c.protocol && t.host === c.host && t.pathname === c.pathname;
  } catch {
    return false;
  }
}

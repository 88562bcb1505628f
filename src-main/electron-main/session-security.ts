// Session-wide rules: the CSP as a response header too (the page also carries a meta CSP), every
// permission request (camera, notifications from the page, geolocation, ...) denied, and no downloads.
import type { Session } from 'electron';
import { contentSecurityPolicy } from '../node/shell-policy';
import type { LogSink } from '../node/api/redact';

export function secureSession(ses: Session, devServerUrl: string | null, log: LogSink): void {
  const csp = contentSecurityPolicy(devServerUrl);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  ses.setPermissionRequestHandler((_wc, permission, callback) => {
    log('warn', `permission request denied: ${permission}`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.on('will-download', (event) => event.preventDefault());
}

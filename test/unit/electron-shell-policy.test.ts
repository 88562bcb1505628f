// The Electron shell's security rules, as pure functions (Electron is not installed here): which links
// open in the browser, which IPC senders are trusted, the window's web preferences and CSP, navigation,
// the tray menu and which notifications reach the desktop.
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { NotificationPayload, TraySummary } from '../../src-main/common/contract';
import {
  checkExternalUrl, checkSender, contentSecurityPolicy, desktopNotification, eventChannel, isAppUrl, mayNavigate,
  requestChannel, secureWebPreferences, trayIconFile, trayMenuModel, trayTooltip, vncHosts,
} from '../../src-main/node/shell-policy';

describe('external links', () => {
  it('opens only http(s) links to the cloudHPC hosts and known VNC hosts', () => {
    expect(checkExternalUrl('https://cloud.cfdfeaservice.it/simulations')).toEqual({ allowed: true, url: 'https://cloud.cfdfeaservice.it/simulations' });
    expect(checkExternalUrl('https://docs.cloudhpc.cloud/api').allowed).toBe(true);
    expect(checkExternalUrl('http://cloudhpc.cloud/').allowed).toBe(true);
    const vnc = vncHosts(['https://vnc-7.cfdfeaservice.it:6080/vnc.html?password=x', null, 'not a url', 'javascript:alert(1)']);
    expect(vnc).toEqual(['vnc-7.cfdfeaservice.it']);
    expect(checkExternalUrl('https://vnc-7.cfdfeaservice.it:6080/vnc.html', vnc).allowed).toBe(true);
    expect(checkExternalUrl('https://vnc-7.cfdfeaservice.it:6080/vnc.html').allowed).toBe(false);
  });

  it.each([
    ['file:///etc/passwd', /file:/],
    ['javascript:alert(1)', /javascript:/],
    ['smb://cloudhpc.cloud/share', /smb:/],
    ['https://cloudhpc.cloud.evil.example/', /not a cloudHPC address/],
    ['https://evilcloudhpc.cloud/', /not a cloudHPC address/],
    ['https://user:pw@cloudhpc.cloud/', /user name or password/],
    ['https://cloudhpc.cloud@evil.example/', /user name or password/],
    ['not a url', /Not a valid link/],
  ])('refuses %s', (url, reason) => {
    const v = checkExternalUrl(url);
    expect(v.allowed).toBe(false);
    if (!v.allowed) expect(v.reason).toMatch(reason);
  });

  it('refuses what is not a string', () => {
    expect(checkExternalUrl({ toString: () => 'https://cloudhpc.cloud' }).allowed).toBe(false);
  });
});

describe('IPC sender check', () => {
  const appUrl = pathToFileURL('/opt/cloudHPC Sync/resources/app.asar/out/renderer/index.html').toString();
  const page = { webContentsId: 3, appUrl };

  it('trusts the main window top frame on the app page (hash and query ignored)', () => {
    expect(checkSender({ webContentsId: 3, isTopFrame: true, frameUrl: `${appUrl}#/projects` }, page)).toEqual({ trusted: true });
  });

  it('refuses another web contents, a sub-frame, another file, a web page', () => {
    expect(checkSender({ webContentsId: 4, isTopFrame: true, frameUrl: appUrl }, page)).toMatchObject({ trusted: false, reason: /another window/ });
    expect(checkSender({ webContentsId: 3, isTopFrame: false, frameUrl: appUrl }, page)).toMatchObject({ trusted: false, reason: /sub-frame/ });
    expect(checkSender({ webContentsId: 3, isTopFrame: true, frameUrl: 'file:///tmp/evil/index.html' }, page)).toMatchObject({ trusted: false, reason: /not the app/ });
    expect(checkSender({ webContentsId: 3, isTopFrame: true, frameUrl: 'https://cloudhpc.cloud/' }, page).trusted).toBe(false);
    expect(checkSender({ webContentsId: 3, isTopFrame: true, frameUrl: 'http://localhost:5173/' }, page).trusted).toBe(false);
  });

  it('compares the page path decoded (the same file, encoded differently, is the app page)', () => {
    const withParens = { appUrl: pathToFileURL('/opt/app (x)/out/renderer/index.html').toString() };
    expect(isAppUrl('file:///opt/app%20(x)/out/renderer/index.html', withParens)).toBe(true);
    expect(isAppUrl('file:///opt/app%20%28x%29/out/renderer/index.html', withParens)).toBe(true);
    expect(isAppUrl('file:///opt/app%20(x)/out/renderer/other.html', withParens)).toBe(false);
    expect(isAppUrl('file:///C:/Apps/out/renderer/index.html', { appUrl: 'file:///c:/apps/out/renderer/index.html' }, true)).toBe(true);
    expect(isAppUrl('file:///C:/Apps/out/renderer/index.html', { appUrl: 'file:///c:/apps/out/renderer/index.html' }, false)).toBe(false);
  });

  it('trusts the dev server origin only when it is configured (development)', () => {
    const dev = { ...page, devServerUrl: 'http://localhost:5173' };
    expect(isAppUrl('http://localhost:5173/index.html', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('http://localhost:5173/', page)).toBe(false);
  });

  it('uses one channel per request and per event', () => {
    expect(requestChannel('launchSimulation')).toBe('cloudhpc:req:launchSimulation');
    expect(eventChannel('projectState')).toBe('cloudhpc:evt:projectState');
  });
});

describe('window security', () => {
  it('isolates and sandboxes the renderer without Node', () => {
    const p = secureWebPreferences('/app/out/preload/index.cjs');
    expect(p).toMatchObject({
      preload: '/app/out/preload/index.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false, navigateOnDragDrop: false,
    });
  });

  it('the CSP allows only the app\'s own scripts and no network', () => {
    const csp = contentSecurityPolicy();
    const d = Object.fromEntries(csp.split('; ').map((x) => [x.split(' ')[0], x.split(' ').slice(1).join(' ')]));
    expect(d['default-src']).toBe("'none'");
    expect(d['script-src']).toBe("'self'");
    expect(d['connect-src']).toBe("'none'");
    expect(d['object-src']).toBe("'none'");
    expect(d['frame-ancestors']).toBe("'none'");
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(d['script-src']).not.toMatch(/unsafe-inline/);
    expect(contentSecurityPolicy('http://localhost:5173')).toMatch(/connect-src http:\/\/localhost:5173 ws:\/\/localhost:5173/);
  });

  it('never navigates away from the app page', () => {
    const app = 'file:///opt/app/out/renderer/index.html';
    expect(mayNavigate(`${app}#x`, app)).toBe(true);
    expect(mayNavigate('file:///etc/passwd', app)).toBe(false);
    expect(mayNavigate('https://cloudhpc.cloud/', app)).toBe(false);
    expect(mayNavigate('garbage', app)).toBe(false);
  });
});

describe('tray', () => {
  const summary: TraySummary = { icon: 'running', line: '2 simulations running · 412 of 500 API calls left this hour', running: [{ id: 10030, label: 'caseA #10030 (RUNNING)', percent: null }, { id: 10031, label: 'caseB #10031', percent: null }], allPaused: false };

  it('always has Open, then each running simulation with soft/hard stop, pause all and quit', () => {
    const m = trayMenuModel(summary);
    expect(m[0]).toMatchObject({ kind: 'action', action: { type: 'open' } });
    const subs = m.filter((i) => i.kind === 'submenu');
    expect(subs.map((s) => s.label)).toEqual(['caseA #10030 (RUNNING)', 'caseB #10031']);
    const first = subs[0];
    if (first?.kind !== 'submenu') throw new Error('no submenu');
    expect(first.items.map((i) => (i.kind === 'action' ? i.action : null))).toEqual([{ type: 'stop', id: 10030, mode: 'soft' }, { type: 'stop', id: 10030, mode: 'hard' }]);
    const actions = m.flatMap((i) => (i.kind === 'action' ? [i.action.type] : []));
    expect(actions).toEqual(['open', 'pause-all', 'quit']);
    expect(trayMenuModel({ ...summary, running: [], allPaused: true }).flatMap((i) => (i.kind === 'action' ? [i.action.type] : []))).toEqual(['open', 'resume-all', 'quit']);
  });

  it('a running simulation with a known percent shows it in its menu label', () => {
    const m = trayMenuModel({ ...summary, running: [{ id: 10030, label: '#10030 caseA (running)', percent: 42.7 }, { id: 10031, label: '#10031 caseB (running)', percent: null }] });
    expect(m.filter((i) => i.kind === 'submenu').map((s) => s.label)).toEqual(['#10030 caseA (running) · 42 %', '#10031 caseB (running)']);
  });

  it('icon per state from build/tray, tooltip within the Windows limit', () => {
    expect(['idle', 'syncing', 'attention', 'running'].map((s) => trayIconFile(s as TraySummary['icon']))).toEqual(['tray/idle.png', 'tray/syncing.png', 'tray/attention.png', 'tray/running.png']);
    expect(trayTooltip(summary)).toBe('cloudHPC Sync: 2 simulations running · 412 of 500 API calls left this hour');
    expect(trayTooltip({ line: 'x'.repeat(300) })).toHaveLength(127);
  });
});

describe('desktop notifications', () => {
  const on = { simulationEnded: true, resultsPulled: true, conflict: true, keyRejected: true, simulationWarning: true };
  const ended: NotificationPayload = { kind: 'simulation-ended', title: 'caseA #10030 completed with errors', body: 'COMPLETED, but the log shows a solver failure', simulationId: 10030, at: '2026-11-26T10:00:00Z' };

  it('shows the five kinds unless turned off, nothing else', () => {
    expect(desktopNotification(ended, on)).toEqual({ title: 'caseA #10030 completed with errors', body: 'COMPLETED, but the log shows a solver failure' });
    expect(desktopNotification(ended, { ...on, simulationEnded: false })).toBeNull();
    expect(desktopNotification({ ...ended, kind: 'results-pulled' }, { ...on, resultsPulled: false })).toBeNull();
    expect(desktopNotification({ ...ended, kind: 'conflict' }, on)).not.toBeNull();
    expect(desktopNotification({ ...ended, kind: 'key-rejected' }, { ...on, keyRejected: false })).toBeNull();
    expect(desktopNotification({ ...ended, kind: 'info' }, on)).toBeNull();
    expect(desktopNotification({ ...ended, kind: 'simulation-warning' }, on)).not.toBeNull();
    expect(desktopNotification({ ...ended, kind: 'simulation-warning' }, { ...on, simulationWarning: false })).toBeNull();
  });
});

// The shell's lifecycle rules as pure functions (Electron is not installed here): whether a tray is
// really shown (Linux asks the session bus), what closing the window and a login start do, the quit
// deadline, notifications kept until closed, and whether Chromium's sandbox lets an unpackaged
// Electron start.
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  askStatusNotifierHost, closeAction, LOGIN_ARG, NotificationHold, notificationOptions, parseStatusNotifierReply, QUIT_DEADLINE_MS,
  sandboxVerdict, SESSION_END_DEADLINE_MS, startedAtLogin, startupWindow, STATUS_NOTIFIER_QUERY, stopWithin, trayShown, type SandboxFacts,
} from '../../src-main/node/shell-policy';

describe('tray shown, close and start-up', () => {
  it('a created tray is shown on macOS and Windows; on Linux only when a StatusNotifier host is registered', () => {
    expect(trayShown({ platform: 'darwin', trayCreated: true, statusNotifierHost: null })).toBe(true);
    expect(trayShown({ platform: 'win32', trayCreated: true, statusNotifierHost: null })).toBe(true);
    expect(trayShown({ platform: 'linux', trayCreated: true, statusNotifierHost: true })).toBe(true);
    // GNOME without the AppIndicator extension: new Tray() succeeded, nothing draws it.
    expect(trayShown({ platform: 'linux', trayCreated: true, statusNotifierHost: false })).toBe(false);
    expect(trayShown({ platform: 'linux', trayCreated: true, statusNotifierHost: null })).toBe(false);
    expect(trayShown({ platform: 'win32', trayCreated: false, statusNotifierHost: null })).toBe(false);
  });

  it('closing hides to a shown tray, minimises when none is shown, closes when the user wants or when quitting', () => {
    expect(closeAction({ quitting: false, closeToTray: true, trayShown: true })).toBe('hide');
    expect(closeAction({ quitting: false, closeToTray: true, trayShown: false })).toBe('minimize');
    expect(closeAction({ quitting: false, closeToTray: false, trayShown: true })).toBe('close');
    expect(closeAction({ quitting: true, closeToTray: true, trayShown: true })).toBe('close');
  });

  it('a login start stays in a shown tray, else starts minimised; a normal start shows the window', () => {
    expect(startupWindow({ startedAtLogin: true, trayShown: true })).toBe('tray');
    expect(startupWindow({ startedAtLogin: true, trayShown: false })).toBe('minimized');
    expect(startupWindow({ startedAtLogin: false, trayShown: true })).toBe('show');
  });

  it('a login start is told by --hidden on Windows and Linux, by wasOpenedAtLogin on macOS (which ignores args)', () => {
    expect(LOGIN_ARG).toBe('--hidden');
    expect(startedAtLogin({ platform: 'win32', argv: ['app.exe', '--hidden'], wasOpenedAtLogin: false })).toBe(true);
    expect(startedAtLogin({ platform: 'linux', argv: ['cloudhpc-sync'], wasOpenedAtLogin: true })).toBe(false);
    expect(startedAtLogin({ platform: 'darwin', argv: ['cloudHPC Sync'], wasOpenedAtLogin: true })).toBe(true);
    expect(startedAtLogin({ platform: 'darwin', argv: ['cloudHPC Sync', '--hidden'], wasOpenedAtLogin: false })).toBe(false);
  });
});

describe('asking the session bus for a StatusNotifier host', () => {
  it('reads dbus-send\'s real boolean reply format', () => {
    // A real reply of the same shape (a boolean) from the bus daemon of a private session.
    const real = spawnSync('dbus-run-session', ['--', 'dbus-send', '--session', '--print-reply=literal', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.DBus'], { encoding: 'utf8', timeout: 20_000 });
    expect(real.status).toBe(0);
    expect(parseStatusNotifierReply(0, real.stdout)).toBe(true);
    expect(parseStatusNotifierReply(0, `   variant       ${real.stdout.trim()}\n`)).toBe(true);
    expect(parseStatusNotifierReply(0, '   variant       boolean false\n')).toBe(false);
    expect(parseStatusNotifierReply(1, 'boolean true')).toBe(false);
  });

  it('a session bus without a watcher (no panel draws tray icons) answers no', () => {
    const r = spawnSync('dbus-run-session', ['--', 'dbus-send', ...STATUS_NOTIFIER_QUERY], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/org\.kde\.StatusNotifierWatcher/);
    expect(parseStatusNotifierReply(r.status, r.stdout)).toBe(false);
  });

  it('no reachable bus: false, within its deadline; no dbus-send at all: unknown (null)', async () => {
    expect(await askStatusNotifierHost({ PATH: process.env.PATH, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' })).toBe(false);
    expect(await askStatusNotifierHost({ PATH: '/nonexistent' })).toBeNull();
  });
});

describe('quit deadline', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('a hung stop is given up at the deadline, so quitting cannot hang', async () => {
    vi.useFakeTimers();
    let settled: string | null = null;
    void stopWithin(() => new Promise(() => {}), QUIT_DEADLINE_MS).then((o) => { settled = o; });
    await vi.advanceTimersByTimeAsync(QUIT_DEADLINE_MS - 1);
    expect(settled).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe('timed-out');
  });

  it('a stop that finishes, fails or throws is reported as such, and clears its timer', async () => {
    vi.useFakeTimers();
    expect(await stopWithin(async () => {}, 1_000)).toBe('stopped');
    expect(await stopWithin(() => Promise.reject(new Error('disk gone')), 1_000)).toBe('failed');
    expect(await stopWithin(() => { throw new Error('sync throw'); }, 1_000)).toBe('failed');
    expect(vi.getTimerCount()).toBe(0);
    expect(SESSION_END_DEADLINE_MS).toBeLessThan(QUIT_DEADLINE_MS);
  });
});

describe('notifications', () => {
  it('are held until closed or failed, at most the cap, oldest dropped first', () => {
    const hold = new NotificationHold<EventEmitter>(3);
    const ns = Array.from({ length: 4 }, () => new EventEmitter());
    for (const n of ns.slice(0, 3)) hold.hold(n);
    expect(hold.size).toBe(3);
    ns[0]?.emit('close');
    ns[1]?.emit('failed', 'no daemon');
    expect([hold.has(ns[0] as EventEmitter), hold.has(ns[1] as EventEmitter), hold.has(ns[2] as EventEmitter)]).toEqual([false, false, true]);
    hold.hold(ns[3] as EventEmitter);
    for (let i = 0; i < 3; i++) hold.hold(new EventEmitter());
    expect(hold.size).toBe(3);
    expect(hold.has(ns[2] as EventEmitter)).toBe(false);
  });

  it('carry the app icon on Linux only (elsewhere the OS shows the app\'s own)', () => {
    const n = { title: 'caseA #10030 completed', body: 'Results pulled' };
    expect(notificationOptions(n, 'linux', '/opt/cloudHPC Sync/resources/icons/512x512.png')).toEqual({ ...n, silent: false, icon: '/opt/cloudHPC Sync/resources/icons/512x512.png' });
    expect(notificationOptions(n, 'win32', '/x.png')).toEqual({ ...n, silent: false });
    expect(notificationOptions(n, 'darwin', '/x.png')).toEqual({ ...n, silent: false });
  });
});

describe('Chromium\'s sandbox for an unpackaged Electron', () => {
  const ok: SandboxFacts = { platform: 'linux', uid: 1000, userNamespaces: 'allowed', helper: { rootOwned: false, setuid: false } };
  const helper = '/home/u/app/node_modules/electron/dist/chrome-sandbox';

  it('starts with user namespaces, or with a root-owned setuid helper where AppArmor restricts them', () => {
    expect(sandboxVerdict(ok, helper)).toEqual({ ok: true });
    expect(sandboxVerdict({ ...ok, userNamespaces: 'restricted', helper: { rootOwned: true, setuid: true } }, helper)).toEqual({ ok: true });
    expect(sandboxVerdict({ ...ok, platform: 'darwin', uid: 0 }, helper)).toEqual({ ok: true });
  });

  it('Ubuntu 23.10+ without the helper set up: says why and gives the fixes, the sandbox-keeping one first', () => {
    const v = sandboxVerdict({ ...ok, userNamespaces: 'restricted' }, helper);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.reason).toMatch(/AppArmor/);
      expect(v.fixes[0]).toBe(`sudo chown root:root '${helper}' && sudo chmod 4755 '${helper}'  (keeps the sandbox; redo after reinstalling electron)`);
      expect(v.fixes.join('\n')).toMatch(/NO_SANDBOX=1/);
    }
  });

  it('as root Chromium will not start its sandbox at all', () => {
    expect(sandboxVerdict({ ...ok, uid: 0 }, helper)).toMatchObject({ ok: false, reason: expect.stringMatching(/root/) });
  });
});

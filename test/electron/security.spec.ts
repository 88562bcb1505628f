// The window's security settings in a real Electron (skipped where the binary is absent). Links the app
// would hand to the system browser are recorded by the main-process test hook instead of opened.
import { expect, test } from '@playwright/test';
import { NATIVE_SKIP_REASON, NO_DISPLAY_REASON, SKIP_REASON, displayAvailable, electronAvailable, launchApp, nativeReady, type E2EHook, type LaunchedApp } from './fixtures';

test.skip(!electronAvailable, SKIP_REASON);
test.skip(!nativeReady, NATIVE_SKIP_REASON);
test.skip(!displayAvailable, NO_DISPLAY_REASON);

let launched: LaunchedApp;
test.beforeEach(async () => { launched = await launchApp(); });
test.afterEach(async () => { await launched.close(); });

const opened = (l: LaunchedApp): Promise<string[]> => l.app.evaluate(() => [...(globalThis as unknown as { __cloudhpcE2E: E2EHook }).__cloudhpcE2E.openedExternally]);

test('the renderer is isolated, sandboxed and has no Node', async () => {
  // The OS reports the renderer process as sandboxed (the metric exists on macOS and Windows).
  const sandboxed = await launched.app.evaluate(({ app, BrowserWindow }) => {
    const pid = BrowserWindow.getAllWindows()[0]?.webContents.getOSProcessId();
    return app.getAppMetrics().find((m) => m.pid === pid)?.sandboxed ?? null;
  });
  if (process.platform !== 'linux') expect(sandboxed).toBe(true);
  const page = launched.page;
  // Context isolation: only the bridge reaches the page, no IPC object.
  expect(await page.evaluate(() => {
    const w = window as unknown as { cloudhpc: Record<string, unknown>; ipcRenderer?: unknown; electron?: unknown };
    return [typeof w.ipcRenderer, typeof w.electron, typeof w.cloudhpc.ipcRenderer, typeof w.cloudhpc.invoke];
  })).toEqual(['undefined', 'undefined', 'undefined', 'undefined']);
  expect(await page.evaluate(() => [typeof (globalThis as Record<string, unknown>).require, typeof (globalThis as Record<string, unknown>).process])).toEqual(['undefined', 'undefined']);
  expect(await page.evaluate(() => typeof (window as unknown as { cloudhpc: { launchSimulation: unknown } }).cloudhpc.launchSimulation)).toBe('function');
});

test('no network from the page, no new windows, no navigation away, permissions denied', async () => {
  const page = launched.page;
  const fetched = await page.evaluate(() => fetch('https://cloudhpc.cloud/').then(() => 'loaded', (e: unknown) => String(e)));
  expect(fetched).not.toBe('loaded');
  // window.open never opens a window: a cloudHPC link goes to the system browser, any other is dropped.
  expect(await page.evaluate(() => [window.open('https://cloudhpc.cloud/docs') === null, window.open('https://example.com/') === null])).toEqual([true, true]);
  await expect.poll(() => opened(launched)).toEqual(['https://cloudhpc.cloud/docs']);
  expect(await launched.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  const before = page.url();
  await page.evaluate(() => { window.location.href = 'https://example.com/'; });
  await expect.poll(() => page.url(), { timeout: 2_000 }).toBe(before);
  expect(await opened(launched)).toEqual(['https://cloudhpc.cloud/docs']);
  expect(await page.evaluate(() => Notification.requestPermission())).toBe('denied');
});

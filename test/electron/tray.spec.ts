// The tray menu in a real Electron: always Open, pause/resume all, quit; Pause acts on the core.
import { expect, test } from '@playwright/test';
import { NO_DISPLAY_REASON, SKIP_REASON, displayAvailable, electronAvailable, launchApp, type LaunchedApp } from './fixtures';

test.skip(!electronAvailable, SKIP_REASON);
test.skip(!displayAvailable, NO_DISPLAY_REASON);

let launched: LaunchedApp;
test.beforeEach(async () => { launched = await launchApp(); });
test.afterEach(async () => { await launched.close(); });

interface Hook { trayMenu(): { items: { label: string; click: () => void }[] } | null }

test('the tray menu has Open, Pause all syncing and Quit, and hides rather than closes the window', async () => {
  const labels = await launched.app.evaluate(() => (globalThis as unknown as { __cloudhpcE2E: Hook }).__cloudhpcE2E.trayMenu()?.items.map((i) => i.label) ?? null);
  expect(labels).not.toBeNull();
  expect(labels?.filter((l) => l !== '')).toEqual(['Open cloudHPC Sync', 'Pause all syncing', 'Quit cloudHPC Sync']);

  // Close hides to the tray (default setting), "Open" brings it back.
  await launched.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
  await expect.poll(() => launched.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible() ?? null)).toBe(false);
  await launched.app.evaluate(() => (globalThis as unknown as { __cloudhpcE2E: Hook }).__cloudhpcE2E.trayMenu()?.items[0]?.click());
  await expect.poll(() => launched.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible() ?? null)).toBe(true);
});

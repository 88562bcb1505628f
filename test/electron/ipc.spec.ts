// IPC sender checks in a real Electron: the app window is answered, another window carrying the same
// preload (a foreign page) is refused.
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { NATIVE_SKIP_REASON, NO_DISPLAY_REASON, SKIP_REASON, displayAvailable, electronAvailable, launchApp, nativeReady, root, type LaunchedApp } from './fixtures';

test.skip(!electronAvailable, SKIP_REASON);
test.skip(!nativeReady, NATIVE_SKIP_REASON);
test.skip(!displayAvailable, NO_DISPLAY_REASON);

let launched: LaunchedApp;
test.beforeEach(async () => { launched = await launchApp(); });
test.afterEach(async () => { await launched.close(); });

type Reply = { ok: boolean; error?: { code: string; message: string } };

test('the app window gets answers', async () => {
  const reply = await launched.page.evaluate(() => (window as unknown as { cloudhpc: { getSettings(p: object): Promise<Reply> } }).cloudhpc.getSettings({}));
  expect(reply.ok).toBe(true);
});

test('a foreign page with the same preload is refused', async () => {
  const preload = join(root, 'out', 'preload', 'index.cjs');
  const reply = await launched.app.evaluate(async ({ BrowserWindow }, preloadPath) => {
    const w = new BrowserWindow({ show: false, webPreferences: { preload: preloadPath, sandbox: true, contextIsolation: true } });
    await w.loadURL('data:text/html,<title>foreign</title>');
    const r = await w.webContents.executeJavaScript('window.cloudhpc.getSettings({})') as Reply;
    w.destroy();
    return r;
  }, preload);
  expect(reply).toEqual({ ok: false, error: { code: 'not-allowed', message: expect.stringMatching(/did not come from the app window/) } });
});

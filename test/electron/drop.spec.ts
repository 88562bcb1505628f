// Drop in a real Electron: a file picked through a real file input has its path (webUtils.getPathForFile
// in the preload, one File per call as the renderer's drop.ts does: contextBridge would copy a FileList
// without its length); the main process re-checks it and refuses the app's own data folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { NATIVE_SKIP_REASON, NO_DISPLAY_REASON, SKIP_REASON, displayAvailable, electronAvailable, launchApp, nativeReady, type LaunchedApp } from './fixtures';

test.skip(!electronAvailable, SKIP_REASON);
test.skip(!nativeReady, NATIVE_SKIP_REASON);
test.skip(!displayAvailable, NO_DISPLAY_REASON);

let launched: LaunchedApp;
let dir: string;
test.beforeEach(async () => {
  launched = await launchApp();
  dir = mkdtempSync(join(tmpdir(), 'drop-e2e-'));
});
test.afterEach(async () => {
  await launched.close();
  rmSync(dir, { recursive: true, force: true });
});

type Bridge = { getPathForFile(f: File): string; dropFiles(p: object): Promise<{ ok: boolean; error?: { code: string; message: string } }> };

test('dropped files keep their real paths; the app data folder is refused by the main process', async () => {
  const files = [join(dir, 'mesh.stl'), join(dir, 'controlDict')];
  for (const f of files) writeFileSync(f, 'solid x\nendsolid x\n');
  const page = launched.page;
  await page.evaluate(() => {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.id = 'e2e-drop';
    document.body.append(input);
  });
  await page.setInputFiles('#e2e-drop', files);
  const paths = await page.evaluate(() => {
    const bridge = (window as unknown as { cloudhpc: Bridge }).cloudhpc;
    return Array.from((document.getElementById('e2e-drop') as HTMLInputElement).files ?? [], (f) => bridge.getPathForFile(f));
  });
  expect(paths).toEqual(files);

  const refused = await page.evaluate((p) => (window as unknown as { cloudhpc: Bridge }).cloudhpc.dropFiles({ projectId: null, sources: [{ kind: 'path', path: p }] }), launched.home);
  expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/app's own data folder/) } });
});

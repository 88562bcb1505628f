// Drop in a real Electron: files picked through a real file input have paths (webUtils.getPathForFile
// in the preload); the main process re-checks them and refuses the app's own data folder.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { NO_DISPLAY_REASON, SKIP_REASON, displayAvailable, electronAvailable, launchApp, type LaunchedApp } from './fixtures';

test.skip(!electronAvailable, SKIP_REASON);
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

type Bridge = { getPathsForDroppedFiles(f: FileList): string[]; dropFiles(p: object): Promise<{ ok: boolean; error?: { code: string; message: string } }> };

test('dropped files keep their real paths; the app data folder is refused by the main process', async () => {
  const file = join(dir, 'mesh.stl');
  writeFileSync(file, 'solid x\nendsolid x\n');
  const page = launched.page;
  await page.evaluate(() => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'e2e-drop';
    document.body.append(input);
  });
  await page.setInputFiles('#e2e-drop', file);
  const paths = await page.evaluate(() => (window as unknown as { cloudhpc: Bridge }).cloudhpc.getPathsForDroppedFiles((document.getElementById('e2e-drop') as HTMLInputElement).files as FileList));
  expect(paths).toEqual([file]);

  const refused = await page.evaluate((p) => (window as unknown as { cloudhpc: Bridge }).cloudhpc.dropFiles({ projectId: null, sources: [{ kind: 'path', path: p }] }), launched.home);
  expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/app's own data folder/) } });
});

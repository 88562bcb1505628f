// Issue 16, hole 4 in the master-detail layout: a case with a name that is not valid UTF-8 and a link
// shows, in the project's details, what cannot be synced and why; the state never reads "Up to date".
// 1280×800 light and 800×600 dark; the list opens with the keyboard.
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { writeFdsSample } from '../../emulator/samples';
import { RIGHT_KEY, shot, startStack, watchedPage, type Stack } from './fixtures';

let stack: Stack;

test.beforeAll(async () => { stack = await startStack({ key: RIGHT_KEY }); });
test.afterAll(async () => { await stack?.stop(); });

test('what cannot be synced is listed with the reason in the project details', async ({ browser }) => {
  const caseDir = join(stack.cases, 'odd_names');
  await writeFdsSample(caseDir);
  await mkdir(caseDir, { recursive: true });
  await writeFile(Buffer.concat([Buffer.from(`${caseDir}/`), Buffer.from([0x65, 0x74, 0xe9, 0x2e, 0x74, 0x78, 0x74])]), 'latin-1 name'); // "et\xe9.txt"
  await symlink('/etc/hostname', join(caseDir, 'link.txt'));
  stack.core.workspace.addProject(caseDir);

  const { page, consoleErrors } = await watchedPage(browser);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(stack.server.url);
  await page.getByTestId('project-row').filter({ hasText: 'odd_names' }).click();
  const details = page.getByTestId('project-details');
  const list = details.getByTestId('left-out');
  await expect(list).toBeVisible({ timeout: 20_000 });
  await expect(list).toContainText('2 items cannot be synced');
  await expect(details.getByTestId('project-state')).toHaveText(/Pushed what can be synced/, { timeout: 20_000 });
  await expect(details.getByTestId('project-state')).not.toHaveText('Up to date');
  await expect(page.getByTestId('tray-summary')).not.toContainText('up to date');
  await list.locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect(list).toContainText('link.txt');
  await expect(list).toContainText('et\\xE9.txt');
  await shot(page, 'left-out-1280-light');

  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 800, height: 600 });
  await expect(list).toBeVisible();
  await shot(page, 'left-out-800-dark');

  // resolvable where it is shown: the link is left out on purpose through .cloudhpcignore; the
  // name that is not valid UTF-8 stays listed (only renaming it helps)
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
  const attention = details.locator('[data-testid="attention"][data-code="left-out"]');
  await expect(attention).toContainText('2 items of the case cannot be synced');
  await attention.getByRole('button', { name: 'Add to .cloudhpcignore' }).click();
  await expect(list).toContainText('1 item cannot be synced', { timeout: 20_000 });
  await expect(list).not.toContainText('link.txt');
  await expect(attention).not.toContainText('.cloudhpcignore');
  expect(await readFile(join(caseDir, '.cloudhpcignore'), 'utf8')).toContain('/link.txt');
  await shot(page, 'left-out-after-ignore');
  expect(consoleErrors).toEqual([]);
  await page.close();
});

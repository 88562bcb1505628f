// The storage browser in a real browser against the headless app and the emulator: browse (cached
// listings with their age and cost, breadcrumbs, sort, filter, keyboard), download a folder, delete a
// file with a confirmation, open a case from the cloud as a project (and merge into a folder that
// holds files), get the results of a run started elsewhere from Simulations; 800×600, dark theme.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import * as tar from 'tar';
import { RIGHT_KEY, shot, startStack, type Stack, watchedPage } from './fixtures';

test.describe.configure({ mode: 'serial' });

const FDS = "&HEAD CHID='room_fire' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TIME T_END=10 /\n&TAIL /\n";

let stack: Stack;
let page: Page;
let consoleErrors: string[] = [];

/** A .tar.gz of `files` with the content at the archive root (as the provider's clients pack a case). */
async function caseArchive(files: Record<string, string>): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'e2e-tar-'));
  try {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(dir, 'src', rel, '..'), { recursive: true });
      writeFileSync(join(dir, 'src', rel), text);
    }
    await tar.c({ gzip: true, file: join(dir, 'a.tar.gz'), cwd: join(dir, 'src') }, await readdir(join(dir, 'src')));
    return await readFile(join(dir, 'a.tar.gz'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test.beforeAll(async ({ browser }) => {
  stack = await startStack();
  const { emu } = stack;
  await emu.seedFile(RIGHT_KEY, 'fireRun/room_fire.fds', FDS);
  await emu.seedFile(RIGHT_KEY, 'fireRun/notes.txt', 'notes\n');
  await emu.seedFile(RIGHT_KEY, 'fireRun/old.log', 'an old log\n');
  await emu.seedFile(RIGHT_KEY, 'fireRun/sub/probe.csv', 't,T\n0,20\n');
  await emu.seedFile(RIGHT_KEY, 'caseB/upload.tar.gz', await caseArchive({ 'room_fire.fds': FDS, 'system/readme.txt': 'inputs\n' }));
  await emu.seedFile(RIGHT_KEY, 'caseB/cloudhpc.log', 'log\n');
  const r = await stack.core.call('setApiKey', { key: RIGHT_KEY });
  if (!r.ok) throw new Error(r.error.message);
  ({ page, consoleErrors } = await watchedPage(browser));
});

test.afterAll(async () => {
  await page?.close();
  await stack?.stop();
});

const row = (name: string) => page.getByTestId('storage-row').filter({ hasText: new RegExp(`^\\S*\\s*${name.replace('.', '\\.')}`) });
const view = () => page.getByTestId('storage-view');

test('browse: folders listed once and kept (age and cost shown), breadcrumbs, sort, filter, keyboard', async () => {
  await page.goto(stack.server.url);
  await page.getByRole('tab', { name: 'Storage' }).click();
  await expect(row('caseB')).toBeVisible();
  await expect(row('fireRun')).toBeVisible();
  await expect(page.getByTestId('storage-meta')).toContainText(/2 folders, 0 files .* listed just now, \d+ API calls?/);
  await expect(page.getByTestId('storage-budget')).toContainText(/Browsing: \d+ API calls? this hour · \d+ of 20000 API calls left/);
  await shot(page, 'storage-01-root');

  await row('fireRun').getByRole('button', { name: 'fireRun' }).click();
  await expect(row('old.log')).toBeVisible();
  await expect(view().getByRole('navigation', { name: 'Folder path' })).toContainText(/Storage\s*\/\s*fireRun/);
  await expect(page.getByTestId('storage-meta')).toContainText('1 folder, 3 files');
  // Sort by size, largest first: old.log (11 B) before notes.txt (6 B); folders stay first.
  await view().getByRole('button', { name: 'Size' }).click();
  await expect(page.getByTestId('storage-row').nth(1)).toHaveAttribute('data-path', 'fireRun/room_fire.fds');
  await expect(page.getByTestId('storage-row').nth(2)).toHaveAttribute('data-path', 'fireRun/old.log');
  await page.getByPlaceholder('Filter by name').fill('note');
  await expect(page.getByTestId('storage-row')).toHaveCount(1);
  await page.getByPlaceholder('Filter by name').fill('');

  // Back to the root through the breadcrumbs: the kept listing, no call.
  const calls = stack.emu.calls(RIGHT_KEY).total;
  await view().getByRole('navigation', { name: 'Folder path' }).getByRole('button', { name: 'Storage' }).click();
  await expect(page.getByTestId('storage-meta')).toContainText('kept: no API call now');
  expect(stack.emu.calls(RIGHT_KEY).total).toBe(calls);

  // Keyboard: arrows move, Enter opens a folder, Backspace goes up.
  await row('caseB').click();
  await row('caseB').focus();
  await page.keyboard.press('ArrowDown');
  await expect(row('fireRun')).toHaveAttribute('aria-selected', 'true');
  await expect(row('fireRun')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(row('old.log')).toBeVisible();
  await page.getByTestId('storage-row').first().focus();
  await page.keyboard.press('Backspace');
  await expect(row('caseB')).toBeVisible();
});

test('download a folder: the cost first, then the files, file by file', async () => {
  const dest = join(stack.work, 'downloads');
  await row('fireRun').click();
  await view().getByRole('button', { name: 'Download…' }).click();
  const dialog = page.getByTestId('transfer-dialog');
  await dialog.getByLabel('Local folder to download into').fill(dest);
  await dialog.getByRole('button', { name: 'Show what it costs' }).click();
  await expect(dialog.getByTestId('transfer-plan')).toContainText('4 files');
  await expect(dialog.getByTestId('transfer-cost')).toContainText('Costs 4 API calls');
  await shot(page, 'storage-02-download-plan');
  await dialog.getByRole('button', { name: 'Download', exact: true }).click();
  await expect(dialog).toBeHidden();
  const transfer = page.getByTestId('storage-transfer').first();
  await expect(transfer).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(transfer.getByTestId('transfer-summary')).toContainText('4 files downloaded');
  expect(await readFile(join(dest, 'fireRun', 'sub', 'probe.csv'), 'utf8')).toBe('t,T\n0,20\n');
  expect(await readFile(join(dest, 'fireRun', 'room_fire.fds'), 'utf8')).toBe(FDS);
  await shot(page, 'storage-03-downloaded');
});

test('delete a file: a confirmation says what goes; then it is gone', async () => {
  await row('fireRun').getByRole('button', { name: 'fireRun' }).click();
  await row('old.log').click();
  await view().getByRole('button', { name: 'Delete…' }).click();
  const dialog = page.getByTestId('delete-dialog');
  await expect(dialog).toContainText('The file fireRun/old.log');
  await expect(dialog).toContainText('Costs 2 API calls');
  await shot(page, 'storage-04-delete-confirm');
  expect(Object.keys(await stack.emu.files(RIGHT_KEY, 'fireRun'))).toContain('old.log');
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('toast').filter({ hasText: 'Deleted' })).toContainText('fireRun/old.log');
  await expect(row('old.log')).toHaveCount(0);
  expect(Object.keys(await stack.emu.files(RIGHT_KEY, 'fireRun'))).not.toContain('old.log');
  await view().getByRole('navigation', { name: 'Folder path' }).getByRole('button', { name: 'Storage' }).click();
});

test('open a case from the cloud as a project (a folder that holds files only when merged)', async () => {
  const full = join(stack.cases, 'not-empty');
  mkdirSync(full, { recursive: true });
  writeFileSync(join(full, 'room_fire.fds'), 'mine\n');
  await row('caseB').click();
  await view().getByRole('button', { name: 'Open as project…' }).click();
  const dialog = page.getByTestId('transfer-dialog');
  await dialog.getByLabel('Local folder for the project (new or empty)').fill(full);
  await dialog.getByRole('button', { name: 'Show what it costs' }).click();
  await expect(dialog.getByTestId('transfer-error')).toContainText('is not empty');
  await dialog.getByTestId('merge').check();
  await dialog.getByRole('button', { name: 'Show what it costs' }).click();
  await expect(dialog.getByTestId('transfer-plan')).toContainText('upload.tar.gz is extracted here and stays the project');
  await expect(dialog.getByTestId('transfer-plan')).toContainText('1 local entry kept');
  await shot(page, 'storage-05-open-plan');
  // Not this one: an empty new folder instead.
  const dir = join(stack.cases, 'caseB-here');
  await dialog.getByLabel('Local folder for the project (new or empty)').fill(dir);
  await dialog.getByRole('button', { name: 'Show what it costs' }).click();
  await expect(dialog.getByTestId('transfer-cost')).toContainText('Costs 2 API calls');
  await dialog.getByRole('button', { name: 'Open as project' }).click();
  await expect(page.getByTestId('storage-transfer').first()).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(page.getByTestId('storage-transfer').first()).toContainText('It is a project now');
  expect(await readFile(join(dir, 'room_fire.fds'), 'utf8')).toBe(FDS);
  expect(await readFile(join(dir, 'system', 'readme.txt'), 'utf8')).toBe('inputs\n');
  expect(existsSync(join(dir, 'upload.tar.gz'))).toBe(false);
  expect(await readFile(join(full, 'room_fire.fds'), 'utf8')).toBe('mine\n');
  await expect(row('caseB').getByText('project caseB-here')).toBeVisible();
  await shot(page, 'storage-06-opened');

  await page.getByRole('tab', { name: 'Projects' }).click();
  const card = page.getByTestId('project-row').filter({ hasText: 'caseB-here' });
  await expect(card).toBeVisible();
  await expect(card.getByTestId('project-line')).toContainText(/Up to date/, { timeout: 20_000 });
});

test('a run started elsewhere: "Get results" downloads its results into a chosen folder', async () => {
  const add = await fetch(`${stack.emu.url}/simulation/add`, {
    method: 'POST',
    headers: { 'X-API-key': RIGHT_KEY, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ cpu: 1, ram: 'standard', folder: 'fireRun', script: 'fds6.9.1' }),
  });
  const id = ((await add.json()) as { response: number }).response;
  await page.getByRole('tab', { name: /Simulations/ }).click();
  await page.getByRole('button', { name: 'Refresh' }).click();
  const sim = page.locator(`[data-testid="simulation-row"][data-sim="${id}"]`);
  await expect(sim).toBeVisible();
  await stack.emu.clock.advance(31);
  await stack.emu.clock.advance(181);
  await expect(sim).toHaveAttribute('data-status', 'COMPLETED', { timeout: 30_000 });
  await sim.getByRole('button').click(); // the run's pane, beside the list
  await page.getByTestId('run-pane').getByRole('button', { name: 'Get results…' }).click();
  const dialog = page.getByTestId('transfer-dialog');
  await expect(dialog.getByLabel('Download its results to a folder')).toBeChecked();
  const dest = join(stack.work, 'web-results');
  await dialog.getByLabel('Local folder to download into').fill(dest);
  await dialog.getByRole('button', { name: 'Show what it costs' }).click();
  await expect(dialog.getByTestId('transfer-plan')).toBeVisible();
  await shot(page, 'storage-07-get-results');
  await dialog.getByRole('button', { name: 'Download', exact: true }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Download started' })).toContainText('Storage tab');
  await expect(page.getByTestId('toast').filter({ hasText: 'Download finished' }).filter({ hasText: 'web-results' })).toBeVisible({ timeout: 30_000 });
  const got = await readdir(dest);
  expect(got).toContain('cloudhpc.log');
  expect(got.some((f) => f.endsWith('_hrr.csv'))).toBe(true);
});

test('usable at 800×600 and in the dark theme', async () => {
  await page.getByRole('tab', { name: 'Storage' }).click();
  for (const [w, h, scheme] of [[800, 600, 'light'], [800, 600, 'dark'], [1280, 800, 'dark']] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    await expect(row('fireRun')).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `the Storage view overflows at ${w}×${h}`).toBeLessThanOrEqual(0);
    await shot(page, `storage-08-${w}x${h}-${scheme}`);
  }
  await row('fireRun').click();
  await view().getByRole('button', { name: 'Delete…' }).click();
  await expect(page.getByTestId('delete-dialog').getByTestId('delete-list')).toContainText('fireRun/sub/probe.csv');
  await shot(page, 'storage-09-delete-folder-dark-1280');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 800, height: 600 });
  await row('fireRun').click();
  await view().getByRole('button', { name: 'Download…' }).click();
  await shot(page, 'storage-10-download-dialog-dark-800');
  await page.keyboard.press('Escape');
  await page.emulateMedia({ colorScheme: 'light' });
  expect(consoleErrors).toEqual([]);
});

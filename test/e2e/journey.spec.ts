// The user journey in a real browser against the headless app and the emulator: onboarding with a
// wrong then right key, add a project and watch it push, drop files, launch with a pre-flight error
// fixed in one click, status changes (elapsed time going on), soft stop, results pulled with a
// conflict listed, the status bar.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { writeFdsSample } from '../../emulator/samples';
import { RIGHT_KEY, publishScreenshot, shot, startStack, type Stack, watchedPage } from './fixtures';

test.describe.configure({ mode: 'serial' });

let stack: Stack;
let page: Page;
let caseDir: string;
let fdsText: string;
let consoleErrors: string[] = [];

test.beforeAll(async ({ browser }) => {
  stack = await startStack();
  caseDir = join(stack.cases, 'room_fire');
  await writeFdsSample(caseDir);
  fdsText = await readFile(join(caseDir, 'room_fire.fds'), 'utf8');
  ({ page, consoleErrors } = await watchedPage(browser));
});

test.afterAll(async () => {
  await page?.close();
  await stack?.stop();
});

const simRow = (): ReturnType<Page['locator']> => page.getByTestId('simulation-row').first();
const card = (): ReturnType<Page['locator']> => page.getByTestId('project-details');
const run = (): ReturnType<Page['locator']> => page.getByTestId('run-pane');

test('onboarding: a wrong key is refused with a clear message, the right one is stored', async () => {
  await page.goto(stack.server.url);
  await expect(page).toHaveURL(`${stack.server.origin}/`); // the token left the address bar
  await expect(page.getByRole('heading', { name: 'Connect to cloudHPC' })).toBeVisible();
  await expect(page.getByText('profile page')).toBeVisible();
  await shot(page, '01-onboarding');

  // The service address can be changed before any key is set; a bad one is refused with a reason.
  await page.getByText('Service:').click();
  await page.getByLabel('Service address').fill('ftp://example.org');
  await page.getByRole('button', { name: 'Use this address' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'must be an https address' })).toBeVisible();

  await page.getByLabel('API key').fill('wrong-key-0123456789');
  await page.getByRole('button', { name: 'Check and save' }).click();
  await expect(page.getByTestId('key-error')).toContainText(/refused/i);
  await shot(page, '02-onboarding-wrong-key');

  await page.getByLabel('API key').fill(RIGHT_KEY);
  await page.getByRole('button', { name: 'Check and save' }).click();
  await expect(page.getByRole('tab', { name: 'Projects' })).toBeVisible();
  await expect(page.getByTestId('budget')).toHaveAttribute('title', /of 20000 API calls left this hour/);
  await expect(page.getByTestId('budget')).toContainText(/\/ 20000 calls/);
  expect(await page.content()).not.toContain(RIGHT_KEY);
});

test('add a project and watch it push', async () => {
  await expect(page.getByRole('heading', { name: 'No projects yet' })).toBeVisible();
  await page.getByTestId('add-project').click();
  const add = page.getByTestId('add-project-dialog');
  await add.getByLabel('Local case folder').fill(caseDir);
  await add.getByRole('button', { name: 'Add project' }).click();
  await expect(add).toBeHidden();
  const row = page.getByTestId('project-row').filter({ hasText: 'room_fire' });
  await expect(row).toBeVisible();
  await expect.poll(async () => Object.keys(await stack.emu.files(RIGHT_KEY, 'room_fire')).length, { timeout: 20_000 }).toBeGreaterThan(0);
  await expect(card().getByTestId('project-state')).toHaveText('Up to date', { timeout: 20_000 });
  await expect(row.getByTestId('project-line')).toContainText('synced just now');
  await expect(page.getByTestId('tray-summary')).toContainText('The project is up to date');
  await shot(page, '03-projects');
});

test('drop files on the project: they are copied into the case (asking before replacing) and pushed', async () => {
  // A real drop event carrying files, as the browser delivers it.
  await card().getByTestId('project-dropzone').evaluate((el) => {
    const dt = new DataTransfer();
    dt.items.add(new File(['ambient 20 C\n'], 'notes.txt', { type: 'text/plain' }));
    dt.items.add(new File(['&HEAD CHID=\'old\' /\n'], 'room_fire.fds', { type: 'text/plain' }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  const dialog = page.getByTestId('drop-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('replace-count')).toContainText('1 would replace');
  await shot(page, '04-drop-plan');
  await dialog.getByRole('button', { name: 'Copy without replacing' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('toast').filter({ hasText: 'Files added' })).toContainText('1 file copied, 1 left as it was');
  expect(await readFile(join(caseDir, 'notes.txt'), 'utf8')).toBe('ambient 20 C\n');
  expect(await readFile(join(caseDir, 'room_fire.fds'), 'utf8')).toBe(fdsText);
  await expect.poll(async () => Object.keys(await stack.emu.files(RIGHT_KEY, 'room_fire')), { timeout: 20_000 }).toContain('notes.txt');

  // The keyboard path: "Add files…" picks files through a file input.
  await card().getByTestId('add-files-input').setInputFiles({ name: 'probe.csv', mimeType: 'text/csv', buffer: Buffer.from('t,T\n0,20\n') });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Copy 1 file and push' }).click();
  await expect(dialog).toBeHidden();
  await expect.poll(() => existsSync(join(caseDir, 'probe.csv'))).toBe(true);
});

test('launch: the pre-flight refuses a broken case, then the fixed case launches', async () => {
  const meshes = Array.from({ length: 4 }, (_, i) => `&MESH IJK=10,10,10, XB=${4 + i},${5 + i},0,1,0,1, MPI_PROCESS=${i + 1} /`).join('\n');
  await writeFile(join(caseDir, 'room_fire.fds'), fdsText.replace('&MESH IJK=20,20,10, XB=0.0,4.0,0.0,4.0,0.0,2.4 /', `&MESH IJK=20,20,10, XB=0.0,4.0,0.0,4.0,0.0,2.4, MPI_PROCESS=0 /\n${meshes}`));

  await page.getByRole('tab', { name: /Simulations/ }).click();
  await page.getByRole('button', { name: 'Launch…' }).click();
  const dialog = page.getByTestId('launch-dialog');
  await expect(dialog).toBeVisible();
  // the dialog knows the case: an FDS case, the newest FDS script offered, and 8 vCPU for its 5 MPI processes
  await expect(dialog.getByTestId('detected-family')).toHaveText('FDS case');
  await expect(dialog.getByLabel('Solver script')).toHaveValue('fds6.9.1');
  await expect(dialog.getByLabel('vCPU')).toHaveValue('8');
  const report = dialog.getByTestId('preflight-report');
  await expect(report).toHaveAttribute('data-blocking', 'false');
  // too few vCPU: the pre-flight (run on every change) refuses, and offers an offered count as one click
  await dialog.getByLabel('vCPU').selectOption('2');
  await expect(report).toHaveAttribute('data-blocking', 'true');
  const finding = report.locator('[data-code="fds-too-many-processes"]');
  await expect(finding).toContainText('Choose 8 vCPU');
  await expect(dialog.getByRole('button', { name: 'Launch', exact: true })).toBeDisabled();
  await shot(page, '05-launch-preflight-error');
  expect(stack.emu.simulations(RIGHT_KEY)).toHaveLength(0);
  await finding.getByRole('button', { name: 'Use 8 vCPU' }).click();
  await expect(dialog.getByLabel('vCPU')).toHaveValue('8');
  await expect(report).toHaveAttribute('data-blocking', 'false');
  // back to the one-mesh case: the idle vCPU are named, with the smaller size offered as the fix
  await writeFile(join(caseDir, 'room_fire.fds'), fdsText);
  await dialog.getByLabel('vCPU').selectOption('1');
  await expect(report).toHaveAttribute('data-blocking', 'false');
  const accept = dialog.getByLabel('Launch despite the warnings');
  if (await accept.isVisible()) await accept.check();
  await dialog.getByRole('button', { name: 'Launch', exact: true }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId('toast').filter({ hasText: 'Simulation launched' })).toBeVisible();
  await expect(simRow()).toHaveAttribute('data-status', 'PENDING');
  await expect(run().getByTestId('status-badge')).toHaveAttribute('data-status', 'PENDING');
  expect(stack.emu.simulations(RIGHT_KEY)).toHaveLength(1);
});

test('status changes while the clock moves; the log follows the run', async () => {
  await stack.emu.clock.advance(31);
  await expect(simRow()).toHaveAttribute('data-status', 'RUNNING', { timeout: 20_000 });
  await expect(page.getByTestId('tray-summary')).toContainText('1 simulation running');
  await expect(page.getByTestId('tray-summary')).toHaveAttribute('data-icon', /running|syncing/);
  // the elapsed time goes on while it runs (never a stuck "0 s")
  const elapsed = run().getByTestId('progress-elapsed').or(run().getByTestId('run-elapsed'));
  const first = await elapsed.textContent();
  await expect.poll(() => elapsed.textContent(), { timeout: 10_000 }).not.toBe(first);
  await expect(elapsed).not.toHaveText('0 s');
  await shot(page, '06-simulations-running');
  // toasts that are not errors go away by themselves
  await expect(page.getByTestId('toast')).toHaveCount(0, { timeout: 15_000 });
  await publishScreenshot(await shot(page, 'screenshot-for-readme'));

  await run().getByRole('button', { name: 'Log', exact: true }).click();
  const viewer = page.getByTestId('log-viewer');
  await expect(viewer).toBeVisible();
  await expect(viewer.getByTestId('log-text')).not.toBeEmpty();
  // the run goes on; the service's RAM warning is named with its fix, and its line highlighted
  await stack.emu.clock.advance(30);
  await expect(viewer.getByTestId('diagnosis-item').filter({ hasText: 'RAM' }).first()).toBeVisible({ timeout: 20_000 });
  await expect(viewer.locator('.hl-warning').filter({ hasText: 'RAM used' }).first()).toBeVisible();
  await shot(page, '07-log-viewer');
  await page.keyboard.press('Escape');
  await expect(viewer).toBeHidden();

  // SYNC: the service is asked for partial results and the run goes on (their pulls are scheduled minutes later)
  await run().getByRole('button', { name: 'SYNC' }).click();
  await page.getByTestId('confirm-dialog').getByRole('button', { name: 'SYNC' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'SYNC requested' })).toBeVisible();
  await expect.poll(() => stack.emu.simulations(RIGHT_KEY)[0]?.output ?? '').toContain('@@@ SYNC');
  await expect(simRow()).toHaveAttribute('data-status', 'RUNNING');
});

test('soft stop, results pulled, a conflict listed, the tray-equivalent summary says so', async () => {
  // a local file the results will also bring: it must be kept, the cloud one written beside it
  await writeFile(join(caseDir, 'room_fire.out'), 'my own notes\n');
  await run().getByRole('button', { name: 'Soft stop' }).click();
  const confirm = page.getByTestId('confirm-dialog');
  await expect(confirm).toContainText('saves and uploads its results');
  await confirm.getByRole('button', { name: 'Soft stop' }).click();
  await expect(simRow()).toHaveAttribute('data-status', 'STOPPING', { timeout: 20_000 });
  await expect(run().getByTestId('progress-elapsed').or(run().getByTestId('run-elapsed'))).not.toHaveText(/^0 s$/);
  await stack.emu.clock.advance(25);
  await expect(simRow()).toHaveAttribute('data-status', 'STOPPED', { timeout: 20_000 });
  await shot(page, '08-simulations-stopped');

  await page.getByRole('tab', { name: /Projects/ }).click();
  const conflict = page.getByTestId('conflict').first();
  await expect(conflict).toContainText('room_fire.out', { timeout: 30_000 });
  await expect(page.getByTestId('tray-summary')).toContainText('1 project needs you');
  await expect(page.getByTestId('tray-summary')).toHaveAttribute('data-icon', 'attention');
  // the conflict is an attention with its fix, and the copy has a name cloudHPC accepts
  await expect(card().getByTestId('attention').filter({ hasText: 'conflict' }).getByRole('button', { name: 'Show conflicts' })).toBeVisible();
  await expect(conflict).toContainText(/room_fire\.cloudhpc-\d{8}-\d{6}\.out/);
  expect(existsSync(join(caseDir, 'room_fire_hrr.csv'))).toBe(true);
  expect(await readFile(join(caseDir, 'room_fire.out'), 'utf8')).toBe('my own notes\n');
  await card().getByText(/^Activity/).click();
  await shot(page, '09-projects-conflict');

  await conflict.getByRole('button', { name: 'Keep cloud' }).click();
  await expect(page.getByTestId('conflict')).toHaveCount(0);
  expect(await readFile(join(caseDir, 'room_fire.out'), 'utf8')).toContain('Fire Dynamics Simulator');
});

test('a clear offline state while cloudHPC cannot be reached, gone when it answers again', async () => {
  stack.emu.setFaults({ dropReplyRate: 1 });
  await card().getByRole('button', { name: 'Pull results' }).click();
  await expect(page.getByTestId('offline')).toContainText('Offline', { timeout: 30_000 });
  await expect(page.getByTestId('tray-summary')).toContainText('Offline');
  await shot(page, '11-offline');
  stack.emu.setFaults({});
  await card().getByRole('button', { name: 'Pull results' }).click();
  await expect(page.getByTestId('offline')).toBeHidden({ timeout: 30_000 });
});

test('pause and resume all syncing from the summary bar (the tray menu\'s item)', async () => {
  await page.getByTestId('pause-all').click();
  await expect(page.getByTestId('tray-summary')).toContainText('Sync paused');
  await expect(page.getByTestId('pause-all')).toHaveText('Resume all');
  await page.getByTestId('pause-all').click();
  await expect(page.getByTestId('pause-all')).toHaveText('Pause all');
  await expect(page.getByTestId('tray-summary')).not.toContainText('Sync paused');
});

test('usable at 800×600, in the dark theme, and with the keyboard', async () => {
  await page.setViewportSize({ width: 800, height: 600 });
  await page.emulateMedia({ colorScheme: 'dark' });
  for (const tab of ['Projects', 'Simulations', 'Storage', 'Settings']) {
    await page.getByRole('tab', { name: new RegExp(tab) }).click();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${tab} overflows horizontally at 800×600`).toBeLessThanOrEqual(0);
  }
  await shot(page, '10-settings-dark-800x600');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).not.toBe('rgb(246, 247, 249)');

  // Tabs move with the arrow keys; dialogs close with Escape and give the focus back.
  await page.getByRole('tab', { name: 'Settings' }).focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('tab', { name: 'Storage' })).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('tab', { name: /Simulations/ })).toBeFocused();
  await expect(page.getByRole('tab', { name: /Simulations/ })).toHaveAttribute('aria-selected', 'true');
  const launchButton = page.getByRole('button', { name: 'Launch…' }).first();
  await launchButton.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('launch-dialog')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('launch-dialog')).toBeHidden();
  await expect(launchButton).toBeFocused();
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1100, height: 760 });
  // No script errors and no CSP violations during the whole journey.
  expect(consoleErrors).toEqual([]);
});

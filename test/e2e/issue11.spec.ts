// The app as a new user meets it (issue 11), in a real browser against the headless app and the
// emulator: each high and medium finding walked as a journey. The launch dialog knows the case; the
// mass-delete guard is resolved from the UI (restore, or delete from the cloud); a conflict copy never
// blocks a launch; a second launch on an active folder warns; an error shown while offline clears once
// it no longer holds; the launch dialog explains offline and keeps the last lists; repeated pull clicks
// cost one pull; a drop that fails says so where it was dropped; removing a project asks in the app.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { writeFdsSample, writeOpenFoamSample } from '../../emulator/samples';
import { buildTarGz } from '../unit/sync/pull-helpers';
import { RIGHT_KEY, shot, startStack, type Stack, watchedPage } from './fixtures';

test.describe.configure({ mode: 'serial' });

let stack: Stack;
let page: Page;
let warehouse: string;
let consoleErrors: string[] = [];
const FDS = "&HEAD CHID='warehouse' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TIME T_END=10 /\n&TAIL /\n";
const inputs: Record<string, string> = Object.fromEntries([['warehouse.fds', FDS], ...Array.from({ length: 8 }, (_, i) => [`ramp_${i + 1}.txt`, `ramp ${i}\n`])]);

test.beforeAll(async ({ browser }) => {
  stack = await startStack({ persist: true, key: RIGHT_KEY });
  await writeOpenFoamSample(join(stack.cases, 'cavity'));
  await writeFdsSample(join(stack.cases, 'room_fire'));
  warehouse = join(stack.cases, 'warehouse');
  await mkdir(warehouse);
  for (const [p, text] of Object.entries(inputs)) await writeFile(join(warehouse, p), text);
  for (const name of ['cavity', 'room_fire', 'warehouse']) stack.core.workspace.addProject(join(stack.cases, name));
  ({ page, consoleErrors } = await watchedPage(browser));
  await page.goto(stack.server.url);
});

test.afterAll(async () => {
  await page?.close();
  await stack?.stop();
});

const row = (name: string) => page.getByTestId('project-row').filter({ hasText: name });
const details = () => page.getByTestId('project-details');
const attention = (code: string) => details().locator(`[data-testid="attention"][data-code="${code}"]`);
const pullCalls = (): number => Object.entries(stack.emu.calls(RIGHT_KEY).byEndpoint).filter(([k]) => !k.includes(' /simulation/')).reduce((n, [, v]) => n + v, 0);

async function select(name: string): Promise<void> {
  await row(name).locator('button.pick').click();
  await expect(details()).toHaveAttribute('data-project', name);
}

test('every project gets pushed; the list says so in one line each', async () => {
  for (const name of ['cavity', 'room_fire', 'warehouse']) await expect(row(name).getByTestId('project-line')).toContainText('Up to date · synced', { timeout: 30_000 });
  await expect(page.getByTestId('tray-summary')).toContainText('All 3 projects are up to date');
});

test('the launch dialog knows the case: OpenFOAM preselects the newest OpenFOAM script, FDS the newest FDS one', async () => {
  await select('cavity');
  await details().getByRole('button', { name: 'Launch…' }).click();
  const dialog = page.getByTestId('launch-dialog');
  await expect(dialog.getByTestId('detected-family')).toHaveText('OpenFOAM case');
  await expect(dialog.getByLabel('Solver script')).toHaveValue('openFoam-v2406');
  const report = dialog.getByTestId('preflight-report');
  await expect(report).toHaveAttribute('data-blocking', 'false');
  await expect(report).toContainText('Pre-flight check (OpenFOAM)');
  await expect(report).not.toContainText('No FDS input');
  // another project in the same dialog: its own family and newest script
  await dialog.getByLabel('Project').selectOption({ label: 'room_fire' });
  await expect(dialog.getByTestId('detected-family')).toHaveText('FDS case');
  await expect(dialog.getByLabel('Solver script')).toHaveValue('fds6.9.1');
  await expect(report).toContainText('Pre-flight check (FDS)');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});

test('deleting 6 of 9 inputs is held for review; "Restore locally" brings them back from the cloud', async () => {
  await select('warehouse');
  for (let i = 1; i <= 6; i++) await rm(join(warehouse, `ramp_${i}.txt`));
  const a = attention('mass-delete');
  await expect(a).toBeVisible({ timeout: 30_000 });
  await expect(a).toContainText('6 files deleted here would also be deleted from the cloud (more than half of the case)');
  await expect(row('warehouse').getByTestId('status-icon')).toHaveAttribute('data-kind', 'error');
  await shot(page, 'i11-mass-delete-attention');
  await a.getByRole('button', { name: 'Review deletions…' }).click();
  const dialog = page.getByTestId('mass-delete-dialog');
  await expect(dialog.getByTestId('mass-delete-paths').locator('li')).toHaveText(Array.from({ length: 6 }, (_, i) => `ramp_${i + 1}.txt`));
  // each answer with its price: the files are only in the archive not yet extracted, so deleting them is a new archive
  await expect(dialog.getByRole('button', { name: 'Delete from the cloud (2 API calls)' })).toBeVisible();
  await shot(page, 'i11-mass-delete-review');
  const calls = stack.emu.calls(RIGHT_KEY).total;
  await dialog.getByRole('button', { name: 'Restore locally (2 API calls)' }).click();
  await expect(dialog).toBeHidden({ timeout: 20_000 });
  await expect(attention('mass-delete')).toHaveCount(0);
  for (let i = 1; i <= 6; i++) expect(await readFile(join(warehouse, `ramp_${i}.txt`), 'utf8')).toBe(`ramp ${i - 1}\n`);
  expect(stack.emu.calls(RIGHT_KEY).total - calls).toBe(2);
  await expect(row('warehouse').getByTestId('status-icon')).toHaveAttribute('data-kind', 'ok');
});

test('30 probes pushed then removed: "Delete from the cloud" deletes them there, and later edits are pushed again', async () => {
  await mkdir(join(warehouse, 'probes'));
  for (let i = 1; i <= 30; i++) await writeFile(join(warehouse, 'probes', `probe_${String(i).padStart(2, '0')}.csv`), `t,p\n0,${i}\n`);
  await expect.poll(() => stack.core.workspace.summary(stack.core.workspace.projects().find((p) => p.storageFolder === 'warehouse')!.id).trackedFiles, { timeout: 30_000 }).toBe(39);
  await expect(details().getByTestId('project-state')).toHaveText('Up to date', { timeout: 30_000 });
  await rm(join(warehouse, 'probes'), { recursive: true });
  await attention('mass-delete').getByRole('button', { name: 'Review deletions…' }).click({ timeout: 30_000 });
  const dialog = page.getByTestId('mass-delete-dialog');
  await expect(dialog.getByTestId('mass-delete-paths').locator('li')).toHaveCount(30);
  await dialog.getByRole('button', { name: /^Delete from the cloud/ }).click();
  await expect(dialog).toBeHidden();
  await expect(attention('mass-delete')).toHaveCount(0);
  await expect(details().getByTestId('project-state')).toHaveText('Up to date', { timeout: 30_000 });
  const pid = stack.core.workspace.projects().find((p) => p.storageFolder === 'warehouse')!.id;
  await expect.poll(() => stack.core.workspace.summary(pid).trackedFiles, { timeout: 30_000 }).toBe(9);
  await writeFile(join(warehouse, 'notes.txt'), 'later edit');
  await expect.poll(async () => Object.keys(await stack.emu.files(RIGHT_KEY, 'warehouse')), { timeout: 30_000 }).toContain('notes.txt');
});

test("the app's own conflict copy does not block the next launch", async () => {
  // a result the user also has locally, different: kept, the cloud one written beside it
  await writeFile(join(warehouse, 'warehouse_devc.csv'), 'my own probe table\n');
  await expect.poll(async () => Object.keys(await stack.emu.files(RIGHT_KEY, 'warehouse')), { timeout: 30_000 }).toContain('warehouse_devc.csv');
  await stack.emu.seedFile(RIGHT_KEY, 'warehouse/FDS.tar.gz', buildTarGz([{ path: 'warehouse.out', data: 'FDS completed successfully' }, { path: 'warehouse_devc.csv', data: 'from the run' }]));
  await details().getByRole('button', { name: 'Pull results' }).click();
  const conflict = details().getByTestId('conflict');
  await expect(conflict).toContainText(/warehouse_devc\.cloudhpc-\d{8}-\d{6}\.csv/, { timeout: 30_000 });
  await expect(attention('conflicts')).toBeVisible();

  await details().getByRole('button', { name: 'Launch…' }).click();
  const dialog = page.getByTestId('launch-dialog');
  const report = dialog.getByTestId('preflight-report');
  await expect(report).toHaveAttribute('data-blocking', 'false');
  await expect(report.locator('[data-severity="error"]')).toHaveCount(0);
  // the copy is listed among what the app pulled (not pushed, not checked), and no other finding names it
  await expect(report.locator('[data-code="pulled-left-out"]')).toContainText(/this app pulled.*warehouse_devc\.cloudhpc-/);
  await expect(report.locator('[data-testid="finding"]:not([data-code="pulled-left-out"])').filter({ hasText: 'cloudhpc-20' })).toHaveCount(0);
  await shot(page, 'i11-launch-after-conflict');
  const accept = dialog.getByTestId('accept-warnings');
  if (await accept.isVisible()) await accept.check();
  await dialog.getByTestId('launch').click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId('simulation-row').first()).toHaveAttribute('data-status', 'PENDING');
  expect(stack.emu.simulations(RIGHT_KEY).filter((s) => s.folder === 'warehouse')).toHaveLength(1);
});

test('a second launch on a folder with an active run warns, and needs a deliberate yes', async () => {
  await page.getByRole('tab', { name: /Projects/ }).click();
  await select('warehouse');
  await details().getByRole('button', { name: 'Launch…' }).click();
  const dialog = page.getByTestId('launch-dialog');
  const warning = dialog.getByTestId('active-run-warning');
  await expect(warning).toContainText(/Simulation #\d+ is still active on this storage folder/);
  await expect(dialog.getByTestId('preflight-report')).toHaveAttribute('data-blocking', 'false');
  const accept = dialog.getByTestId('accept-warnings');
  if (await accept.isVisible()) await accept.check();
  await expect(dialog.getByTestId('launch')).toBeDisabled();
  await shot(page, 'i11-second-launch-warning');
  await dialog.getByTestId('force-launch').check();
  await expect(dialog.getByTestId('launch')).toBeEnabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  expect(stack.emu.simulations(RIGHT_KEY).filter((s) => s.folder === 'warehouse')).toHaveLength(1);
});

test('repeated "Pull results" clicks cost one pull', async () => {
  await select('cavity');
  const pull = details().getByTestId('pull-now');
  const lastPull = () => stack.core.workspace.status(stack.core.workspace.projects().find((p) => p.storageFolder === 'cavity')!.id).lastPullAt ?? 0;
  // what one click costs (after a first pull, which also finds the folder's id once)
  let one = 0;
  for (let i = 0; i < 2; i++) {
    const before = pullCalls();
    const at = lastPull();
    await pull.click();
    await expect.poll(lastPull, { timeout: 30_000 }).toBeGreaterThan(at);
    one = pullCalls() - before;
  }
  expect(one).toBeGreaterThan(0);
  await expect(pull).toBeEnabled();
  const before = pullCalls();
  const at = lastPull();
  await pull.evaluate((b) => { for (let i = 0; i < 5; i++) (b as HTMLButtonElement).click(); });
  await expect.poll(lastPull, { timeout: 30_000 }).toBeGreaterThan(at);
  await expect(pull).toBeEnabled();
  expect(pullCalls() - before).toBe(one);
});

test('offline: the failed push shows "Retry now"; the launch dialog says why and keeps the last lists; once back, the error clears', async () => {
  await select('room_fire');
  await stack.emulatorDown();
  await writeFile(join(stack.cases, 'room_fire', 'notes.txt'), 'written while offline');
  const offline = attention('offline');
  await expect(offline).toBeVisible({ timeout: 30_000 });
  await expect(offline.getByRole('button', { name: 'Retry now' })).toBeVisible();
  await expect(page.getByTestId('offline')).toContainText('Offline');
  await shot(page, 'i11-offline-attention');

  await details().getByRole('button', { name: 'Launch…' }).click();
  const dialog = page.getByTestId('launch-dialog');
  await expect(dialog.getByTestId('options-problem')).toContainText('cloudHPC cannot be reached right now');
  await expect(dialog.getByTestId('options-problem')).toContainText('last known lists');
  await expect(dialog.getByLabel('Solver script')).toHaveValue('fds6.9.1');
  await expect(dialog.getByLabel('vCPU').locator('option')).not.toHaveCount(0);
  await dialog.getByRole('button', { name: 'Try again' }).click();
  await expect(dialog.getByTestId('options-problem')).toBeVisible();
  await expect(dialog.getByLabel('Solver script')).toBeEnabled();
  await shot(page, 'i11-launch-offline');
  await page.keyboard.press('Escape');

  await stack.emulatorUp();
  await offline.getByRole('button', { name: 'Retry now' }).click();
  await expect(attention('offline')).toHaveCount(0, { timeout: 30_000 });
  await expect(details().getByTestId('attentions')).toHaveCount(0);
  await expect(details().getByTestId('project-state')).toHaveText('Up to date', { timeout: 30_000 });
  await expect(page.getByTestId('offline')).toBeHidden({ timeout: 30_000 });
  await expect.poll(async () => Object.keys(await stack.emu.files(RIGHT_KEY, 'room_fire')), { timeout: 30_000 }).toContain('notes.txt');
});

test('a drop that goes wrong says so where it was dropped; removing a project asks in the app', async () => {
  await select('cavity');
  const zone = details().getByTestId('project-dropzone');
  await zone.evaluate((el) => { el.dispatchEvent(new DragEvent('drop', { dataTransfer: new DataTransfer(), bubbles: true, cancelable: true })); });
  await expect(zone.getByTestId('drop-error')).toContainText('Nothing to add: the drop held no files.');
  await zone.getByRole('button', { name: 'Dismiss' }).click();
  await expect(zone.getByTestId('drop-error')).toHaveCount(0);

  let nativeDialog = false;
  page.once('dialog', () => { nativeDialog = true; });
  await row('cavity').getByTestId('project-menu').click();
  await page.getByRole('menuitem', { name: 'Remove from the list…' }).click();
  const confirm = page.getByTestId('confirm-dialog');
  await expect(confirm).toContainText('Nothing is deleted');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  expect(nativeDialog).toBe(false);
  await expect(row('cavity')).toBeVisible();
  expect(existsSync(join(stack.cases, 'cavity'))).toBe(true);
  expect(consoleErrors).toEqual([]);
});

// Run insight in the app, in a real browser against the headless app and the emulator: a followed
// OpenFOAM run shows its percent and ETA advancing, live elapsed time, cost and a residual plot with
// points; the list and the summary bar carry the percent; a diverging run nobody watches raises the
// warning (in-app notification), and its details offer the options (soft stop asks first). Usable at
// 800×600 and in the dark theme. The core reads the time from the emulator's clock (moved by the
// test), so the pace and the ETA are in the run's simulated time.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { writeOpenFoamSample } from '../../emulator/samples';
import { RIGHT_KEY, shot, startStack, type Stack, watchedPage } from './fixtures';

test.describe.configure({ mode: 'serial' });

let stack: Stack;
let page: Page;
let consoleErrors: string[] = [];
let followed = 0;
let diverging = 0;

function ok<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function launchCase(name: string, extra: Record<string, string> = {}): Promise<number> {
  const dir = join(stack.cases, name);
  await writeOpenFoamSample(dir);
  for (const [rel, text] of Object.entries(extra)) await writeFile(join(dir, rel), text);
  const p = ok(await stack.core.call('addProject', { dir }));
  const r = ok(await stack.core.call('launchSimulation', { projectId: p.id, options: { cpu: 2, ram: 'standard', script: 'openFoam-v2406', mesh: '', regular: true }, acceptWarnings: true }));
  return r.simulation.id;
}

const percentOf = async (): Promise<number> => Number((await page.getByTestId('progress-percent').textContent())?.replace(/[^\d.]/g, ''));

test.beforeAll(async ({ browser }) => {
  stack = await startStack({ emulatorClock: true, durations: { pendingSeconds: 30, runSeconds: 1800, stoppingSeconds: 20 } });
  ok(await stack.core.call('setApiKey', { key: RIGHT_KEY }));
  followed = await launchCase('cavity');
  ({ page, consoleErrors } = await watchedPage(browser));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(stack.server.url);
  await page.getByRole('tab', { name: /Simulations/ }).click();
});

test.afterAll(async () => {
  await page?.close();
  await stack?.stop();
});

const row = (id: number): ReturnType<Page['locator']> => page.locator(`[data-testid="simulation-row"][data-sim="${id}"]`);

test('a followed run: percent and ETA advance, elapsed counts on, residuals plotted with points', async () => {
  await row(followed).locator('button.pick').click();
  const details = page.getByTestId('run-details');
  await expect(details).toBeVisible();
  await expect(details.getByTestId('run-pending')).toBeVisible();

  await stack.emu.clock.advance(31); // RUNNING
  await expect(details.getByTestId('status-badge')).toHaveAttribute('data-status', 'RUNNING', { timeout: 20_000 });
  // no ETA before two reads of the log show the solver clock moving
  await stack.emu.clock.advance(60);
  await expect.poll(percentOf, { timeout: 20_000 }).toBeGreaterThan(0);
  const p0 = await percentOf();
  await stack.emu.clock.advance(60);
  await expect.poll(percentOf, { timeout: 20_000 }).toBeGreaterThan(p0);
  await expect(details.getByTestId('progress-eta')).toHaveText(/^≈ \d+ (s|min)/, { timeout: 20_000 });
  const p1 = await percentOf();
  const eta1 = await details.getByTestId('progress-eta').textContent();

  await stack.emu.clock.advance(300);
  await expect.poll(percentOf, { timeout: 20_000 }).toBeGreaterThan(p1);
  await expect(details.getByTestId('progress-eta')).not.toHaveText(eta1!, { timeout: 20_000 });
  // about 420 s of an 1800 s run: near a quarter done, about 23 min to go
  const p2 = await percentOf();
  expect(p2).toBeGreaterThan(15);
  expect(p2).toBeLessThan(35);
  await expect(details.getByTestId('progress-eta')).toHaveText(/^≈ 2\d min/);
  await expect(details).toContainText('End from endTime in system/controlDict.');
  await expect(details.getByTestId('cost-so-far')).toContainText('Cost so far');

  // the residual plot has points (one per step read), on a log scale
  const residuals = details.locator('[data-chart="residuals"]');
  await expect(residuals).toBeVisible();
  await expect.poll(async () => Number(await residuals.getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThan(20);
  await expect(residuals.locator('canvas')).toBeVisible();

  // elapsed time counts on between two reads of the log
  const elapsed = await details.getByTestId('progress-elapsed').textContent();
  await expect(details.getByTestId('progress-elapsed')).not.toHaveText(elapsed!, { timeout: 5_000 });

  // the list row and the summary bar (the tray's tooltip) carry the percent
  await expect(row(followed).getByTestId('row-percent')).toHaveText(/^\d+ %$/);
  await expect(page.getByTestId('tray-summary')).toContainText(/1 simulation running \(\d+ %\)/);
  await shot(page, 'run-insight-followed-1280-light');
});

test('usable at 800×600 and in the dark theme', async () => {
  await page.setViewportSize({ width: 800, height: 600 });
  await page.emulateMedia({ colorScheme: 'dark' });
  const details = page.getByTestId('run-details');
  await expect(details.getByTestId('progress-percent')).toBeVisible();
  const overflow = await details.evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(overflow, 'the details overflow horizontally at 800×600').toBeLessThanOrEqual(0);
  const bg = await details.locator('[data-chart="residuals"]').evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(bg).toBe('rgb(30, 34, 39)'); // --panel in the dark theme
  await shot(page, 'run-insight-followed-800-dark');
  await details.locator('[data-chart="residuals"]').scrollIntoViewIfNeeded();
  await shot(page, 'run-insight-followed-800-dark-charts');
  // the keyboard reaches it: from the run in the list, Tab goes on into its details
  await row(followed).locator('button.pick').focus();
  await page.keyboard.press('Tab');
  await expect(page.locator(':focus')).toBeVisible();
});

test('a diverging run raises the warning (in-app notification), its details offer the options', async () => {
  diverging = await launchCase('diverging', { 'emulator-behaviour.json': '{"mode": "diverging", "at": 0.8}' });
  await expect(row(diverging)).toBeVisible({ timeout: 20_000 });
  await row(diverging).locator('button.pick').click();
  const details = page.getByTestId('run-details');
  await expect(details).toBeVisible();
  await stack.emu.clock.advance(31);
  await expect(details.getByTestId('status-badge')).toHaveAttribute('data-status', 'RUNNING', { timeout: 20_000 });
  // the residuals start rising at 40 % of the run; the solver dies at 80 %
  const warning = details.locator('[data-testid="insight-warning"][data-code="residuals-rising"]');
  for (let i = 1; i <= 12 && !(await warning.isVisible()); i++) {
    await stack.emu.clock.advance(120);
    await expect.poll(percentOf, { timeout: 20_000 }).toBeGreaterThanOrEqual(Math.floor((i * 120 * 100) / 1800) - 1);
  }
  await expect(warning).toContainText(`Simulation ${diverging} may be diverging.`);
  await expect(warning).toContainText('Initial residuals rose');
  // the in-app notification (the desktop one in Electron) says the same, with the options
  const toast = page.getByTestId('toast').filter({ hasText: `Simulation ${diverging} may be diverging` });
  await expect(toast).toHaveCount(1);
  await expect(toast).toContainText('Soft stop');
  await expect(details.getByTestId('status-badge')).toHaveAttribute('data-status', 'RUNNING');
  const options = details.getByTestId('insight-warnings');
  await expect(options).toContainText('saves its results');
  await expect(options).toContainText('partial results');
  await shot(page, 'run-insight-diverging-800-dark');

  // Soft stop from the warning asks first, then stops the run
  await options.getByRole('button', { name: 'Soft stop' }).click();
  const confirm = page.getByTestId('confirm-dialog');
  await expect(confirm).toContainText('saves and uploads its results');
  await confirm.getByRole('button', { name: 'Soft stop' }).click();
  await expect(details.getByTestId('status-badge')).toHaveAttribute('data-status', 'STOPPING', { timeout: 20_000 });
  await page.emulateMedia({ colorScheme: 'light' });
  expect(consoleErrors).toEqual([]);
});

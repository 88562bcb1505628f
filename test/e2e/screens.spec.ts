// Every screen of the app, light and dark, at 1280×800 and 800×600: an accessibility check with axe-core
// (no serious or critical violation) and a screenshot of each (test-results/screenshots/screens/;
// UPDATE_SCREENSHOT=1 copies them to docs/screenshots/, which the README shows). The states are made
// the way a user makes them: onboarding, projects synced, a launch, a run, its log, settings, the cloud
// storage, and the mass-delete review.
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { writeFdsSample, writeOpenFoamSample } from '../../emulator/samples';
import { RIGHT_KEY, SHOTS, startStack, type Stack } from './fixtures';

test.describe.configure({ mode: 'serial' });

const SIZES = [{ width: 1280, height: 800 }, { width: 800, height: 600 }] as const;
const SCHEMES = ['light', 'dark'] as const;
const OUT = join(SHOTS, 'screens');
const DOCS = join(process.cwd(), 'docs', 'screenshots');

let stack: Stack;
let page: Page;
const consoleErrors: string[] = [];

test.beforeAll(async ({ browser }) => {
  stack = await startStack();
  await writeFdsSample(join(stack.cases, 'room_fire'));
  await writeOpenFoamSample(join(stack.cases, 'cavity'));
  const hall = join(stack.cases, 'warehouse');
  await mkdir(hall);
  await writeFile(join(hall, 'warehouse.fds'), "&HEAD CHID='warehouse' /\n&MESH IJK=10,10,10, XB=0,1,0,1,0,1 /\n&TAIL /\n");
  for (let i = 1; i <= 8; i++) await writeFile(join(hall, `ramp_${i}.txt`), `ramp ${i}\n`);
  await mkdir(OUT, { recursive: true });
  page = await (await browser.newContext()).newPage(); // axe-core/playwright needs a page of an explicit context
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
});

test.afterAll(async () => {
  await page?.emulateMedia({ colorScheme: 'light' });
  await page?.context().close();
  await stack?.stop();
});

async function dismissToasts(): Promise<void> {
  for (let i = 0; i < 10 && (await page.getByTestId('toast').count()) > 0; i++) await page.getByTestId('toast').first().getByRole('button', { name: 'Dismiss' }).click();
}

/** The screen as it is now, in both schemes and both sizes: screenshots, and axe in each scheme (serious and critical fail). */
async function check(screen: string): Promise<void> {
  await dismissToasts();
  const problems: string[] = [];
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), { message: `${screen} overflows at ${size.width}×${size.height}` }).toBeLessThanOrEqual(0);
      const name = `${screen}-${size.width}x${size.height}-${colorScheme}.png`;
      await page.screenshot({ path: join(OUT, name), animations: 'disabled' });
      if (process.env.UPDATE_SCREENSHOT === '1') {
        await mkdir(DOCS, { recursive: true });
        await copyFile(join(OUT, name), join(DOCS, name));
      }
      if (size !== SIZES[0]) continue; // the rules do not depend on the size; one run per scheme
      const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
      for (const v of axe.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
        problems.push(`${screen} ${size.width}×${size.height} ${colorScheme}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
      }
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(SIZES[0]);
  expect(problems).toEqual([]);
}

test('onboarding', async () => {
  await page.goto(stack.server.url);
  await expect(page.getByRole('heading', { name: 'Connect to cloudHPC' })).toBeVisible();
  await check('onboarding');
  await page.getByLabel('API key').fill(RIGHT_KEY);
  await page.getByRole('button', { name: 'Check and save' }).click();
  await expect(page.getByRole('heading', { name: 'No projects yet' })).toBeVisible();
  await check('projects-empty');
});

test('projects, and adding one', async () => {
  for (const name of ['room_fire', 'cavity', 'warehouse']) stack.core.workspace.addProject(join(stack.cases, name));
  for (const name of ['room_fire', 'cavity', 'warehouse']) {
    await expect(page.getByTestId('project-row').filter({ hasText: name }).getByTestId('project-line')).toContainText('Up to date', { timeout: 30_000 });
  }
  await page.getByTestId('project-row').filter({ hasText: 'room_fire' }).locator('button.pick').click();
  await check('projects');
  await page.getByTestId('add-project').click();
  await expect(page.getByTestId('add-project-dialog')).toBeVisible();
  await check('add-project');
  await page.keyboard.press('Escape');
});

test('the launch dialog', async () => {
  await page.getByTestId('project-details').getByRole('button', { name: 'Launch…' }).click();
  const dialog = page.getByTestId('launch-dialog');
  await expect(dialog.getByTestId('preflight-report')).toHaveAttribute('data-blocking', 'false');
  await check('launch');
  const accept = dialog.getByTestId('accept-warnings');
  if (await accept.isVisible()) await accept.check();
  await dialog.getByTestId('launch').click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
});

test('simulations, a running one, and its log', async () => {
  await stack.emu.clock.advance(31);
  await expect(page.getByTestId('simulation-row').first()).toHaveAttribute('data-status', 'RUNNING', { timeout: 20_000 });
  await stack.emu.clock.advance(30);
  await check('simulations');
  await page.getByTestId('run-details').getByRole('button', { name: 'Log', exact: true }).click();
  await expect(page.getByTestId('log-viewer').getByTestId('log-text')).not.toBeEmpty();
  await check('log');
  await page.keyboard.press('Escape');
});

test('settings', async () => {
  await page.getByRole('tab', { name: 'Settings' }).click();
  await expect(page.getByTestId('settings-view')).toBeVisible();
  await check('settings');
});

test('the cloud storage', async () => {
  await page.getByRole('tab', { name: 'Storage' }).click();
  await expect(page.getByTestId('storage-view')).toBeVisible();
  await expect(page.getByTestId('storage-row').filter({ hasText: 'room_fire' })).toBeVisible({ timeout: 20_000 });
  await check('storage');
});

test('a project that needs you: the mass-delete review', async () => {
  await page.getByRole('tab', { name: /Projects/ }).click();
  await page.getByTestId('project-row').filter({ hasText: 'warehouse' }).locator('button.pick').click();
  for (let i = 1; i <= 6; i++) await rm(join(stack.cases, 'warehouse', `ramp_${i}.txt`));
  const attention = page.getByTestId('project-details').locator('[data-testid="attention"][data-code="mass-delete"]');
  await expect(attention).toBeVisible({ timeout: 30_000 });
  await check('attention');
  await attention.getByRole('button', { name: 'Review deletions…' }).click();
  await expect(page.getByTestId('mass-delete-dialog')).toBeVisible();
  await check('mass-delete-review');
  await page.keyboard.press('Escape');
  expect(consoleErrors).toEqual([]);
});

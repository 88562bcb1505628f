// The run insight components in a real browser: a test page (test/e2e/insight-harness/) built by
// vite with the app's Svelte setup and stylesheet, served on 127.0.0.1:0, fed RunInsightView
// objects made by the real RunInsight from the emulator's solver output (no app core needed:
// the wiring into the app comes with issue 12's second half). Light and dark, 800×600 and 1280×800.
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { build } from 'vite';
import { type LogPlan, planStepLines } from '../../emulator/solver-logs';
import type { RunInsightView } from '../../src-main/common/insight';
import { RunInsight } from '../../src-main/node/simulation/insight/run-insight';
import { shot } from './fixtures';

const T0 = Date.parse('2026-09-24T10:00:00Z');
let out = '';
let server: Server;
let base = '';

test.beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'insight-harness-'));
  await build({
    root: resolve('test/e2e/insight-harness'),
    configFile: false,
    logLevel: 'warn',
    plugins: [svelte({ configFile: resolve('src-renderer/svelte.config.mjs') })],
    build: { outDir: out, emptyOutDir: true },
  });
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  server = createServer((req, res) => {
    const path = normalize(join(out, decodeURIComponent((req.url ?? '/').split('?')[0]!).replace(/\/$/, '/index.html')));
    if (!path.startsWith(out + sep)) { res.writeHead(403).end(); return; }
    readFile(path).then(
      (body) => res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
});

test.afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(out, { recursive: true, force: true });
});

function plan(over: Partial<LogPlan>): LogPlan {
  return { family: 'openFoam', mode: 'steady', steps: 120, begin: 0, end: 0.6, deltaT: 0.0005, integerClock: false, breakStep: null, seed: 10001, jobName: 'pimpleFoam', fields: ['Ux', 'Uy', 'p'], ...over };
}

/** A run followed every 2 simulated minutes, one printed step every 5 s: views after `reads` reads. */
function followed(p: LogPlan, script: string, window: { start: number; end: number; unit: 's' | 'step' | ''; source: string }, reads: number[]): RunInsightView[] {
  const ins = new RunInsight({ id: 10001, script, window, cpu: 8, pricePerCpuHour: 0.016 });
  ins.update({ status: 30 }, T0);
  const views: RunInsightView[] = [];
  let step = 0;
  for (let r = 1; r <= Math.max(...reads); r++) {
    const at = T0 + r * 120_000;
    let text = '';
    while (step < Math.min(p.breakStep ?? Infinity, r * 24)) { step++; text += planStepLines(p, step, new Date(T0 + step * 5000)).join('\n') + '\n'; }
    ins.feedText(text, at);
    if (reads.includes(r)) views.push(JSON.parse(JSON.stringify(ins.view(at))) as RunInsightView);
  }
  return views;
}

const FOAM_WINDOW = { start: 0, end: 0.6, unit: '' as const, source: 'endTime in system/controlDict' };

async function open(page: Page, v: RunInsightView): Promise<void> {
  await page.goto(base);
  await page.waitForFunction(() => typeof (window as unknown as { __setInsight?: unknown }).__setInsight === 'function');
  await setInsight(page, v);
}

async function setInsight(page: Page, v: RunInsightView): Promise<void> {
  await page.evaluate((x) => (window as unknown as { __setInsight: (v: unknown) => void }).__setInsight(x), v);
}

test('OpenFOAM run: percent and ETA, residual plot with points, hover values, toggles, zoom, live update (800×600, light)', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 600 });
  await page.emulateMedia({ colorScheme: 'light' });
  const [early, later] = followed(plan({}), 'openFoam-v2406', FOAM_WINDOW, [2, 3]);
  await open(page, early!);
  await expect(page.getByTestId('progress-percent')).toHaveText('40 %');
  await expect(page.getByTestId('progress-eta')).toHaveText(/^≈ \d+ (s|min)/);
  await expect(page.getByRole('progressbar', { name: 'Solver progress' })).toHaveAttribute('aria-valuenow', '40');
  const residuals = page.locator('[data-chart="residuals"]');
  await expect(residuals).toHaveAttribute('data-points', '48');
  await expect(residuals.locator('canvas')).toBeVisible();
  await expect(page.locator('[data-chart]')).toHaveCount(4); // residuals, courant, continuity, Δt
  await shot(page, 'insight-openfoam-800-light');

  // hover: the legend shows the values under the cursor and the x of that point
  const plotBox = (await residuals.locator('.u-over').boundingBox())!;
  const legend = residuals.getByTestId('legend-value').first();
  const atEnd = await legend.textContent();
  await page.mouse.move(plotBox.x + plotBox.width * 0.1, plotBox.y + plotBox.height / 2);
  await expect(residuals.locator('.legend .mono').first()).toHaveText(/^Time \d/);
  await expect(legend).not.toHaveText(atEnd!);

  // toggles: hiding a series changes what is drawn
  await page.mouse.move(0, 0);
  const before = await residuals.locator('.plot').screenshot();
  await residuals.getByRole('checkbox', { name: /^p / }).uncheck();
  await expect(residuals.getByRole('checkbox', { name: /^p / })).not.toBeChecked();
  const after = await residuals.locator('.plot').screenshot();
  expect(after.equals(before)).toBe(false);
  await residuals.getByRole('checkbox', { name: /^p / }).check();

  // zoom by dragging across; reset with the button
  await page.mouse.move(plotBox.x + plotBox.width * 0.3, plotBox.y + 20);
  await page.mouse.down();
  await page.mouse.move(plotBox.x + plotBox.width * 0.6, plotBox.y + 20, { steps: 5 });
  await page.mouse.up();
  await expect(residuals.getByRole('button', { name: 'Reset zoom' })).toBeVisible();
  await residuals.getByRole('button', { name: 'Reset zoom' }).click();
  await expect(residuals.getByRole('button', { name: 'Reset zoom' })).toHaveCount(0);

  // live update: a later reading moves the percent and adds points
  await setInsight(page, later!);
  await expect(page.getByTestId('progress-percent')).toHaveText('60 %');
  await expect(residuals).toHaveAttribute('data-points', '72');
});

test('diverging run: warnings with what was seen and the options; dark theme at 800×600', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 600 });
  await page.emulateMedia({ colorScheme: 'dark' });
  const [v] = followed(plan({ mode: 'diverging', breakStep: 70 }), 'openFoam-v2406', FOAM_WINDOW, [3]);
  await open(page, v!);
  const warning = page.locator('[data-testid="insight-warning"][data-code="residuals-rising"]');
  await expect(warning).toContainText('Simulation 10001 may be diverging.');
  await expect(warning).toContainText('Initial residuals rose');
  await expect(page.locator('[data-testid="insight-warning"][data-code="courant-high"]')).toBeVisible();
  const options = page.getByTestId('insight-warnings');
  await expect(options).toContainText('saves its results');
  await expect(options).toContainText('partial results');
  await expect(options.getByRole('button', { name: 'Soft stop' })).toHaveCount(1);
  await options.getByRole('button', { name: 'Soft stop' }).click();
  expect(await page.evaluate(() => (window as unknown as { __actions: string[] }).__actions)).toEqual(['soft-stop:residuals-rising']);
  const bg = await page.locator('[data-chart="residuals"]').evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(bg).toBe('rgb(30, 34, 39)'); // --panel in the dark theme
  await shot(page, 'insight-diverging-800-dark');
  await page.locator('[data-chart="residuals"]').scrollIntoViewIfNeeded();
  await shot(page, 'insight-diverging-800-dark-charts');
});

test('FDS run: step size, pressure iterations and velocity error; keyboard reaches the toggles (1280×800, light and dark)', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const p = plan({ family: 'fds', begin: 0, end: 300, deltaT: 100, jobName: 'room_fire', fields: [] });
  const [v] = followed(p, 'fds6.9.1', { start: 0, end: 300, unit: 's', source: 'T_END in room_fire.fds' }, [4]);
  await page.emulateMedia({ colorScheme: 'light' });
  await open(page, v!);
  await expect(page.getByTestId('progress-percent')).toHaveText('80 %');
  await expect(page.getByText('solver time 240 s of 300 s')).toBeVisible();
  for (const id of ['step-size', 'pressure-iterations', 'velocity-error', 'cfl']) await expect(page.locator(`[data-chart="${id}"]`)).toHaveAttribute('data-points', '96');
  await page.keyboard.press('Tab');
  await expect(page.locator('[data-chart="step-size"] input[type="checkbox"]')).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page.locator('[data-chart="step-size"] input[type="checkbox"]')).not.toBeChecked();
  await shot(page, 'insight-fds-1280-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'insight-fds-1280-dark');
});

test('no progress information is said plainly', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 600 });
  const ins = new RunInsight({ id: 10002, script: 'custom-script', window: null });
  ins.update({ status: 30 }, T0);
  await open(page, JSON.parse(JSON.stringify(ins.view(T0 + 600_000))) as RunInsightView);
  await expect(page.getByTestId('progress-unknown')).toHaveText('No progress information: this solver prints no step or time against a known end. Running for 10 min 00 s.');
  await expect(page.getByTestId('no-charts')).toBeVisible();
});

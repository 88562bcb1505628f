// A key the service refuses on one endpoint only: the UI names the feature that is unavailable
// (with cloudHPC's own text) in a notice under the header, says that everything else goes on and
// how to get it enabled; the key is not shown as rejected. 800×600 and 1280×800, light and dark.
import { expect, test, type Page } from '@playwright/test';
import { RIGHT_KEY, shot, startStack, watchedPage, type Stack } from './fixtures';

test.describe.configure({ mode: 'serial' });

let stack: Stack;
let page: Page;
let consoleErrors: string[] = [];

test.beforeAll(async ({ browser }) => {
  stack = await startStack({ deniedEndpoints: ['GET /simulation/index-short/{field}/{order}/{page}'] });
  ({ page, consoleErrors } = await watchedPage(browser));
});

test.afterAll(async () => {
  await page?.close();
  await stack?.stop();
});

test('the unavailable feature is named, the key stays accepted, the rest of the app works', async () => {
  await page.goto(stack.server.url);
  await page.getByLabel('API key').fill(RIGHT_KEY);
  await page.getByRole('button', { name: 'Check and save' }).click();
  await expect(page.getByRole('tab', { name: 'Projects' })).toBeVisible();
  const notice = page.getByTestId('unavailable-features');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText('Not available with this API key');
  await expect(notice).toContainText('the list of simulations');
  await expect(notice).toContainText('“Unauthorized.”');
  await expect(notice).toContainText('Everything else keeps syncing');
  await expect(page.getByTestId('key-rejected')).toHaveCount(0);
  await expect(page.getByTestId('budget')).toHaveAttribute('title', /of 20000 API calls left this hour/);

  for (const [w, h] of [[800, 600], [1280, 800]] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.emulateMedia({ colorScheme: scheme });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `overflows horizontally at ${w}×${h}`).toBeLessThanOrEqual(0);
      await shot(page, `unavailable-feature-${w}x${h}-${scheme}`);
    }
  }

  // keyboard: the notice's action is reachable and opens the cloudHPC web app (headless: the link is shown)
  const open = notice.getByRole('button', { name: 'Open cloudHPC' });
  await open.focus();
  await expect(open).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('toast').filter({ hasText: 'cloud.cfdfeaservice.it' })).toBeVisible();
  await page.emulateMedia({ colorScheme: 'light' });
  expect(consoleErrors).toEqual([]);
});

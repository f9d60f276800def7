import { expect, test, type Page } from '@playwright/test';

async function count(page: Page, testId: string): Promise<number> {
  return Number(await page.getByTestId(testId).textContent());
}

test.describe('/clock', () => {
  test('both panels receive the greeting, updates and the notification', async ({ page }) => {
    await page.goto('/clock');
    for (const side of ['es', 'fetch']) {
      await expect(page.getByTestId(`${side}-state`)).toHaveText('open');
      await expect(page.getByTestId(`${side}-count-message`)).toHaveText('1');
      await expect.poll(() => count(page, `${side}-count-update`)).toBeGreaterThanOrEqual(3);
      await expect.poll(() => count(page, `${side}-count-notification`)).toBeGreaterThanOrEqual(1);
      await expect(page.getByTestId(`${side}-last-id`)).toHaveText(/^\d+$/);
      // The notification carries no id: the panel's id check sees no repeat and no gap.
      await expect(page.getByTestId(`${side}-duplicates`)).toHaveText('0');
      await expect(page.getByTestId(`${side}-gaps`)).toHaveText('0');
    }
    await expect(page.getByTestId('fetch-raw')).toContainText('event: update');
    await expect(page.getByTestId('fetch-raw')).toContainText('retry: 1000');
    await expect(page.getByTestId('es-log')).toContainText('notification');
  });

  test('Close stops one panel while the other keeps counting', async ({ page }) => {
    await page.goto('/clock');
    await expect.poll(() => count(page, 'es-count-update')).toBeGreaterThanOrEqual(1);
    await page.getByTestId('es-close').click();
    await expect(page.getByTestId('es-state')).toHaveText('closed');
    const frozen = await count(page, 'es-count-update');
    const fetchBefore = await count(page, 'fetch-count-update');
    // Several ticks later (seen on the other panel), the closed panel has not moved.
    await expect.poll(() => count(page, 'fetch-count-update')).toBeGreaterThanOrEqual(fetchBefore + 4);
    expect(await count(page, 'es-count-update')).toBe(frozen);

    await page.getByTestId('fetch-close').click();
    await expect(page.getByTestId('fetch-state')).toHaveText('closed');
    const fetchFrozen = await count(page, 'fetch-count-update');
    await page.getByTestId('es-connect').click();
    await expect.poll(() => count(page, 'es-count-update')).toBeGreaterThanOrEqual(frozen + 4);
    expect(await count(page, 'fetch-count-update')).toBe(fetchFrozen);
  });
});

import type { Page } from '@playwright/test';

/**
 * Waits until React has hydrated an App Router page: Next mounts its route announcer from an
 * effect, so the element exists only once the page's handlers are attached. A click that lands
 * before then (Playwright is that fast) can be lost while React takes the form over, and the test
 * waits in vain for where the click leads (a CI run's "Manage billing" did).
 */
export async function waitForHydration(page: Page): Promise<void> {
  await page.locator('next-route-announcer').waitFor({ state: 'attached' });
}

// E2E (real: built headless server with the demo street camera — NanoDet on the walkers of vtest, MSE live video —
// SQLite in a temp dir, Debian Chromium): a live tile draws detection boxes while people are in view, and the Boxes
// toggle hides them (and is remembered). mock: nothing.
import { describe, expect, it } from 'vitest';
import { useE2E } from './support/e2e';
import { AppShell } from './pages/app-shell.page';
import { LoginPage } from './pages/login.page';

describe('live detection overlays e2e', () => {
  const e2e = useE2E({ demo: true });

  it('a live tile shows person boxes while walkers are in view; the toggle hides them', async () => {
    const page = await e2e.newPage();
    await (await new LoginPage(page).goto(e2e.server.url)).login(e2e.server.apiKey as string);
    await new AppShell(page).waitUntilReady();
    await page.getByTestId('live-grid').waitFor();
    const boxes = () => page.locator('[data-testid="tile"] [data-testid="detection-box"]');
    await expect.poll(() => boxes().count(), { timeout: 60_000, interval: 250 }).toBeGreaterThan(0);
    expect(await boxes().first().getAttribute('data-label')).toMatch(/^(person|car|bicycle|motorcycle|bus|truck)$/);
    expect(await page.locator('[data-testid="detection-box"][data-label="person"]').count()).toBeGreaterThan(0);
    // Boxes sit inside their tile.
    const inside = await page.locator('[data-testid="tile"]').evaluateAll((tiles) =>
      tiles.every((t) => {
        const r = t.getBoundingClientRect();
        return [...t.querySelectorAll('[data-testid="detection-box"]')].every((b) => {
          const q = b.getBoundingClientRect();
          return q.left >= r.left - 1 && q.right <= r.right + 1 && q.top >= r.top - 1 && q.bottom <= r.bottom + 1;
        });
      }),
    );
    expect(inside).toBe(true);

    await page.getByTestId('overlay-toggle').uncheck();
    await expect.poll(() => boxes().count()).toBe(0);
    await page.reload();
    await page.getByTestId('live-grid').waitFor();
    expect(await page.getByTestId('overlay-toggle').isChecked()).toBe(false);
    await page.waitForTimeout(1500);
    expect(await boxes().count()).toBe(0);
    await page.getByTestId('overlay-toggle').check();
    await expect.poll(() => boxes().count(), { timeout: 30_000, interval: 250 }).toBeGreaterThan(0);
  }, 150_000);
});

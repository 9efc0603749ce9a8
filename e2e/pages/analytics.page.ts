// Page object: the Analytics screen (class filter, totals, the four charts and the figures listed beside them).
import type { Locator, Page } from 'playwright-core';

export const ANALYTICS_CHARTS = ['an-chart-cameras', 'an-chart-dwell', 'an-chart-hourly', 'an-chart-kinds'] as const;

export class AnalyticsPage {
  readonly root: Locator;
  readonly objectClass: Locator;
  readonly totals: Locator;
  readonly cameraRows: Locator;
  readonly hourlyCaption: Locator;
  readonly kinds: Locator;
  readonly empty: Locator;
  readonly updated: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'Analytics', exact: true });
    this.objectClass = page.getByLabel('Object class');
    this.totals = page.getByTestId('an-totals');
    this.cameraRows = page.getByTestId('an-camera-row');
    this.hourlyCaption = page.getByTestId('an-hourly-caption');
    this.kinds = page.getByTestId('an-kind');
    this.empty = page.getByTestId('an-empty');
    this.updated = page.getByTestId('an-updated');
  }

  async goto(): Promise<this> {
    await this.page.evaluate(() => (window.location.hash = '#/analytics'));
    await this.root.waitFor();
    return this;
  }

  chart(testId: (typeof ANALYTICS_CHARTS)[number]): Locator {
    return this.page.getByTestId(testId);
  }

  /** A total's figure (e.g. 'an-total', 'an-sightings') as a number. */
  async stat(testId: string): Promise<number> {
    return Number((await this.page.getByTestId(testId).innerText()).replace(/[^\d]/g, ''));
  }

  /** The per-camera table: camera name → [sightings, distinct identities, average dwell text]. */
  async cameraTable(): Promise<Record<string, [number, number, string]>> {
    const rows = await this.cameraRows.evaluateAll((els) =>
      els.map((e) => [e.querySelector('th')?.textContent ?? '', ...[...e.querySelectorAll('td')].map((td) => td.textContent ?? '')] as string[]),
    );
    return Object.fromEntries(rows.map(([name, s, i, d]) => [name as string, [Number(s), Number(i), d as string]]));
  }

  async kindCount(kind: string): Promise<number> {
    return Number(await this.page.locator(`[data-testid="an-kind"][data-kind="${kind}"] [data-testid="an-kind-count"]`).innerText());
  }

  /** Whether a chart's canvas has a drawn size and at least one painted (non-transparent) pixel. */
  async chartPainted(testId: (typeof ANALYTICS_CHARTS)[number]): Promise<boolean> {
    return this.chart(testId).evaluate((el) => {
      const c = el as HTMLCanvasElement;
      if (c.width === 0 || c.height === 0) return false;
      const px = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
      if (!px) return false;
      for (let i = 3; i < px.length; i += 4) if ((px[i] as number) > 0) return true;
      return false;
    });
  }
}

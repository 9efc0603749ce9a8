// Page object: the System screen (health panel, runtime info, API key).
import type { Locator, Page } from 'playwright-core';

export class SystemPage {
  readonly root: Locator;
  readonly healthPanel: Locator;
  readonly healthStatus: Locator;
  readonly apiKey: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'System' });
    this.healthPanel = page.getByTestId('health-panel');
    this.healthStatus = page.getByTestId('health-status');
    this.apiKey = page.getByTestId('api-key');
  }

  async waitForHealth(): Promise<string> {
    await this.healthStatus.waitFor({ state: 'visible' });
    return ((await this.healthStatus.textContent()) ?? '').trim();
  }

  async revealApiKey(): Promise<string> {
    await this.root.getByRole('button', { name: 'Show' }).click();
    await this.page.waitForFunction(() => !document.querySelector('[data-testid="api-key"]')?.textContent?.includes('•'));
    return (await this.apiKey.innerText()).trim();
  }

  /** Text of the <dd> that follows the <dt> with this label. */
  async field(label: string): Promise<string> {
    return ((await this.root.locator('dt', { hasText: label }).locator('xpath=following-sibling::dd[1]').first().textContent()) ?? '').trim();
  }
}

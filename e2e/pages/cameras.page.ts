// Page object: camera management (list, add/edit form with Test connection, enable toggle, delete).
import type { Locator, Page } from 'playwright-core';

export class CamerasPage {
  readonly root: Locator;
  readonly addButton: Locator;
  readonly form: Locator;
  readonly probeButton: Locator;
  readonly probeResult: Locator;
  readonly saveButton: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('cameras-screen');
    this.addButton = page.getByTestId('add-camera');
    this.form = page.getByTestId('camera-form');
    this.probeButton = page.getByTestId('probe-button');
    this.probeResult = page.getByTestId('probe-result');
    this.saveButton = page.getByTestId('save-camera');
  }

  async goto(): Promise<this> {
    await this.page.evaluate(() => (window.location.hash = '#/cameras'));
    await this.root.waitFor();
    return this;
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="camera-row"][data-name="${name}"]`);
  }

  field(name: string): Locator {
    return this.form.locator(`[name="${name}"]`);
  }

  async urlShown(name: string): Promise<string> {
    return (await this.row(name).getByTestId('camera-url').innerText()).trim();
  }

  async probe(): Promise<{ ok: boolean; text: string }> {
    await this.probeButton.click();
    await this.probeResult.waitFor({ timeout: 30_000 });
    return { ok: (await this.probeResult.getAttribute('data-ok')) === 'true', text: (await this.probeResult.innerText()).trim() };
  }

  async edit(name: string): Promise<void> {
    await this.row(name).getByTestId('edit-camera').click();
    await this.form.waitFor();
  }

  async remove(name: string): Promise<void> {
    await this.row(name).getByTestId('delete-camera').click();
    await this.page.getByTestId('confirm-ok').click();
    await this.row(name).waitFor({ state: 'detached' });
  }
}

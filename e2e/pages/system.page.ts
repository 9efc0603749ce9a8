// Page object: the System screen (health panel, runtime info, API key).
import type { Locator, Page } from 'playwright-core';

export class SystemPage {
  readonly root: Locator;
  readonly healthPanel: Locator;
  readonly healthStatus: Locator;
  readonly apiKey: Locator;
  readonly retention: Locator;
  readonly exports: Locator;
  readonly mqtt: Locator;
  readonly users: Locator;
  readonly previewDialog: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'System' });
    this.healthPanel = page.getByTestId('health-panel');
    this.healthStatus = page.getByTestId('health-status');
    this.apiKey = page.getByTestId('api-key');
    this.retention = page.getByTestId('retention-panel');
    this.exports = page.getByTestId('exports-panel');
    this.mqtt = page.getByTestId('mqtt-panel');
    this.users = page.getByTestId('users-panel');
    this.previewDialog = page.getByRole('dialog', { name: 'Delete recordings?' });
  }

  /** Sets one retention field (e.g. retention_max_percent) and saves the Retention panel. */
  async saveRetention(key: string, value: string): Promise<void> {
    const input = this.page.getByTestId(`setting-${key}`);
    await input.fill(value);
    await this.page.getByTestId('save-retention').click();
  }

  /** Fills the MQTT panel (fields left undefined keep their value) and saves it. */
  async saveMqtt(f: { url?: string; username?: string; password?: string; prefix?: string }): Promise<void> {
    if (f.url !== undefined) await this.page.getByTestId('setting-mqtt_url').fill(f.url);
    if (f.username !== undefined) await this.page.getByTestId('setting-mqtt_username').fill(f.username);
    if (f.password !== undefined) await this.page.getByTestId('setting-mqtt_password').fill(f.password);
    if (f.prefix !== undefined) await this.page.getByTestId('setting-mqtt_topic_prefix').fill(f.prefix);
    await this.page.getByTestId('save-mqtt').click();
  }

  /** Fills the Users panel's add form and submits it. */
  async addUser(username: string, password: string, role: 'admin' | 'operator' | 'viewer'): Promise<void> {
    await this.page.getByTestId('new-user-name').fill(username);
    await this.page.getByTestId('new-user-password').fill(password);
    await this.page.getByTestId('new-user-role').selectOption(role);
    await this.page.getByTestId('add-user').click();
  }

  /** A user's row in the Users panel. */
  userRow(username: string): Locator {
    return this.users.locator(`[data-testid="user-row"][data-username="${username}"]`);
  }

  /** Rows of the retention preview table: [camera, segments, size, oldest kept]. */
  async previewRows(): Promise<string[][]> {
    await this.previewDialog.getByTestId('retention-preview').waitFor();
    const rows = this.previewDialog.locator('tbody tr');
    const out: string[][] = [];
    for (let i = 0; i < (await rows.count()); i++) out.push((await rows.nth(i).locator('td').allInnerTexts()).map((t) => t.trim()));
    return out;
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

// Page object: the app shell around every screen (navigation, connection banner, toasts).
import type { Locator, Page } from 'playwright-core';

export class AppShell {
  readonly nav: Locator;
  readonly banner: Locator;
  readonly toasts: Locator;

  constructor(readonly page: Page) {
    this.nav = page.getByRole('navigation', { name: 'Main' });
    this.banner = page.locator('.banner[role="status"]');
    this.toasts = page.locator('.toasts .toast');
  }

  async waitUntilReady(): Promise<this> {
    await this.nav.waitFor({ state: 'visible' });
    return this;
  }

  navButton(label: string): Locator {
    return this.nav.getByRole('button', { name: label, exact: true });
  }

  async open(label: string): Promise<void> {
    await this.navButton(label).click();
    await this.page.locator(`[aria-current="page"]`, { hasText: label }).waitFor();
  }

  /** Browser sessions only: ends the session and returns to the login screen. */
  async logout(): Promise<void> {
    await this.nav.getByRole('button', { name: 'Log out', exact: true }).click();
    await this.nav.waitFor({ state: 'detached' });
  }

  /** Visible nav entries, in order. */
  async screens(): Promise<string[]> {
    return (await this.nav.getByRole('button').allInnerTexts()).map((t) => t.trim());
  }
}

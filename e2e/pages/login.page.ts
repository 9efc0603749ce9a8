// Page object: the browser login screen that exchanges the API key for a session.
import type { Locator, Page } from 'playwright-core';

export class LoginPage {
  readonly form: Locator;
  readonly keyInput: Locator;
  readonly submit: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.form = page.getByRole('form', { name: 'Log in' });
    this.keyInput = page.getByLabel('API key');
    this.submit = page.getByRole('button', { name: 'Log in' });
    this.error = this.form.getByRole('alert');
  }

  async goto(baseUrl: string): Promise<this> {
    await this.page.goto(baseUrl);
    await this.form.waitFor({ state: 'visible' });
    return this;
  }

  async login(key: string): Promise<void> {
    await this.keyInput.fill(key);
    await this.submit.click();
  }

  /** Switches to the user-account form and signs in with a user name and password. */
  async loginUser(username: string, password: string): Promise<void> {
    await this.page.getByTestId('login-mode').click();
    await this.page.getByLabel('User name').fill(username);
    await this.page.getByLabel('Password').fill(password);
    await this.submit.click();
  }
}

// E2E (real: built headless server, SQLite in a temp dir, Debian Chromium): login with the key or the one-time link, app shell, health panel.
import { describe, expect, it } from 'vitest';
import { useE2E } from './support/e2e';
import { LoginPage } from './pages/login.page';
import { AppShell } from './pages/app-shell.page';
import { SystemPage } from './pages/system.page';

/** Before login the UI probes /api/system and gets the documented 401; Chromium logs that response as a console error. */
const EXPECTED_401 = /status of 401/;

describe('foundation e2e', () => {
  const e2e = useE2E({ demo: false });

  it('shows the login screen, refuses a wrong key, then logs in and shows the shell and health panel', async () => {
    const page = await e2e.newPage({ allow: [EXPECTED_401] });
    const login = await new LoginPage(page).goto(e2e.server.url);
    await e2e.screenshot(page, 'foundation-login');

    await login.login('definitely-not-the-key');
    await login.error.waitFor();
    expect(await login.error.innerText()).toBe('Invalid API key.');

    await login.login(e2e.server.apiKey as string);
    const shell = await new AppShell(page).waitUntilReady();
    expect(await shell.screens()).toContain('System');
    const system = new SystemPage(page);
    await system.healthPanel.waitFor();
    const shown = await system.waitForHealth();
    const health = (await (await e2e.server.api('/health', { auth: false })).json()) as { status: string; version: string };
    expect(shown).toBe(health.status);
    expect(await system.field('Version')).toBe(health.version);
    expect(await system.field('Signed in as')).toBe('operator via session');
    expect(await system.revealApiKey()).toBe(e2e.server.apiKey);
    await expect.poll(() => shell.banner.count()).toBe(0);
    await e2e.screenshot(page, 'foundation-system');

    await page.reload();
    await new SystemPage(page).waitForHealth();

    await new AppShell(page).logout();
    await new LoginPage(page).form.waitFor();
    await page.reload();
    await new LoginPage(page).form.waitFor();
  });

  it('a session that ends on the server (restart, key regenerated, expiry) brings the browser back to the login screen', async () => {
    const page = await e2e.newPage({ allow: [EXPECTED_401] });
    await (await new LoginPage(page).goto(e2e.server.url)).login(e2e.server.apiKey as string);
    await new SystemPage(page).waitForHealth();
    const cookie = (await page.context().cookies()).find((c) => c.name === 'vigil_session');
    expect(cookie).toBeDefined();
    // End the session server-side, as a restart or a key regenerated in another browser does.
    const out = await e2e.server.api('/api/auth/logout', { method: 'POST', auth: false, headers: { cookie: `vigil_session=${cookie?.value}` } });
    expect(out.status).toBe(204);
    const login = new LoginPage(page);
    await login.form.waitFor({ timeout: 20_000 });
    expect(await login.error.innerText()).toContain('session has ended');
    await login.login(e2e.server.apiKey as string);
    await new SystemPage(page).waitForHealth();
  });

  it('logs in through the one-time link printed on stdout, which then stops working', async () => {
    expect(e2e.server.stdout()).toContain(e2e.server.loginUrl);
    const page = await e2e.newPage({ allow: [EXPECTED_401] });
    await page.goto(e2e.server.loginUrl);
    expect(new URL(page.url()).pathname).toBe('/');
    await new AppShell(page).waitUntilReady();
    expect(await new SystemPage(page).waitForHealth()).toMatch(/^(ok|degraded)$/);

    const other = await e2e.newPage({ allow: [EXPECTED_401] });
    const res = await other.goto(e2e.server.loginUrl);
    expect(res?.status()).toBe(401);
    expect(await other.locator('body').innerText()).toContain('already used');
    await other.goto(e2e.server.url);
    await new LoginPage(other).form.waitFor();
  });
});

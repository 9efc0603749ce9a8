// E2E (real: built headless server, users with Argon2id passwords and hashed API keys in SQLite, Debian Chromium):
// an admin manages users on the System screen: adds an operator, makes them a viewer, issues a personal API key (shown
// once, and it works with the viewer's rights), sets a new password they then sign in with, and removes them, after
// which neither the key nor the password works. mock: nothing.
import { describe, expect, it } from 'vitest';
import { useE2E } from './support/e2e';
import { AppShell } from './pages/app-shell.page';
import { LoginPage } from './pages/login.page';
import { SystemPage } from './pages/system.page';

const EXPECTED_401 = /status of 401/;

describe('users UI e2e', () => {
  const e2e = useE2E({});

  it('an admin adds, re-roles, keys, re-passwords and removes a user; only admins see the panel', async () => {
    const page = await e2e.newPage({ allow: [EXPECTED_401] });
    await (await new LoginPage(page).goto(e2e.server.url)).login(e2e.server.apiKey as string);
    await new AppShell(page).waitUntilReady();
    await new AppShell(page).open('System');
    const system = new SystemPage(page);
    await system.users.waitFor();

    await system.addUser('vera', 'first-pass-1234', 'operator');
    const row = system.userRow('vera');
    await row.waitFor();
    const listed = async () => ((await (await e2e.server.api('/api/users')).json()) as { username: string; role: string; has_api_key: boolean }[]).find((u) => u.username === 'vera');
    expect(await listed()).toMatchObject({ role: 'operator', has_api_key: false });

    await row.getByTestId('user-role').selectOption('viewer');
    await expect.poll(async () => (await listed())?.role).toBe('viewer');

    // A personal key, shown once: it works as a bearer with the viewer's rights and is never listed again.
    await row.getByTestId('user-api-key').click();
    const key = (await page.getByTestId('issued-key-value').innerText()).trim();
    expect(key.length).toBeGreaterThan(20);
    const asVera = (path: string) => fetch(`${e2e.server.url.replace(/\/$/, '')}${path}`, { headers: { authorization: `Bearer ${key}` } });
    expect((await asVera('/api/cameras')).status).toBe(200);
    expect((await asVera('/api/users')).status).toBe(403);
    expect(await listed()).toMatchObject({ has_api_key: true });
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.content()).not.toContain(key);

    await row.getByTestId('user-password').click();
    await page.getByTestId('user-new-password').fill('second-pass-1234');
    await page.getByTestId('user-save-password').click();
    await page.getByTestId('user-new-password').waitFor({ state: 'detached' });
    await e2e.screenshot(page, 'ui-system-users');

    // Vera signs in with the new password and, as a viewer, sees no System screen (so no users panel).
    const vera = await e2e.newPage({ allow: [EXPECTED_401] });
    await (await new LoginPage(vera).goto(e2e.server.url)).loginUser('vera', 'second-pass-1234');
    const veraShell = await new AppShell(vera).waitUntilReady();
    expect(await veraShell.screens()).not.toContain('System');
    await vera.close();

    await row.getByTestId('user-remove').click();
    await page.getByRole('dialog', { name: 'Remove vera?' }).getByRole('button', { name: 'Remove' }).click();
    await row.waitFor({ state: 'detached' });
    expect(await listed()).toBeUndefined();
    expect((await asVera('/api/cameras')).status).toBe(401);
    const login = await fetch(`${e2e.server.url.replace(/\/$/, '')}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'vera', password: 'second-pass-1234' }) });
    expect(login.status).toBe(401);
    expect(e2e.unexpectedErrors()).toEqual([]);
  }, 120_000);
});

// E2E (real: built headless server with its demo cameras, users with Argon2id passwords in SQLite, Debian Chromium):
// an operator and a viewer sign in with their user accounts; each sees only the screens its role may use, and no
// screen they open answers 403 (any console error fails the test); a viewer's own grid layout stays in their browser.
// mock: nothing.
import { describe, expect, it } from 'vitest';
import { useE2E } from './support/e2e';
import { AppShell } from './pages/app-shell.page';
import { LoginPage } from './pages/login.page';

/** Nav buttons that open a screen (not help or log out). */
const isScreen = (label: string): boolean => !['?', 'Log out'].includes(label);

describe('roles in the browser UI', () => {
  const e2e = useE2E({ demo: true });

  const addUser = async (username: string, role: 'operator' | 'viewer') => {
    const r = await e2e.server.api('/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: `${username}-pass-1234`, role }) });
    expect(r.status).toBe(201);
  };

  it('an operator and a viewer see only their screens and open them without a 403', async () => {
    await addUser('olga', 'operator');
    await addUser('vic', 'viewer');

    const op = await e2e.newPage();
    await (await new LoginPage(op).goto(e2e.server.url)).loginUser('olga', 'olga-pass-1234');
    const opShell = await new AppShell(op).waitUntilReady();
    expect((await opShell.screens()).filter(isScreen)).toEqual(['Live', 'Timeline', 'Events', 'People', 'Identities', 'Face groups', 'Analytics']);
    for (const s of ['Timeline', 'Events', 'People', 'Identities', 'Analytics']) {
      await opShell.open(s);
      await op.waitForTimeout(500);
    }
    await op.evaluate(() => (window.location.hash = '#/system'));
    await op.getByTestId('not-allowed').waitFor();

    const viewer = await e2e.newPage();
    await (await new LoginPage(viewer).goto(e2e.server.url)).loginUser('vic', 'vic-pass-1234');
    const vShell = await new AppShell(viewer).waitUntilReady();
    expect((await vShell.screens()).filter(isScreen)).toEqual(['Live']);
    await viewer.locator('[data-testid="tile"]').first().waitFor({ timeout: 20_000 });
    // A viewer may arrange their own grid: the layout is kept in this browser (no 403 from the shared settings),
    // survives a reload, and does not change anyone else's.
    await viewer.getByTestId('layout-1').click();
    await expect.poll(() => viewer.getByTestId('layout-1').getAttribute('aria-pressed')).toBe('true');
    await viewer.reload();
    await new AppShell(viewer).waitUntilReady();
    await expect.poll(() => viewer.getByTestId('layout-1').getAttribute('aria-pressed'), { timeout: 10_000 }).toBe('true');
    const shared = (await (await e2e.server.api('/api/settings')).json()) as { ui_grid_layout: string };
    expect(shared.ui_grid_layout).not.toBe('1');
    await viewer.waitForTimeout(1500);
    expect(e2e.unexpectedErrors()).toEqual([]);
  }, 120_000);
});

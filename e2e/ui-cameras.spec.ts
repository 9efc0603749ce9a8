// E2E (real: built headless server, GStreamer RTSP test camera on 127.0.0.1, Debian Chromium): a camera is added, tested,
// edited with the masked URL kept, and deleted; the System screen shows storage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useE2E } from './support/e2e';
import { waitFor } from './support/net';
import { AppShell } from './pages/app-shell.page';
import { LoginPage } from './pages/login.page';
import { CamerasPage } from './pages/cameras.page';
import { startRtspServer, type RtspServer } from '../test/support/rtsp-server';

const EXPECTED_401 = /status of 401/;

describe('camera management e2e', () => {
  const e2e = useE2E({ demo: false });
  let rtsp: RtspServer | null = null;
  beforeAll(async () => {
    rtsp = await startRtspServer();
  });
  afterAll(async () => {
    await rtsp?.stop();
  });

  it('adds a camera, tests it, edits it keeping the masked URL, and deletes it', async () => {
    const page = await e2e.newPage({ allow: [EXPECTED_401] });
    await (await new LoginPage(page).goto(e2e.server.url)).login(e2e.server.apiKey as string);
    await new AppShell(page).waitUntilReady();
    const cams = await new CamerasPage(page).goto();
    const secretUrl = (rtsp as RtspServer).url.replace('rtsp://', 'rtsp://viewer:s3cret-pw@');

    await cams.addButton.click();
    await cams.field('name').fill('Gate');
    await cams.field('rtsp_url').fill(secretUrl);
    const probe = await cams.probe();
    expect(probe.ok, probe.text).toBe(true);
    expect(probe.text).toMatch(/h264/i);
    expect(probe.text).toContain('768×576');

    await cams.field('detect_conf').fill('1.5');
    await cams.saveButton.click();
    await expect.poll(() => cams.form.getByRole('alert').count()).toBeGreaterThan(0);
    await cams.field('detect_conf').fill('0.6');
    await e2e.screenshot(page, 'ui-camera-form');
    await cams.saveButton.click();
    await cams.row('Gate').waitFor();
    const shown = await cams.urlShown('Gate');
    expect(shown).toContain('***@');
    expect(shown).not.toContain('s3cret');

    await cams.edit('Gate');
    expect(await cams.field('rtsp_url').inputValue()).toBe(shown);
    const again = await cams.probe();
    expect(again.ok, again.text).toBe(true);
    await cams.field('name').fill('Gate North');
    await cams.saveButton.click();
    await cams.row('Gate North').waitFor();
    expect(await cams.urlShown('Gate North')).toBe(shown);
    const list = (await (await e2e.server.api('/api/cameras')).json()) as { id: number; rtsp_url: string; status: string; detect_conf: number }[];
    expect(list).toHaveLength(1);
    expect(list[0]?.rtsp_url).toBe(shown);
    expect(list[0]?.detect_conf).toBe(0.6);
    await waitFor('the edited camera (stored URL kept) to come online', async () => {
      const c = (await (await e2e.server.api(`/api/cameras/${list[0]?.id}`)).json()) as { status: string };
      return c.status === 'online' ? true : undefined;
    }, { timeoutMs: 45_000, intervalMs: 500 });
    await e2e.screenshot(page, 'ui-cameras');

    await cams.edit('Gate North');
    await cams.field('rtsp_url').fill('rtsp://127.0.0.1:9/nothing');
    const bad = await cams.probe();
    expect(bad.ok).toBe(false);
    expect(bad.text).toMatch(/^Failed: .+/);
    await cams.form.getByRole('button', { name: 'Cancel' }).click();

    await cams.remove('Gate North');
    await expect.poll(async () => ((await (await e2e.server.api('/api/cameras')).json()) as unknown[]).length).toBe(0);

    await page.evaluate(() => (window.location.hash = '#/system'));
    await page.getByTestId('storage-panel').waitFor();
    await e2e.screenshot(page, 'ui-system');
  });
});

describe('API key regeneration e2e', () => {
  // A generated (not VIGIL_API_KEY) key, which is the one regeneration may replace; login through the one-time link.
  const e2e = useE2E({ demo: false, apiKey: null });

  it('regenerating the API key keeps this browser signed in with the new key', async () => {
    const page = await e2e.newPage({ allow: [EXPECTED_401] });
    await page.goto(e2e.server.loginUrl);
    await new AppShell(page).waitUntilReady();
    await page.evaluate(() => (window.location.hash = '#/system'));
    await page.getByTestId('regenerate-key').click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(async () => (await page.getByTestId('api-key').innerText()).trim(), { timeout: 10_000 }).toMatch(/^[^•]+$/);
    const newKey = (await page.getByTestId('api-key').innerText()).trim();
    expect((await e2e.server.api('/api/system', { headers: { authorization: `Bearer ${newKey}` } })).status).toBe(200);
    await page.reload();
    await new AppShell(page).waitUntilReady();
    await page.getByTestId('health-panel').waitFor();
    expect(await page.getByRole('form', { name: 'Log in' }).count()).toBe(0);
  });
});

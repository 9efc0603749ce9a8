// E2E (real: built headless server with NanoDet, SQLite in a temp dir, Argon2id, Debian Chromium, real photos): an
// operator makes a "person required" policy and registers a stream in the Streams screen; the pairing QR code shows;
// a kiosk (a script here) pairs with the code on screen and posts a photo of a person, which is compliant; pausing the
// stream in the UI makes the next frame a 409. mock: nothing.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR, useE2E } from './support/e2e';
import { REPO_ROOT } from './support/server';
import { AppShell } from './pages/app-shell.page';
import { LoginPage } from './pages/login.page';

const PEOPLE = join(REPO_ROOT, '..', 'shared', 'fixtures', 'people');

describe('Streams screen e2e', () => {
  const e2e = useE2E({ demo: false });

  it('policy and stream made in the UI; the kiosk pairs with the code on screen and its frames are verified; pause refuses frames', async () => {
    const page = await e2e.newPage();
    await (await new LoginPage(page).goto(`${e2e.server.url}#/streams`)).login(e2e.server.apiKey as string);
    await new AppShell(page).waitUntilReady();
    await page.getByTestId('streams-screen').waitFor();

    await page.getByTestId('policy-new').click();
    await page.getByLabel('Policy name').fill('Person at the kiosk');
    await page.getByLabel('Required classes').fill('person');
    await page.getByTestId('policy-save').click();
    await page.locator('[data-testid="policy-row"]', { hasText: 'Person at the kiosk' }).waitFor();
    expect(await page.locator('[data-testid="policy-row"]').innerText()).toContain('requires person');

    await page.getByLabel('Stream name').fill('Bay 3 kiosk');
    await page.getByLabel('Location').fill('Service bay 3');
    await page.getByRole('combobox', { name: 'Policy', exact: true }).selectOption({ label: 'Person at the kiosk' });
    await page.getByTestId('stream-create').click();
    const row = page.locator('[data-testid="stream-row"]', { hasText: 'Bay 3 kiosk' });
    await row.waitFor();
    await page.getByTestId('pairing-code').waitFor();
    const qrOk = await page.locator('.pairing-qr').evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0);
    expect(qrOk).toBe(true);
    const code = (await page.getByTestId('pairing-code-text').innerText()).trim();
    const streamId = (await row.getAttribute('data-stream-id')) as string;
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    // README: copy it to docs/screenshots/ by hand when the screen changes.
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'streams.jpg'), type: 'jpeg', quality: 80, fullPage: true });

    // The kiosk: pair once with the code it scanned, then post a frame.
    const pair = await e2e.server.api('/api/v1/streams/pair', { auth: false, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
    expect(pair.status).toBe(200);
    const { stream_id, stream_token } = (await pair.json()) as { stream_id: string; stream_token: string };
    expect(stream_id).toBe(streamId);
    const post = async () => {
      const fd = new FormData();
      fd.append('frame', new Blob([new Uint8Array(readFileSync(join(PEOPLE, 'jesper.jpg')))], { type: 'image/jpeg' }), 'frame.jpg');
      return e2e.server.api(`/api/v1/streams/${streamId}/frame`, { auth: false, method: 'POST', headers: { 'x-stream-token': stream_token }, body: fd });
    };
    const r = await post();
    expect(r.status).toBe(200);
    expect(((await r.json()) as { is_compliant: boolean }).is_compliant).toBe(true);

    await page.getByRole('button', { name: 'Done' }).click();
    await row.getByTestId('stream-pause').click();
    await page.locator(`[data-testid="stream-row"][data-stream-id="${streamId}"][data-status="paused"]`).waitFor();
    expect((await post()).status).toBe(409);
  }, 120_000);
});

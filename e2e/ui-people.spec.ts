// E2E (real: built headless server with the shipped BlazeFace + dlib models, SQLite in a temp dir, Debian Chromium, real
// photos): a person is created, enrolled from a photo through the file input, refused for a faceless and an oversized
// photo, renamed, filtered on in the events browser, has the face removed and is deleted.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR, useE2E } from './support/e2e';
import { REPO_ROOT } from './support/server';
import { AppShell } from './pages/app-shell.page';
import { LoginPage } from './pages/login.page';
import { EventsPage } from './pages/events.page';
import { PeoplePage } from './pages/people.page';

/** Before login the UI probes /api/system and gets the documented 401; Chromium logs that response as a console error. */
const EXPECTED_401 = /status of 401/;
/** The documented 422 for a photo without a face; Chromium logs the response as a console error. */
const NO_FACE_422 = /status of 422.*\/api\/people\/\d+\/faces/;

const PEOPLE_FIXTURES = join(REPO_ROOT, '..', 'shared', 'fixtures', 'people');
/** Jesper, one clear face. */
const JESPER = join(PEOPLE_FIXTURES, 'jesper.jpg');
/** A snowy landscape: the detector finds no face in it (sunset.jpg does yield a low-quality false positive). */
const NO_FACE = join(PEOPLE_FIXTURES, 'snow.jpg');

interface PersonJson {
  id: number;
  name: string;
  num_faces: number;
}

describe('People screen e2e', () => {
  const e2e = useE2E({ demo: false });

  const people = async (): Promise<PersonJson[]> => (await (await e2e.server.api('/api/people')).json()) as PersonJson[];

  it('creates a person, enrols a face from a photo, refuses a faceless and an oversized photo, and removes the face', async () => {
    const page = await e2e.newPage({ allow: [EXPECTED_401, NO_FACE_422] });
    const uploads: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && /\/api\/people\/\d+\/faces$/.test(r.url())) uploads.push(r.url());
    });
    await (await new LoginPage(page).goto(e2e.server.url)).login(e2e.server.apiKey as string);
    const shell = await new AppShell(page).waitUntilReady();
    expect(await shell.screens()).toContain('People');
    await shell.open('People');
    const pp = new PeoplePage(page);
    await pp.root.waitFor();
    expect(await pp.unavailable.count()).toBe(0);

    await pp.create('Jesper');
    expect(await pp.numFaces('Jesper')).toBe('0 faces');
    const [jesper] = await people();
    expect(jesper).toMatchObject({ name: 'Jesper', num_faces: 0 });
    const id = (jesper as PersonJson).id;

    await pp.addPhoto(JESPER);
    await pp.faces.first().waitFor({ timeout: 30_000 });
    await expect.poll(() => pp.numFaces('Jesper'), { timeout: 10_000 }).toBe('1 face');
    const faceId = Number(await pp.faces.first().getAttribute('data-face-id'));
    await expect.poll(() => pp.faceImageLoaded(faceId), { timeout: 10_000 }).toBe(true);
    expect((await people())[0]?.num_faces).toBe(1);
    expect(await pp.enrolError.count()).toBe(0);
    await shell.toasts.filter({ hasText: 'Enrolled Jesper from jesper.jpg' }).waitFor();

    // The README screenshot: the person with their enrolled face (toasts dismissed).
    while ((await shell.toasts.count()) > 0) await shell.toasts.first().click({ timeout: 1000 }).catch(() => undefined);
    await e2e.screenshot(page, 'ui-people');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const jpg = join(SCREENSHOT_DIR, 'people.jpg');
    // README: copy it to docs/screenshots/ by hand when the screen changes.
    await page.screenshot({ path: jpg, type: 'jpeg', quality: 80, fullPage: true });

    await pp.addPhoto(NO_FACE);
    await pp.enrolError.waitFor({ timeout: 30_000 });
    expect(await pp.enrolError.innerText()).toMatch(/No face found in that photo/);
    expect(await pp.enrolError.getAttribute('role')).toBe('alert');
    expect(await pp.faces.count()).toBe(1);
    expect(await pp.numFaces('Jesper')).toBe('1 face');
    await e2e.screenshot(page, 'ui-people-no-face');

    // Over 8 MiB is refused in the browser, before any upload.
    const sent = uploads.length;
    await pp.addPhoto({ name: 'huge.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(9 * 1024 * 1024, 0xff) });
    await expect.poll(() => pp.enrolError.innerText()).toMatch(/That photo is 9\.0 MiB, over the 8 MiB limit/);
    expect(uploads.length).toBe(sent);
    expect((await people())[0]?.num_faces).toBe(1);

    await pp.nameInput.fill('Jesper S');
    await pp.saveButton.click();
    await pp.row('Jesper S').waitFor();
    expect((await people())[0]?.name).toBe('Jesper S');

    // The events browser filters on the person: events.list is called with person_id.
    const listed = page.waitForRequest((r) => r.url().includes('/api/events?') && r.url().includes(`person_id=${id}`));
    const events = await new EventsPage(page).goto();
    await page.getByLabel('Person filter').selectOption({ label: 'Jesper S' });
    await listed;
    await expect.poll(() => events.total.innerText()).toBe('0 events');
    await pp.goto();
    await pp.select('Jesper S');

    await pp.deleteFace(faceId);
    await expect.poll(() => pp.numFaces('Jesper S')).toBe('0 faces');
    expect((await people())[0]?.num_faces).toBe(0);
    expect((await e2e.server.api(`/api/people/${id}/faces/${faceId}/image`)).status).toBe(404);

    await pp.deleteButton.click();
    await page.getByTestId('confirm-ok').click();
    await pp.row('Jesper S').waitFor({ state: 'detached' });
    expect(await people()).toEqual([]);
  });

  it('says clearly when face recognition is unavailable, and offers no enrolment', async () => {
    const put = (body: Record<string, unknown>) => e2e.server.api('/api/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await e2e.server.api('/api/people', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Anne Helene' }) });
    const anne = (await created.json()) as PersonJson;
    expect((await put({ face_detector_model: null })).status).toBe(200);
    try {
      const page = await e2e.newPage({ allow: [EXPECTED_401] });
      await (await new LoginPage(page).goto(e2e.server.url)).login(e2e.server.apiKey as string);
      await new AppShell(page).waitUntilReady();
      const pp = await new PeoplePage(page).goto();
      await pp.unavailable.waitFor();
      expect(await pp.unavailable.innerText()).toMatch(/Face recognition is not available: face models are turned off in settings/);
      await pp.select('Anne Helene');
      expect(await pp.photoInput.isDisabled()).toBe(true);
      await e2e.screenshot(page, 'ui-people-unavailable');
    } finally {
      expect((await put({ face_detector_model: 'blazeface-back-256' })).status).toBe(200);
      await e2e.server.api(`/api/people/${anne.id}`, { method: 'DELETE' });
    }
  });
});

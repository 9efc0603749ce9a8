// E2E (real: built headless server with the shipped NanoDet, BlazeFace and dlib models, ffmpeg ingest of a file camera,
// SQLite in a temp dir, Debian Chromium; the camera's video is made from the fixture photos with ffmpeg). An operator
// enrols a person from a photo in the People screen and a live event gets their name; the person page lists it and
// "Find everywhere" plays it on the timeline; the unenrolled visitor shows up as a face group, and enrolling that group
// names the visitor's later events. mock: nothing.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR, useE2E } from './support/e2e';
import { REPO_ROOT } from './support/server';
import { AppShell } from './pages/app-shell.page';
import { LoginPage } from './pages/login.page';
import { EventsPage } from './pages/events.page';
import { PeoplePage } from './pages/people.page';
import { FaceGroupsPage } from './pages/face-groups.page';
import { TimelinePage } from './pages/timeline.page';
import { twoPeopleVideo } from '../test/support/people-video';

const PEOPLE = join(REPO_ROOT, '..', 'shared', 'fixtures', 'people');
const present = existsSync(join(PEOPLE, 'jesper.jpg'));

interface EventJson {
  id: number;
  person_id: number | null;
  person_name: string | null;
  started_at: string;
}

describe.runIf(present)('live recognition e2e', () => {
  const media = mkdtempSync(join(tmpdir(), 'vigil-e2e-recognition-'));
  const video = twoPeopleVideo(media, PEOPLE);
  afterAll(() => rmSync(media, { recursive: true, force: true }));
  const e2e = useE2E({ demo: false, extraArgs: ['--media-dir', media] });

  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await e2e.server.api(path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  const eventsOf = async (personId: number): Promise<EventJson[]> => (await json<{ items: EventJson[] }>('GET', `/api/events?person_id=${personId}`)).items;

  it('enrol from a photo in the UI; a live event gets the name, the person page lists it, and Find everywhere plays it on the timeline; an unknown face group enrolled later names the next events', async () => {
    const page = await e2e.newPage();
    await (await new LoginPage(page).goto(`${e2e.server.url}#/people`)).login(e2e.server.apiKey as string);
    const shell = await new AppShell(page).waitUntilReady();
    const pp = new PeoplePage(page);
    await pp.root.waitFor();
    await pp.create('Jesper');
    await pp.addPhoto(join(PEOPLE, 'jesper.jpg'));
    await expect.poll(() => pp.numFaces('Jesper'), { timeout: 30_000 }).toBe('1 face');
    const jesper = Number(await pp.row('Jesper').getAttribute('data-person-id'));

    // The camera (setup through the API, as a script would): a file looping Jesper, then Anne Helene.
    await json('PUT', '/api/settings', { segment_seconds: 2, analysis_fps: 4 });
    const tuning = { faces_enabled: true, pre_seconds: 1, post_seconds: 2, min_trigger_frames: 2, max_event_seconds: 30, detect_interval: 0, motion_enabled: false };
    const cam = (await json<{ id: number }>('POST', '/api/cameras', { name: 'Lobby', rtsp_url: video, ...tuning })).id;

    // A live event named Jesper, in the events browser with his name chip.
    await expect.poll(async () => (await eventsOf(jesper)).length, { timeout: 120_000, interval: 1000 }).toBeGreaterThan(0);
    const named = (await eventsOf(jesper))[0] as EventJson;
    await shell.open('Events');
    const ep = new EventsPage(page);
    await ep.root.waitFor();
    await expect.poll(() => ep.row(named.id).getByTestId('person-chip').innerText(), { timeout: 20_000 }).toBe('Jesper');

    // His page lists it.
    await pp.goto();
    await pp.select('Jesper');
    await expect.poll(() => page.locator(`[data-testid="person-event"][data-event-id="${named.id}"]`).count(), { timeout: 20_000 }).toBe(1);

    // Find everywhere: the timeline lists his moments, marks them on the lanes and plays them in order.
    await page.getByTestId('person-find').click();
    const tp = new TimelinePage(page);
    await page.getByTestId('person-search').waitFor();
    await expect.poll(() => page.getByTestId('person-hit').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await page.locator(`[data-testid="person-hit"][data-key="e${named.id}"]`).count()).toBe(1);
    await expect.poll(async () => Number(await page.getByTestId('timeline').getAttribute('data-marks'))).toBeGreaterThan(0);
    await page.getByTestId('person-search-play').click();
    await tp.vod.waitFor({ timeout: 20_000 });
    await expect.poll(() => tp.vod.evaluate((v) => (v as HTMLVideoElement).currentTime), { timeout: 30_000 }).toBeGreaterThan(0.5);
    expect(await page.getByTestId('person-search-play').innerText()).toMatch(/^Playing \d+ of \d+$/);
    // README: copy it to docs/screenshots/ by hand when the screen changes.
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'timeline-find.jpg'), type: 'jpeg', quality: 80, fullPage: true });

    // Face groups: the visitor nobody enrolled is a group of their own; enrolling it names her later events.
    const fg = await new FaceGroupsPage(page).goto();
    const unknown = page.locator('[data-testid="face-group"][data-person-id=""]');
    await expect
      .poll(
        async () => {
          await fg.root.getByRole('button', { name: 'Refresh', exact: true }).click();
          await fg.idle();
          return unknown.count();
        },
        { timeout: 120_000, interval: 3000 },
      )
      .toBeGreaterThan(0);
    const groupId = Number(await unknown.first().getAttribute('data-group-id'));
    await unknown.first().click();
    await page.locator(`[data-testid="group-detail"][data-group-id="${groupId}"]`).waitFor();
    const enrolledAt = Date.now();
    await fg.enrolAsNew('Anne');
    await expect.poll(async () => (await json<{ id: number; name: string }[]>('GET', '/api/people')).map((p) => p.name).sort()).toEqual(['Anne', 'Jesper']);
    const anne = (await json<{ id: number; name: string }[]>('GET', '/api/people')).find((p) => p.name === 'Anne')!.id;
    await expect
      .poll(async () => (await eventsOf(anne)).filter((e) => Date.parse(e.started_at) > enrolledAt).length, { timeout: 120_000, interval: 1000 })
      .toBeGreaterThan(0);
    const later = (await eventsOf(anne))[0] as EventJson;
    expect(later).toMatchObject({ person_id: anne, person_name: 'Anne' });
    expect((await json<{ camera_id: number }>('GET', `/api/events/${later.id}`)).camera_id).toBe(cam);
    await ep.goto(later.id);
    await expect.poll(() => ep.row(later.id).getByTestId('person-chip').innerText(), { timeout: 20_000 }).toBe('Anne');
  }, 420_000);
});

// E2E (real: the BlazeFace + dlib engine embedding real photos of two people from ../shared/fixtures/people, the faces
// services writing SQLite and crops into a data dir, then the built headless server on that dir, Debian Chromium):
// two face groups appear, the threshold slider re-clusters, a group is enrolled as a person, a face is deleted, clips and
// "find everywhere" list what they should. mock: nothing; the captures are seeded instead of filmed (live capture is
// another piece of work), with a camera row per place they were "seen".
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR, useE2E } from './support/e2e';
import { REPO_ROOT } from './support/server';
import { waitFor } from './support/net';
import { AppShell } from './pages/app-shell.page';
import { LoginPage } from './pages/login.page';
import { FaceGroupsPage } from './pages/face-groups.page';
import { openDatabase, type Db } from '../src-main/repositories/db/database';
import { silentLogger } from '../src-main/repositories/logger';
import { SqliteSettingsRepository } from '../src-main/repositories/settings.repository';
import { fileKeyProvider, SecretBox } from '../src-main/repositories/secrets.repository';
import { SqliteCamerasRepository } from '../src-main/repositories/cameras.repository';
import { SqliteEventsRepository } from '../src-main/repositories/events.repository';
import { NodeMediaFilesRepository } from '../src-main/repositories/media-files.repository';
import { PushBus } from '../src-main/services/push-bus';
import { SettingsService } from '../src-main/services/settings.service';
import { EventsService } from '../src-main/services/recording/events.service';
import { buildFaces } from '../src-main/app/faces';
import { WorkerAnalysisEngine } from '../src-main/workers/analysis/analysis-engine';
import { defaultTuning } from '../src-main/shared/contract/cameras.contract';


const PEOPLE = join(REPO_ROOT, '..', 'shared', 'fixtures', 'people');
const MODELS = join(REPO_ROOT, 'resources', 'models');
const present = existsSync(join(PEOPLE, 'bar55_2.jpg'));

/** Photos with Jesper, Anne Helene or both (bar55*: both, side by side); each clear face becomes one captured sample. */
const PHOTOS = ['jesper.jpg', 'jesper_2.jpg', 'anne_helene.jpg', 'bar55.jpg', 'bar55_2.jpg'];
/** Faces below this quality are left out (the bar photos also hold a blurred stranger in the background). */
const MIN_QUALITY = 0.9;

interface Seeded {
  jesper: number[];
  anne: number[];
  cameras: { gate: number; lobby: number };
  eventId: number;
}

const cosine = (a: Float32Array, b: Float32Array): number => {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return d / Math.sqrt(na * nb);
};

function addEvent(db: Db, cameraId: number, startMs: number, endMs: number): number {
  return Number(
    db
      .prepare(
        "INSERT INTO events (camera_id, camera_name, label, source, score, started_ms, ended_ms, last_ms, window_start_ms, window_end_ms, boxes) VALUES (?, (SELECT name FROM cameras WHERE id = ?), 'person', 'detection', 0.9, ?, ?, ?, ?, ?, '[]')",
      )
      .run(cameraId, cameraId, startMs, endMs, endMs, startMs - 1000, endMs + 1000).lastInsertRowid,
  );
}

/** Migrates a fresh data dir and stores the photos' faces as captured samples with the real engine and services. */
async function seed(dataDir: string): Promise<Seeded> {
  const db = openDatabase({ file: join(dataDir, 'vigil.db') });
  const log = silentLogger();
  const bus = new PushBus();
  const settings = new SettingsService(new SqliteSettingsRepository(db), bus, log);
  const eventsRepo = new SqliteEventsRepository(db);
  const events = new EventsService(eventsRepo, new NodeMediaFilesRepository(dataDir), bus, Date.now);
  const engine = new WorkerAnalysisEngine({ modelDirs: [{ path: MODELS, origin: 'bundled' }], log });
  await engine.start();
  const faces = buildFaces({ dataDir, db, engine, settings, bus, events, eventsRepo, log });
  try {
    await faces.index.start();
    // Sealed with the data dir's own key, as the server will read them; disabled, so no worker ever opens the source.
    const cams = new SqliteCamerasRepository(db, new SecretBox(fileKeyProvider.loadOrCreate(dataDir)));
    const camera = (name: string) => cams.insert({ name, kind: 'file', source: { url: join(dataDir, 'media', `${name}.mp4`), username: null, password: null }, url_host: '', enabled: false, is_demo: false, tuning: defaultTuning });
    const gate = camera('Gate');
    const lobby = camera('Lobby');

    const found: { photo: string; embedding: Float32Array; quality: number; crop: Buffer; box: [number, number, number, number] }[] = [];
    for (const photo of PHOTOS) {
      const r = await engine.facesInImage(readFileSync(join(PEOPLE, photo)), { min_quality: 0, max_faces: 4, crops: true });
      if (!r.ok) throw new Error(`${photo}: ${r.error.message}`);
      for (const f of r.value.faces) if (f.embedding && f.crop_jpeg && f.quality.score >= MIN_QUALITY) found.push({ photo, embedding: f.embedding, quality: f.quality.score, crop: f.crop_jpeg, box: f.box });
    }
    // Who is who: the nearer of the two single-person portraits.
    const ref = (photo: string) => found.find((f) => f.photo === photo)?.embedding as Float32Array;
    const [jRef, aRef] = [ref('jesper.jpg'), ref('anne_helene.jpg')];
    const seeded: Seeded = { jesper: [], anne: [], cameras: { gate, lobby }, eventId: 0 };
    // Captured over the last hour, a little over a minute apart; one detection event on the Gate covers the first two.
    const t0 = Date.now() - 60 * 60_000;
    seeded.eventId = addEvent(db, gate, t0 - 5_000, t0 + 100_000);
    for (const [k, f] of found.entries()) {
      const isJesper = cosine(f.embedding, jRef) >= cosine(f.embedding, aRef);
      const ts = t0 + k * 70_000;
      const id = await faces.samples.addSample({ camera_id: k % 3 === 2 ? lobby : gate, ts, track_id: 1000 + k, event_id: null, embedding: f.embedding, quality: f.quality, crop_jpeg: f.crop, box: f.box, clothing: null });
      if (id === null) throw new Error(`the face from ${f.photo} was not kept`);
      (isJesper ? seeded.jesper : seeded.anne).push(id);
    }
    return seeded;
  } finally {
    faces.recognition.stop();
    await engine.stop();
    db.close();
  }
}

interface GroupsJson {
  total_samples: number;
  groups: { size: number; label: string | null; sample_ids: number[] }[];
}
interface PersonJson {
  id: number;
  name: string;
  num_faces: number;
}
interface SystemJson {
  backend: { faces: { match_threshold: number | null; error: string | null } };
}

describe.runIf(present)('Face groups screen e2e', () => {
  // A data dir seeded before the server starts on it (hooks run in order: this beforeAll, then useE2E's).
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-groups-'));
  let seeded: Seeded;
  beforeAll(async () => {
    seeded = await seed(dataDir);
  }, 120_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const e2e = useE2E({ dataDir });

  it('shows two groups, re-clusters on the slider, enrols a group as a person, deletes a face, lists clips and finds a face everywhere', async () => {
    expect(seeded.jesper).toHaveLength(4);
    expect(seeded.anne).toHaveLength(3);
    // The default threshold is the embedder's: wait until the server has loaded the face models.
    const threshold = await waitFor('the face models to load', async () => {
      const sys = (await (await e2e.server.api('/api/system')).json()) as SystemJson;
      return sys.backend.faces.match_threshold ?? undefined;
    }, { timeoutMs: 60_000, intervalMs: 250 });

    const page = await e2e.newPage();
    const listed: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/face-groups?')) listed.push(r.url());
    });
    await (await new LoginPage(page).goto(e2e.server.url)).login(e2e.server.apiKey as string);
    const shell = await new AppShell(page).waitUntilReady();
    expect(await shell.screens()).toEqual(expect.arrayContaining(['Face groups', 'Analytics']));
    await shell.open('Face groups');
    const fg = new FaceGroupsPage(page);
    await fg.root.waitFor();
    await fg.idle();

    // Two people, largest group first, with their thumbnails.
    await expect.poll(() => fg.sizes()).toEqual([4, 3]);
    expect(await fg.counts.innerText()).toBe('2 groups · 7 faces');
    expect(await fg.thresholdValue.innerText()).toBe(threshold.toFixed(2));
    await expect.poll(() => fg.imagesLoaded(fg.groups.first())).toBe(true);

    // Lower the threshold: both people merge into one group; the request carries it and the screen says it is clustering.
    const before = listed.length;
    await fg.setThreshold(0.85);
    await page.locator('[data-testid="fg-status"][data-clustering="true"]').waitFor();
    await fg.idle();
    await expect.poll(() => fg.sizes()).toEqual([7]);
    expect(listed.slice(before).some((u) => /face_threshold=0\.85\b/.test(u))).toBe(true);
    // Back to the model's threshold.
    await fg.resetThreshold.click();
    await fg.idle();
    await expect.poll(() => fg.sizes()).toEqual([4, 3]);
    // The minimum size hides groups smaller than it.
    await fg.minSize.fill('4');
    await fg.idle();
    await expect.poll(() => fg.sizes()).toEqual([4]);
    await fg.minSize.fill('2');
    await fg.idle();
    await expect.poll(() => fg.sizes()).toEqual([4, 3]);

    // Enrol the larger group (Jesper's faces) as a new person.
    await fg.selectNth(0);
    expect((await fg.memberIds()).sort((a, b) => a - b)).toEqual([...seeded.jesper].sort((a, b) => a - b));
    await fg.enrolAsNew('Visitor J');
    await shell.toasts.filter({ hasText: 'Enrolled Visitor J from this group (4 faces)' }).waitFor();
    const people = (await (await e2e.server.api('/api/people')).json()) as PersonJson[];
    expect(people).toEqual([expect.objectContaining({ name: 'Visitor J', num_faces: 4 })]);
    await fg.groups.first().filter({ hasText: 'Visitor J' }).waitFor();
    await fg.detail.getByTestId('group-open-person').waitFor();

    // Its clips: the Gate event the first captures fall in, linking to the events browser.
    await fg.openClips.click();
    await fg.clips.first().waitFor();
    expect(await fg.clips.first().getAttribute('href')).toBe(`#/events?event=${seeded.eventId}`);

    // Find one of its faces everywhere: every other face of Jesper, newest first, with camera, time and similarity.
    const query = seeded.jesper[0] as number;
    await fg.findEverywhere(query);
    await fg.hits.first().waitFor();
    const hits = await fg.hits.evaluateAll((els) => els.map((e) => ({ id: Number(e.getAttribute('data-sample-id')), ts: Date.parse(e.getAttribute('data-ts') ?? '') })));
    expect(hits.map((h) => h.id)).toEqual(expect.arrayContaining(seeded.jesper.filter((id) => id !== query)));
    expect(hits.map((h) => h.ts)).toEqual([...hits.map((h) => h.ts)].sort((a, b) => b - a));
    expect(await fg.hits.first().getByTestId('fg-hit-similarity').innerText()).toMatch(/^0\.\d{3}$/);
    await expect.poll(() => fg.imagesLoaded(fg.search)).toBe(true);

    // The README screenshot: the enrolled group with its faces, clips and search (toasts dismissed).
    while ((await shell.toasts.count()) > 0) await shell.toasts.first().click({ timeout: 1000 }).catch(() => undefined);
    await e2e.screenshot(page, 'ui-face-groups');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    // README: copy it to docs/screenshots/ by hand when the screen changes.
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'face-groups.jpg'), type: 'jpeg', quality: 80, fullPage: true });

    // Label the other group (Anne Helene's).
    await fg.page.getByTestId('fg-search-close').click();
    await fg.selectNth(1);
    await fg.labelInput.fill('Courier');
    await fg.labelInput.press('Enter');
    await shell.toasts.filter({ hasText: 'Labelled 3 faces “Courier”' }).waitFor();
    await fg.groups.nth(1).filter({ hasText: 'Courier' }).waitFor();

    // Delete a bad face from it by keyboard: Space checks it, Delete asks (focus on Cancel), Tab + Enter confirms.
    const victim = seeded.anne[seeded.anne.length - 1] as number;
    await fg.member(victim).getByRole('checkbox').focus();
    await page.keyboard.press('Space');
    expect(await fg.deleteChecked.innerText()).toBe('Delete selected (1)…');
    await page.keyboard.press('Delete');
    await page.getByTestId('confirm-ok').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('confirm-ok');
    await page.keyboard.press('Enter');
    await fg.member(victim).waitFor({ state: 'detached' });
    await shell.toasts.filter({ hasText: 'Deleted 1 face' }).waitFor();
    await fg.idle();
    await expect.poll(() => fg.sizes()).toEqual([4, 2]);
    const after = (await (await e2e.server.api('/api/face-groups')).json()) as GroupsJson;
    expect(after.total_samples).toBe(6);
    expect(after.groups.flatMap((g) => g.sample_ids)).not.toContain(victim);
    expect((await e2e.server.api(`/api/face-groups/samples/${victim}/thumbnail`)).status).toBe(404);
    expect(after.groups.find((g) => g.sample_ids.includes(seeded.anne[0] as number))?.label).toBe('Courier');

    // Add what is left of it to the enrolled person through the picker.
    const visitor = people[0] as PersonJson;
    await fg.personSelect.selectOption({ label: 'Visitor J (4 faces)' });
    await fg.addExisting.click();
    await shell.toasts.filter({ hasText: 'Added 2 faces to Visitor J' }).waitFor();
    const [again] = (await (await e2e.server.api('/api/people')).json()) as PersonJson[];
    expect(again).toMatchObject({ id: visitor.id, num_faces: 6 });
  });
});

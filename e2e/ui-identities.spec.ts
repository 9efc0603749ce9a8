// E2E (real: built headless server, SQLite in a temp dir seeded through the real identities store — buildIdentities over
// openDatabase, IdentitiesService.addSighting with JPEG crops cut by sharp from the fixture photos — Debian Chromium).
// mock: only the face engine used while seeding face samples (the FaceEngineDouble port double; the server runs the real
// models). Identities come from live capture in production; seeding them keeps this spec independent of detection.
// The list filters; an identity's page shows the per-camera strip and why each sighting was linked; two identities merged
// from the list become one and Undo in the toast restores both; a split peels off the chosen sightings; a refused undo
// (409) shows its message; "Not the same person" is logged; a delete asks first and comes back with Undo.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../src-main/repositories/db/database';
import { silentLogger } from '../src-main/repositories/logger';
import { SqliteSettingsRepository } from '../src-main/repositories/settings.repository';
import { SqliteEventsRepository } from '../src-main/repositories/events.repository';
import { SqliteCamerasRepository } from '../src-main/repositories/cameras.repository';
import { fileKeyProvider, SecretBox } from '../src-main/repositories/secrets.repository';
import { NodeMediaFilesRepository } from '../src-main/repositories/media-files.repository';
import { PushBus } from '../src-main/services/push-bus';
import { SettingsService } from '../src-main/services/settings.service';
import { EventsService } from '../src-main/services/recording/events.service';
import { buildFaces, type Faces } from '../src-main/app/faces';
import { buildIdentities } from '../src-main/app/identities';
import { defaultTuning } from '../src-main/shared/contract/cameras.contract';
import type { LinkEvidence, SightingSummary } from '../src-main/services/identities/identity-model';
import { FaceEngineDouble, faceOf, identity as faceIdentity, rng } from '../test/faces/people-engine-double';
import { SCREENSHOT_DIR, useE2E } from './support/e2e';
import { REPO_ROOT } from './support/server';
import { AppShell } from './pages/app-shell.page';
import { LoginPage } from './pages/login.page';
import { IdentitiesPage } from './pages/identities.page';

/** Before login the UI probes /api/system and gets the documented 401; Chromium logs that response as a console error. */
const EXPECTED_401 = /status of 401/;
/** The documented 409 of an undo that a later operation blocks; Chromium logs the response as a console error. */
const UNDO_409 = /status of 409/;

const PEOPLE = join(REPO_ROOT, '..', 'shared', 'fixtures', 'people');
const MIN = 60_000;

interface Seeded {
  cameras: { gate: number; yard: number; lobby: number };
  /** Anne: three sightings on three cameras (new, face-linked, appearance-linked), faces and an event. */
  anne: { id: number; sightings: number[] };
  /** Two unknown identities of one visitor, for the merge. */
  visitor: { id: number; sightings: number[] };
  stranger: { id: number; sightings: number[] };
  dog: { id: number };
  eventId: number;
}

const hhmm = (ms: number) => {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

function hist(bin: number, seed: number): Float32Array {
  const r = rng(seed);
  const h = new Float32Array(128).map(() => r() * 0.02);
  h[bin] = (h[bin] as number) + 1;
  const sum = h.reduce((a, b) => a + b, 0);
  return h.map((x) => x / sum);
}

const crops = new Map<string, Buffer>();
/** A real JPEG crop of a fixture photo (`position`: which part a cover-crop keeps, so one photo gives distinct crops). */
async function crop(photo: string, w = 64, h = 128, position = 'centre'): Promise<Buffer> {
  const key = `${photo}:${w}x${h}:${position}`;
  let c = crops.get(key);
  if (!c) crops.set(key, (c = await sharp(join(PEOPLE, photo)).resize(w, h, { fit: 'cover', position }).jpeg({ quality: 80 }).toBuffer()));
  return c;
}

/** Writes cameras, an event and identities into a fresh data dir with the real stores, then closes the database. */
async function seed(dataDir: string): Promise<Seeded> {
  const db: Db = openDatabase({ file: join(dataDir, 'vigil.db') });
  const log = silentLogger();
  const bus = new PushBus();
  const settings = new SettingsService(new SqliteSettingsRepository(db), bus, log);
  const eventsRepo = new SqliteEventsRepository(db);
  const events = new EventsService(eventsRepo, new NodeMediaFilesRepository(dataDir), bus, Date.now);
  const faces: Faces = buildFaces({ dataDir, db, engine: new FaceEngineDouble(), settings, bus, events, eventsRepo, log });
  await faces.index.start();
  const ids = buildIdentities({ dataDir, db, settings, bus, events, faces, log });
  const service = ids.service;
  try {
    // Cameras through the real repository (sealed with the data dir's key, as the server reads them); disabled, so no worker runs.
    const cams = new SqliteCamerasRepository(db, new SecretBox(fileKeyProvider.loadOrCreate(dataDir)));
    const camera = (name: string) => cams.insert({ name, kind: 'file', source: { url: `/nonexistent/${name}.mp4`, username: null, password: null }, url_host: '', enabled: false, is_demo: false, tuning: defaultTuning });
    const cameras = { gate: camera('Gate'), yard: camera('Yard'), lobby: camera('Lobby') };
    const camName = (id: number) => Object.entries(cameras).find(([, v]) => v === id)?.[0].replace(/^./, (c) => c.toUpperCase()) ?? '?';

    const now = Date.now();
    // A closed person event on the gate with a real thumbnail (no clip).
    const evStart = now - 180 * MIN;
    const eventId = Number(
      db
        .prepare(
          "INSERT INTO events (camera_id, camera_name, label, source, score, started_ms, ended_ms, last_ms, window_start_ms, window_end_ms, boxes, retain) VALUES (?, 'Gate', 'person', 'detection', 0.9, ?, ?, ?, ?, ?, '[]', 0)",
        )
        .run(cameras.gate, evStart, evStart + 14_000, evStart + 14_000, evStart - 1000, evStart + 15_000).lastInsertRowid,
    );
    const thumb = `thumbs/${cameras.gate}/event-${eventId}.jpg`;
    mkdirSync(dirname(join(dataDir, thumb)), { recursive: true });
    writeFileSync(join(dataDir, thumb), await sharp(join(PEOPLE, 'anne_helene.jpg')).resize(320, 180, { fit: 'cover' }).jpeg().toBuffer());
    db.prepare('UPDATE events SET thumb_path = ? WHERE id = ?').run(thumb, eventId);

    let track = 100;
    const sight = async (o: { camera: number; start: number; photo: string; position?: string; walker: number; faces?: number; event?: number | null; cls?: string }): Promise<SightingSummary> => {
      const t = ++track;
      const base = faceIdentity(o.walker * 101);
      const sampleIds: number[] = [];
      for (let k = 0; k < (o.faces ?? 0); k++) {
        const id = await faces.samples.addSample({
          camera_id: o.camera,
          ts: o.start + 1000 * (k + 1),
          track_id: t,
          event_id: o.event ?? null,
          embedding: faceOf(base, t * 31 + k),
          quality: 0.6 + 0.1 * k,
          crop_jpeg: await crop(o.photo, 96, 96, 'attention'),
          box: [0.4, 0.1, 0.1, 0.1],
          clothing: null,
        });
        if (id !== null) sampleIds.push(id);
      }
      const person = (o.cls ?? 'person') === 'person';
      return {
        camera_id: o.camera,
        track_id: t,
        object_class: o.cls ?? 'person',
        start_ms: o.start,
        end_ms: o.start + 12_000,
        event_id: o.event ?? null,
        best_box: [0.3, 0.1, 0.25, 0.8],
        best_ms: o.start + 2000,
        best_score: 0.85,
        crop_jpeg: await crop(o.photo, 64, 128, o.position),
        appearance: person ? { upper: hist((o.walker * 13) % 128, t), lower: hist((o.walker * 37 + 11) % 128, t + 1), features: null } : null,
        face_sample_ids: sampleIds,
        face_embedding: person ? faceOf(base, t, 0.03) : null,
        face_model: person ? 'dlib-resnet-face-128' : null,
        person_id: null,
        color: null,
      };
    };
    const NEW: LinkEvidence = { kind: 'new', identity_id: null, score: null, face_score: null, appearance_score: null, matched_sighting_id: null, gap_s: null, detail: 'new: no identity matched' };
    const link = (kind: 'face' | 'appearance', identityId: number, matched: { sid: number; camera: number; start: number }, start: number, score: number): LinkEvidence => ({
      kind,
      identity_id: identityId,
      score,
      face_score: kind === 'face' ? score : null,
      appearance_score: kind === 'appearance' ? score : 0.64,
      matched_sighting_id: matched.sid,
      gap_s: (start - (matched.start + 12_000)) / 1000,
      detail: `${kind} ${score.toFixed(2)} to the sighting at ${hhmm(matched.start)} on ${camName(matched.camera)}`,
    });

    const a1s = now - 180 * MIN;
    const a1 = await service.addSighting(await sight({ camera: cameras.gate, start: a1s, photo: 'anne_helene.jpg', position: 'left', walker: 1, faces: 2, event: eventId }), NEW);
    const a2s = now - 177 * MIN;
    const a2 = await service.addSighting(await sight({ camera: cameras.yard, start: a2s, photo: 'anne_helene.jpg', position: 'centre', walker: 1, faces: 1 }), link('face', a1.identity_id, { sid: a1.sighting_id, camera: cameras.gate, start: a1s }, a2s, 0.93));
    const a3s = now - 40 * MIN;
    const a3 = await service.addSighting(await sight({ camera: cameras.lobby, start: a3s, photo: 'anne_helene.jpg', position: 'right', walker: 1 }), link('appearance', a1.identity_id, { sid: a2.sighting_id, camera: cameras.yard, start: a2s }, a3s, 0.78));
    await service.update(a1.identity_id, { name: 'Anne' });

    const b1s = now - 120 * MIN;
    const b1 = await service.addSighting(await sight({ camera: cameras.gate, start: b1s, photo: 'jesper.jpg', walker: 2, faces: 1 }), NEW);
    const b2s = now - 110 * MIN;
    const b2 = await service.addSighting(await sight({ camera: cameras.yard, start: b2s, photo: 'jesper_2.jpg', walker: 2 }), link('face', b1.identity_id, { sid: b1.sighting_id, camera: cameras.gate, start: b1s }, b2s, 0.88));
    const c1 = await service.addSighting(await sight({ camera: cameras.lobby, start: now - 30 * MIN, photo: 'new_wave_2.jpg', walker: 3 }), NEW);
    const d1 = await service.addSighting(await sight({ camera: cameras.gate, start: now - 20 * MIN, photo: 'donna.jpg', walker: 4, cls: 'dog' }), NEW);

    return {
      cameras,
      anne: { id: a1.identity_id, sightings: [a1.sighting_id, a2.sighting_id, a3.sighting_id] },
      visitor: { id: b1.identity_id, sightings: [b1.sighting_id, b2.sighting_id] },
      stranger: { id: c1.identity_id, sightings: [c1.sighting_id] },
      dog: { id: d1.identity_id },
      eventId,
    };
  } finally {
    ids.stopPurge();
    faces.recognition.stop();
    db.close();
  }
}

interface IdentityJson {
  id: number;
  name: string | null;
  num_sightings: number;
}

describe('Identities screen e2e', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-identities-'));
  let seeded: Seeded | null = null;
  // Registered before useE2E's hooks: seeding runs before the server starts, and the data dir goes after it stops.
  beforeAll(async () => {
    seeded = await seed(dataDir);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const e2e = useE2E({ demo: false, dataDir });

  const data = (): Seeded => {
    if (!seeded) throw new Error('not seeded');
    return seeded;
  };
  const identity = async (id: number): Promise<{ status: number; body: IdentityJson | null }> => {
    const r = await e2e.server.api(`/api/identities/${id}?recent=0`);
    return { status: r.status, body: r.ok ? ((await r.json()) as IdentityJson) : null };
  };
  const sightingIdsOf = async (id: number): Promise<number[]> => {
    const r = (await (await e2e.server.api(`/api/identities/${id}/sightings?limit=500`)).json()) as { items: { id: number }[] };
    return r.items.map((s) => s.id).sort((a, b) => a - b);
  };
  const login = async () => {
    const page = await e2e.newPage({ allow: [EXPECTED_401, UNDO_409] });
    // Straight to the screen: the landing Live grid would only show the disabled seed cameras.
    await (await new LoginPage(page).goto(`${e2e.server.url}#/identities`)).login(e2e.server.apiKey as string);
    const shell = await new AppShell(page).waitUntilReady();
    const ip = new IdentitiesPage(page);
    await ip.root.waitFor();
    return { page, shell, ip };
  };

  it('lists and filters identities; an identity page shows the per-camera strip, why each sighting was linked, faces and events', async () => {
    const s = data();
    const { page, shell, ip } = await login();
    expect(await shell.screens()).toContain('Identities');
    await expect.poll(() => ip.rows.count(), { timeout: 15_000 }).toBe(4);
    expect(await ip.total.innerText()).toBe('4 identities');
    expect(await ip.rowNamed('Anne').getByTestId('num-sightings').innerText()).toBe('3 sightings');
    expect(await ip.rowNamed(`Unknown #${s.visitor.id}`).count()).toBe(1);
    const anneRow = await ip.row(s.anne.id).innerText();
    for (const cam of ['Gate', 'Yard', 'Lobby']) expect(anneRow).toContain(cam);

    await ip.namedOnly.check();
    await expect.poll(() => ip.ids()).toEqual([s.anne.id]);
    await ip.namedOnly.uncheck();
    await ip.minSightings.fill('2');
    await expect.poll(async () => (await ip.ids()).sort()).toEqual([s.anne.id, s.visitor.id].sort());
    await ip.minSightings.fill('0');
    await ip.classFilter.selectOption('dog');
    await expect.poll(() => ip.ids()).toEqual([s.dog.id]);
    await ip.classFilter.selectOption('');
    await expect.poll(() => ip.rows.count()).toBe(4);

    // Keyboard: arrows move, Shift extends the selection, M previews a merge, Escape closes it, then clears the selection.
    await ip.list.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(() => ip.selectedIds()).toHaveLength(2);
    await page.keyboard.press('m');
    await ip.mergePreview.waitFor();
    await page.keyboard.press('Escape');
    await ip.dialog.waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');
    await expect.poll(() => ip.selectedIds()).toEqual([]);
    expect(await ip.rows.count()).toBe(4);

    await ip.open(s.anne.id);
    expect(await ip.nameInput.inputValue()).toBe('Anne');
    expect(await ip.sightings.count()).toBe(3);
    // One lane per camera, one marker per sighting.
    await expect.poll(() => ip.strip.getAttribute('data-lanes')).toBe('Gate|Lobby|Yard');
    await expect.poll(() => ip.strip.getAttribute('data-markers')).toBe('3');
    const [a1, a2, a3] = s.anne.sightings as [number, number, number];
    const why = (sid: number) => ip.sighting(sid).getByTestId('link-why').innerText();
    expect(await why(a1)).toBe('Started this identity: no earlier sighting matched it');
    // The seeded sightings are hours old: shortly after midnight they are yesterday's, and the clock gains the date.
    const at = String.raw`at (\d{1,2} [A-Z][a-z]{2} )?\d\d:\d\d`;
    expect(await why(a2)).toMatch(new RegExp(String.raw`^Linked by face 0\.93 to the sighting ${at} on Gate, 3 min after it$`));
    expect(await why(a3)).toMatch(new RegExp(String.raw`^Linked by appearance 0\.78 to the sighting ${at} on Yard, 2 h 17 min after it$`));
    expect(await ip.sighting(a2).getByTestId('link-detail').innerText()).toMatch(new RegExp(String.raw`^face 0\.93 to the sighting ${at} on Gate$`));
    expect(await ip.sighting(a2).getByTestId('link-scores').innerText()).toContain('face 0.93 · appearance 0.64');
    // The crops decode (served through the media route with the session cookie).
    await expect
      .poll(() => ip.sighting(a2).locator('img').evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0), { timeout: 10_000 })
      .toBe(true);
    await expect.poll(() => ip.faces.count()).toBe(3);
    await expect.poll(() => ip.events.count()).toBe(1);
    expect(await ip.events.first().getAttribute('data-event-id')).toBe(String(s.eventId));

    // The README screenshot: Anne's page (the toasts, if any, dismissed).
    while ((await shell.toasts.count()) > 0) await shell.toasts.first().click({ timeout: 1000 }).catch(() => undefined);
    await e2e.screenshot(page, 'ui-identities');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    // README: copy it to docs/screenshots/ by hand when the screen changes.
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'identities.jpg'), type: 'jpeg', quality: 80, fullPage: true });

    // "Show all in Events" lists the identity's events there, behind a removable chip.
    const hash = await page.evaluate(() => window.location.hash);
    await page.getByTestId('identity-all-events').click();
    await page.getByTestId('filter-identity').waitFor();
    await expect.poll(() => page.locator(`[data-event-id="${s.eventId}"]`).count()).toBeGreaterThan(0);
    await page.getByTestId('filter-identity').click();
    await page.getByTestId('filter-identity').waitFor({ state: 'detached' });
    await page.evaluate((h) => (window.location.hash = h), hash);

    // An event opens in the Events screen.
    await ip.events.first().click();
    await page.waitForFunction((id) => window.location.hash === `#/events?event=${id}`, s.eventId);
    await page.getByTestId('clip-player').waitFor();
  });

  it('merges two identities from the list, undoes it from the toast, splits sightings off, and shows why an undo is refused', async () => {
    const s = data();
    const { page, ip } = await login();
    await expect.poll(() => ip.rows.count(), { timeout: 15_000 }).toBe(4);

    // Merge: the preview says what moves and which name is kept.
    await ip.startMerge([s.visitor.id, s.stranger.id], s.visitor.id);
    const preview = await ip.mergePreview.innerText();
    expect(preview).toContain(`Moves into Unknown #${s.visitor.id}`);
    expect(preview).toContain(`Unknown #${s.stranger.id}: 1 sighting`);
    expect(preview).toContain('3 sightings in all');
    await ip.confirmButton.click();
    await expect.poll(() => ip.rows.count()).toBe(3);
    await expect.poll(() => ip.numSightings(s.visitor.id)).toBe('3 sightings');
    expect((await identity(s.stranger.id)).status).toBe(404);
    expect(await sightingIdsOf(s.visitor.id)).toEqual([...s.visitor.sightings, ...s.stranger.sightings].sort((a, b) => a - b));
    // The merged identity opens with both sightings (one per camera lane).
    await page.locator(`[data-testid="identity-detail"][data-identity-id="${s.visitor.id}"]`).waitFor();
    await expect.poll(() => ip.sightings.count()).toBe(3);
    await expect.poll(() => ip.strip.getAttribute('data-lanes')).toBe('Gate|Lobby|Yard');

    // Undo from the toast restores both.
    await ip.undoFromToast(/^Merged 1 identity/);
    await expect.poll(() => ip.rows.count()).toBe(4);
    await expect.poll(() => ip.numSightings(s.visitor.id)).toBe('2 sightings');
    expect(await ip.numSightings(s.stranger.id)).toBe('1 sighting');
    expect(await sightingIdsOf(s.visitor.id)).toEqual([...s.visitor.sightings].sort((a, b) => a - b));
    expect(await sightingIdsOf(s.stranger.id)).toEqual(s.stranger.sightings);
    await ip.toast(/^Undid Merged/).waitFor();
    await ip.openHistory();
    await expect.poll(() => ip.operation('merge').first().getAttribute('data-undone')).toBe('true');

    // Split: peel Anne's lobby sighting off into a new, named identity.
    const [a1, a2, a3] = s.anne.sightings as [number, number, number];
    await ip.open(s.anne.id);
    await ip.pickSighting(a3);
    expect(await page.getByTestId('picked-count').innerText()).toBe('1 selected');
    await ip.splitPicked('Lobby visitor');
    await ip.rowNamed('Lobby visitor').waitFor();
    await expect.poll(() => ip.sightings.count()).toBe(2);
    expect(await ip.sightingIds()).toEqual([a2, a1]);
    expect(await sightingIdsOf(s.anne.id)).toEqual([a1, a2]);
    const peeled = Number(await ip.rowNamed('Lobby visitor').getAttribute('data-identity-id'));
    expect(await sightingIdsOf(peeled)).toEqual([a3]);
    expect((await identity(s.anne.id)).body?.num_sightings).toBe(2);
    await expect.poll(() => ip.strip.getAttribute('data-lanes')).toBe('Gate|Yard');

    // A rename after the split blocks undoing the split: the 409 says which operation to undo first.
    await ip.nameInput.fill('Anne M');
    await ip.nameInput.press('Enter');
    await ip.rowNamed('Anne M').waitFor();
    await ip.toast(/Anne M/).waitFor();
    await ip.openHistory();
    const splitOp = ip.operation('split').first();
    await splitOp.getByRole('button', { name: /^Undo operation/ }).click();
    const refused = page.locator('.toasts .toast.error', { hasText: /^Cannot undo: Undo operation \d+ first/ });
    await refused.waitFor();
    // Undo the rename (newest) from the history, then the split goes back too.
    await ip.operation('rename').first().getByRole('button', { name: /^Undo operation/ }).click();
    await ip.rowNamed('Anne').waitFor();
    await splitOp.getByRole('button', { name: /^Undo operation/ }).click();
    await expect.poll(() => ip.sightings.count()).toBe(3);
    await ip.rowNamed('Lobby visitor').waitFor({ state: 'detached' });
    expect(await sightingIdsOf(s.anne.id)).toEqual([a1, a2, a3]);
  });

  it('marks a sighting as not the same person, and deletes an identity with confirmation and undo', async () => {
    const s = data();
    const { page, ip } = await login();
    await expect.poll(() => ip.rows.count(), { timeout: 15_000 }).toBe(4);
    const [a1, a2] = s.anne.sightings as [number, number, number];

    await ip.open(s.anne.id);
    await ip.sighting(a2).getByTestId('not-same').click();
    await ip.dialog.waitFor();
    await page.getByTestId('not-same-split').uncheck();
    await ip.confirmButton.click();
    await ip.toast(`Marked sightings ${a2} and ${a1} as different people`).getByRole('button', { name: 'Undo' }).waitFor();
    await ip.openHistory();
    await ip.operation('not_same').first().waitFor();
    expect(await ip.operation('not_same').first().getAttribute('data-undone')).toBe('false');
    expect(await ip.sightings.count()).toBe(3);

    // Delete from the keyboard: Escape clears the selection (Anne, opened), the row's checkbox picks the dog, Delete asks first.
    await ip.list.focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => ip.selectedIds()).toEqual([]);
    await ip.check(s.dog.id);
    await ip.list.focus();
    await page.keyboard.press('Delete');
    await ip.dialog.getByText('Delete Unknown #').waitFor();
    await ip.confirmButton.click();
    await ip.row(s.dog.id).waitFor({ state: 'detached' });
    expect((await identity(s.dog.id)).status).toBe(404);
    await ip.undoFromToast(`Deleted Unknown #${s.dog.id}`);
    await ip.row(s.dog.id).waitFor();
    expect((await identity(s.dog.id)).body?.num_sightings).toBe(1);
  });
});

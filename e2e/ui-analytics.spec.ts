// E2E (real: the identities service writing sightings, presence segments and crops into a fresh data dir, then the built
// headless server on that dir, Debian Chromium drawing Chart.js charts): the analytics page shows the totals, per-camera
// figures, average dwell, the last 24 h and match kinds of what was seeded, as painted charts and as numbers.
// mock: the face engine is the port double (no sighting here carries a face), as in test/identities.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR, useE2E } from './support/e2e';
import { REPO_ROOT } from './support/server';
import { AppShell } from './pages/app-shell.page';
import { LoginPage } from './pages/login.page';
import { ANALYTICS_CHARTS, AnalyticsPage } from './pages/analytics.page';
import { openDatabase } from '../src-main/repositories/db/database';
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
import { buildIdentities } from '../src-main/app/identities';
import { defaultTuning } from '../src-main/shared/contract/cameras.contract';
import type { AnalyticsDto } from '../src-main/shared/contract/identities.contract';
import type { LinkEvidence, LinkKind, SightingSummary } from '../src-main/services/identities/identity-model';
import { FaceEngineDouble } from '../test/faces/people-engine-double';


const PEOPLE = join(REPO_ROOT, '..', 'shared', 'fixtures', 'people');
const present = existsSync(join(PEOPLE, 'donna.jpg'));

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Seven sightings of three people on three cameras over the last five hours, linked by each kind. */
interface Plan {
  who: 'a' | 'b' | 'c';
  camera: 'Gate' | 'Lobby' | 'Yard';
  ago_ms: number;
  seconds: number;
  kind: LinkKind;
}
const PLAN: Plan[] = [
  { who: 'a', camera: 'Gate', ago_ms: 5 * HOUR, seconds: 40, kind: 'new' },
  { who: 'a', camera: 'Lobby', ago_ms: 5 * HOUR - 2 * MIN, seconds: 90, kind: 'face' },
  { who: 'b', camera: 'Lobby', ago_ms: 3 * HOUR, seconds: 120, kind: 'new' },
  { who: 'b', camera: 'Lobby', ago_ms: 2 * HOUR, seconds: 60, kind: 'face' },
  { who: 'a', camera: 'Gate', ago_ms: 1 * HOUR, seconds: 20, kind: 'appearance' },
  { who: 'c', camera: 'Yard', ago_ms: 30 * MIN, seconds: 300, kind: 'new' },
  { who: 'c', camera: 'Gate', ago_ms: 20 * MIN, seconds: 15, kind: 'manual' },
];

async function seed(dataDir: string): Promise<void> {
  const db = openDatabase({ file: join(dataDir, 'vigil.db') });
  const log = silentLogger();
  const bus = new PushBus();
  const settings = new SettingsService(new SqliteSettingsRepository(db), bus, log);
  const eventsRepo = new SqliteEventsRepository(db);
  const events = new EventsService(eventsRepo, new NodeMediaFilesRepository(dataDir), bus, Date.now);
  const faces = buildFaces({ dataDir, db, engine: new FaceEngineDouble(), settings, bus, events, eventsRepo, log });
  const identities = buildIdentities({ dataDir, db, settings, bus, events, faces, log });
  try {
    await faces.index.start();
    const cams = new SqliteCamerasRepository(db, new SecretBox(fileKeyProvider.loadOrCreate(dataDir)));
    const cameraIds = new Map<string, number>();
    for (const name of ['Gate', 'Lobby', 'Yard']) {
      cameraIds.set(name, cams.insert({ name, kind: 'file', source: { url: join(dataDir, 'media', `${name}.mp4`), username: null, password: null }, url_host: '', enabled: false, is_demo: false, tuning: defaultTuning }));
    }
    const crops = { a: 'jesper.jpg', b: 'anne_helene.jpg', c: 'donna.jpg' };
    const identityOf = new Map<string, { identity: number; sighting: number }>();
    const now = Date.now();
    for (const [k, p] of PLAN.entries()) {
      const start = now - p.ago_ms;
      const end = start + p.seconds * 1000;
      const s: SightingSummary = {
        camera_id: cameraIds.get(p.camera) as number,
        track_id: 100 + k,
        object_class: 'person',
        start_ms: start,
        end_ms: end,
        event_id: null,
        best_box: [0.3, 0.1, 0.25, 0.8],
        best_ms: start + 1000,
        best_score: 0.8,
        crop_jpeg: await sharp(join(PEOPLE, crops[p.who])).resize(64, 128, { fit: 'cover' }).jpeg({ quality: 80 }).toBuffer(),
        appearance: null,
        face_sample_ids: [],
        face_embedding: null,
        face_model: null,
        person_id: null,
        color: null,
      };
      const prev = identityOf.get(p.who);
      const link: LinkEvidence =
        p.kind === 'new' || !prev
          ? { kind: 'new', identity_id: null, score: null, face_score: null, appearance_score: null, matched_sighting_id: null, gap_s: null, detail: 'new: no identity matched' }
          : { kind: p.kind, identity_id: prev.identity, score: 0.93, face_score: p.kind === 'face' ? 0.93 : null, appearance_score: p.kind === 'appearance' ? 0.93 : null, matched_sighting_id: prev.sighting, gap_s: 60, detail: `${p.kind} 0.93 to sighting ${prev.sighting}` };
      const r = await identities.service.addSighting(s, link);
      identityOf.set(p.who, { identity: r.identity_id, sighting: r.sighting_id });
    }
  } finally {
    identities.stopPurge();
    faces.recognition.stop();
    db.close();
  }
}

describe.runIf(present)('Analytics screen e2e', () => {
  // A data dir seeded before the server starts on it (hooks run in order: this beforeAll, then useE2E's).
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-analytics-'));
  beforeAll(() => seed(dataDir), 60_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const e2e = useE2E({ dataDir });

  it('renders the totals, per-camera figures, dwell, the last 24 h and match kinds as charts with the seeded numbers', async () => {
    const api = (await (await e2e.server.api('/api/identities/analytics')).json()) as AnalyticsDto;
    expect(api.summary.total_sightings).toBe(PLAN.length);
    expect(api.summary.total).toBeGreaterThan(0);

    const page = await e2e.newPage();
    await (await new LoginPage(page).goto(e2e.server.url)).login(e2e.server.apiKey as string);
    const shell = await new AppShell(page).waitUntilReady();
    await shell.open('Analytics');
    const an = new AnalyticsPage(page);
    await an.root.waitFor();
    await an.totals.waitFor();

    // Totals as the API counts them.
    expect(await an.stat('an-sightings')).toBe(7);
    expect(await an.stat('an-total')).toBe(api.summary.total);
    expect(await an.stat('an-named')).toBe(api.summary.named);
    expect(await an.stat('an-seen-7d')).toBe(api.summary.seen_7d);

    // Every chart is a canvas that Chart.js painted.
    for (const id of ANALYTICS_CHARTS) {
      await an.chart(id).waitFor();
      expect(await an.chart(id).getAttribute('role')).toBe('img');
      await expect.poll(() => an.chartPainted(id), { timeout: 10_000 }).toBe(true);
    }

    // Per camera: sightings, distinct people and average dwell, most sightings first.
    const table = await an.cameraTable();
    expect(Object.keys(table).sort()).toEqual(['Gate', 'Lobby', 'Yard']);
    expect(table.Gate?.[0]).toBe(3);
    expect(table.Lobby?.[0]).toBe(3);
    expect(table.Yard?.[0]).toBe(1);
    for (const c of api.by_camera) {
      const row = table[c.camera_name ?? ''];
      expect(row?.[0]).toBe(c.sightings);
      expect(row?.[1]).toBe(c.identities);
      expect(c.identities).toBeGreaterThan(0);
      expect(c.avg_dwell_s).toBeGreaterThan(0);
      expect(row?.[2]).toMatch(/^\d+ (s|min)/);
    }
    // The Yard's one presence lasted five minutes.
    expect(table.Yard?.[2]).toBe('5 min');

    // The last 24 h and the match kinds.
    expect(await an.hourlyCaption.innerText()).toMatch(/^7 sightings in the last 24 h · busiest hour \d\d:00 \(\d+\)$/);
    expect(api.by_hour).toHaveLength(24);
    for (const kind of ['face', 'appearance', 'manual', 'new'] as const) expect(await an.kindCount(kind)).toBe(api.by_match_kind[kind]);
    expect(api.by_match_kind).toEqual({ face: 2, appearance: 1, manual: 1, new: 3 });

    // The README screenshot: tall enough for every chart.
    await page.setViewportSize({ width: 1280, height: 900 });
    await expect.poll(() => an.chartPainted('an-chart-hourly')).toBe(true);
    await e2e.screenshot(page, 'ui-analytics');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    // README: copy it to docs/screenshots/ by hand when the screen changes.
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'analytics.jpg'), type: 'jpeg', quality: 80, fullPage: true });

    // Another class: nothing seen, said plainly, no charts.
    await an.objectClass.selectOption('car');
    await an.empty.waitFor();
    expect(await an.empty.innerText()).toMatch(/No car has been seen yet/);
    expect(await an.stat('an-sightings')).toBe(0);
    expect(await page.locator('canvas').count()).toBe(0);
  });
});

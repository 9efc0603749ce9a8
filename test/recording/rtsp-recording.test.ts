// End to end on the real RTSP test camera (real: app over HTTP, WorkerManager + ffmpeg ingest, GStreamer RTSP server,
// SQLite; mock: none): segments indexed from the one ingest, motion events with clip/thumbnail/sprite, manual recording, VOD.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Camera } from '../../src-main/shared/contract/cameras.contract';
import type { EventDto } from '../../src-main/shared/contract/events.contract';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { startRtspServer, type RtspServer } from '../support/rtsp-server';
import { API_KEY, call, isJpeg, until } from '../cameras/helpers';
import { ffprobe, ffprobeAsync } from './media-helpers';

let rtsp: RtspServer;
let t: TestApp;
let cam: Camera;

const get = async (path: string): Promise<{ status: number; body: Buffer }> => {
  const r = await t.req(path);
  return { status: r.status, body: Buffer.from(await r.arrayBuffer()) };
};

beforeAll(async () => {
  rtsp = await startRtspServer();
  t = await startTestApp({ apiKey: API_KEY });
  await call(t, 'PUT', '/api/settings', { segment_seconds: 2 });
  const r = await call<Camera>(t, 'POST', '/api/cameras', { name: 'Street', rtsp_url: rtsp.url, pre_seconds: 1, post_seconds: 2, min_trigger_frames: 1, motion_min_area: 0.002, detect_enabled: false });
  expect(r.status).toBe(201);
  cam = r.body;
});

afterAll(async () => {
  await t?.stop();
  await rtsp?.stop();
  if (t) removeDir(t.dataDir);
});

describe('recording from the RTSP test camera', () => {
  it('indexes the ingest segments with hashes from one RTSP session', async () => {
    await until('3 segments', () => (t.app.container.db.prepare('SELECT COUNT(*) FROM segments WHERE camera_id = ?').pluck().get(cam.id) as number) >= 3, 60_000, 500);
    const row = t.app.container.db.prepare('SELECT path, sha256, codec, end_ms - start_ms AS d FROM segments WHERE camera_id = ? ORDER BY start_ms LIMIT 1').get(cam.id) as { path: string; sha256: string; codec: string; d: number };
    expect(row.path).toMatch(new RegExp(`^segments/${cam.id}/\\d{4}-\\d{2}-\\d{2}/\\d{2}/\\d+(-\\d+)?\\.ts$`));
    expect(row.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(row.d).toBeGreaterThan(500);
    expect(rtsp.openConnections()).toBe(1);
  });

  it('manual record start/stop assembles the live range from the segment buffer', async () => {
    const start = (await call<{ started_at: string }>(t, 'POST', `/api/live/${cam.id}/record/start`)).body;
    await new Promise((r) => setTimeout(r, 3000));
    const stop = await call<{ event_id: number; clip: string; duration: number }>(t, 'POST', `/api/live/${cam.id}/record/stop`, start);
    expect(stop.status).toBe(200);
    expect(stop.body.duration).toBeGreaterThanOrEqual(3);
    const f = join(t.dataDir, 'e2e-manual.mp4');
    writeFileSync(f, (await get(stop.body.clip)).body);
    expect(ffprobe(f).duration).toBeGreaterThan(2);
  });

  it('plays the recorded range back as an HLS VOD playlist', async () => {
    const now = Date.now();
    const cov = (await call<{ cameras: { camera_id: number; spans: [number, number][] }[] }>(t, 'GET', `/api/recordings/coverage?camera_id=${cam.id}&from=${now - 600_000}&to=${now}`)).body;
    const span = cov.cameras[0]?.spans.at(-1) as [number, number];
    expect(span[1] - span[0]).toBeGreaterThan(4000);
    const probe = await ffprobeAsync(`${t.base}/api/recordings/${cam.id}/vod.m3u8?from=${span[0]}&to=${span[1]}&token=${API_KEY}`);
    expect(probe.duration).toBeGreaterThan(4);
  });

  // The street never stops moving, so the presence ends when the camera goes away: post_seconds after the last trigger.
  it('motion on the street scene opens an event that closes post_seconds after the last trigger, with a playable clip, thumbnail and 1600×90 sprite', async () => {
    await until('a motion event', async () => (await call<{ items: EventDto[] }>(t, 'GET', `/api/events?camera_id=${cam.id}&label=motion`)).body.items[0], 30_000, 500);
    // A second camera on the same street in keyframes mode: motion on keyframes only, so no JPEG stills exist; its
    // event thumbnail is cut from the clip (640 wide, the 768×576 camera's aspect kept).
    const kf = (await call<Camera>(t, 'POST', '/api/cameras', { name: 'Street keyframes', rtsp_url: rtsp.url, pre_seconds: 1, post_seconds: 2, min_trigger_frames: 1, motion_min_area: 0.002, detect_enabled: false, analysis_mode: 'keyframes' })).body;
    await until('a keyframes motion event', async () => (await call<{ items: EventDto[] }>(t, 'GET', `/api/events?camera_id=${kf.id}&label=motion`)).body.items[0], 40_000, 500);
    await rtsp.stop();
    const kfEvent = await until(
      'a finished keyframes motion event',
      async () => (await call<{ items: EventDto[] }>(t, 'GET', `/api/events?camera_id=${kf.id}&label=motion`)).body.items.find((e) => !e.open && e.clip_url && e.thumbnail_url),
      60_000,
      1000,
    );
    const kfThumb = join(t.dataDir, 'e2e-kf-thumb.jpg');
    writeFileSync(kfThumb, (await get(kfEvent.thumbnail_url as string)).body);
    expect(ffprobe(kfThumb)).toMatchObject({ width: 640, height: 480 });
    const ev = await until(
      'a finished motion event',
      async () => (await call<{ items: EventDto[] }>(t, 'GET', `/api/events?camera_id=${cam.id}&label=motion`)).body.items.find((e) => !e.open && e.clip_url && e.thumbnail_url && e.sprite_url),
      60_000,
      1000,
    );
    expect(Date.parse(ev.window_end as string) - Date.parse(ev.ended_at as string)).toBe(2000);
    const clip = await get(ev.clip_url as string);
    expect(clip.status).toBe(200);
    const f = join(t.dataDir, 'e2e-clip.mp4');
    writeFileSync(f, clip.body);
    expect(ffprobe(f)).toMatchObject({ ok: true, codec: 'h264' });
    expect(isJpeg((await get(ev.thumbnail_url as string)).body)).toBe(true);
    const sprite = join(t.dataDir, 'e2e-sprite.jpg');
    writeFileSync(sprite, (await get(ev.sprite_url as string)).body);
    expect(ffprobe(sprite)).toMatchObject({ width: 1600, height: 90 });
  }, 180_000);

});

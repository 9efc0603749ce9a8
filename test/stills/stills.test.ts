// Timelapse and saved snapshots from a real camera (real: app, SQLite file, ffmpeg file camera recording segments, ffmpeg
// grabs and H.264 stitching, files and symlinks in temp dirs; mock: none — the capture interval is test-sized, 2 s).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Camera } from '../../src-main/shared/contract/cameras.contract';
import type { ApiError } from '../../src-main/shared/errors';
import { dayKey, TimelapseService } from '../../src-main/services/stills/timelapse.service';
import { SnapshotsService } from '../../src-main/services/stills/snapshots.service';
import { FsStillsRepository } from '../../src-main/repositories/stills.repository';
import { silentLogger } from '../../src-main/repositories/logger';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { API_KEY, call, isJpeg, until } from '../cameras/helpers';
import { VTEST } from '../support/rtsp-server';
import { ffprobe } from '../recording/media-helpers';
import sharp from 'sharp';

let t: TestApp;
let media: string;
let outside: string;
let cam: Camera;

const status = (e: unknown): number => (e as ApiError).status;
const rejects = async (p: Promise<unknown> | (() => unknown)): Promise<number> => {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return status(e);
  }
  return 200;
};

beforeAll(async () => {
  media = mkdtempSync(join(tmpdir(), 'vigil-stills-media-'));
  outside = mkdtempSync(join(tmpdir(), 'vigil-stills-outside-'));
  copyFileSync(VTEST, join(media, 'street.avi'));
  writeFileSync(join(outside, 'precious.mp4'), 'do not delete');
  t = await startTestApp({ apiKey: API_KEY, args: ['--media-dir', media], deps: { timelapseIntervalSeconds: 2 } });
  expect((await call(t, 'PUT', '/api/settings', { detector_model: null, segment_seconds: 2, timelapse_enabled: true, timelapse_resolution: '320:240', timelapse_fps: 5 })).status).toBe(200);
  const r = await call<Camera>(t, 'POST', '/api/cameras', { name: 'Street', rtsp_url: join(media, 'street.avi'), motion_enabled: false });
  expect(r.status).toBe(201);
  cam = r.body;
}, 120_000);

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
  if (media) removeDir(media);
  if (outside) removeDir(outside);
});

describe('timelapse', () => {
  it('captures a frame per interval from the camera and stitches the day into timelapse_<date>.mp4 at the chosen size and fps, with a thumbnail', async () => {
    const tl = t.app.container.stills.timelapse;
    const s = await until('4 timelapse frames', () => (tl.status().today_frame_count >= 4 ? tl.status() : null), 120_000, 500);
    expect(s).toMatchObject({ enabled: true, fps: 5, resolution: '320:240' });
    expect(s.last_capture).not.toBeNull();
    const today = dayKey(Date.now());
    const v = await tl.stitch(cam.id, today);
    expect(v).toMatchObject({ camera_id: cam.id, path: `timelapse/${cam.id}/timelapse_${today}.mp4`, date: `${today.slice(0, 4)}-${today.slice(4, 6)}-${today.slice(6)}` });
    expect(v.size).toBeGreaterThan(1000);
    const probe = ffprobe(join(t.dataDir, v.path));
    expect(probe).toMatchObject({ ok: true, codec: 'h264', width: 320, height: 240 });
    // At least 4 frames at 5 fps: 0.8 s or more.
    expect(probe.duration).toBeGreaterThanOrEqual(0.75);
    expect(v.thumbnail).toBe(`timelapse/${cam.id}/timelapse_${today}.jpg`);
    expect(isJpeg(readFileSync(join(t.dataDir, v.thumbnail as string)))).toBe(true);
  }, 180_000);

  it('stitches a finished day by itself, removes its frames, and lists videos newest first', async () => {
    const tl = t.app.container.stills.timelapse;
    const today = dayKey(Date.now());
    const old = join(t.dataDir, 'timelapse', String(cam.id), 'frames', '20200101');
    mkdirSync(old, { recursive: true });
    const todayFrames = join(t.dataDir, 'timelapse', String(cam.id), 'frames', today);
    copyFileSync(join(todayFrames, 'frame_000001.jpg'), join(old, 'frame_000001.jpg'));
    copyFileSync(join(todayFrames, 'frame_000002.jpg'), join(old, 'frame_000002.jpg'));
    // The camera changed resolution that day: the odd-sized frame is fitted into the first one's size.
    await sharp({ create: { width: 201, height: 99, channels: 3, background: '#808080' } }).jpeg().toFile(join(old, 'frame_000003.jpg'));
    await tl.stitchFinishedDays();
    expect(existsSync(old)).toBe(false);
    expect(existsSync(todayFrames)).toBe(true);
    const list = tl.list();
    expect(list.map((v) => v.date)).toEqual([`${today.slice(0, 4)}-${today.slice(4, 6)}-${today.slice(6)}`, '2020-01-01']);
    expect(tl.list(cam.id)).toEqual(list);
    expect(tl.list(cam.id + 100)).toEqual([]);
    expect(ffprobe(join(t.dataDir, list[1]!.path))).toMatchObject({ ok: true, width: 320, height: 240 });
  }, 120_000);

  it('configure validates through the settings schema', async () => {
    const tl = t.app.container.stills.timelapse;
    expect(tl.configure({ interval_minutes: 10, fps: 12 })).toMatchObject({ interval_minutes: 10, fps: 12, enabled: true });
    expect(() => tl.configure({ interval_minutes: 61 })).toThrow();
    expect(() => tl.configure({ interval_minutes: 0 })).toThrow();
    expect(() => tl.configure({ resolution: '1920:1080' as never })).toThrow();
    expect(tl.status().interval_minutes).toBe(10);
  });

  it('serves and deletes only timelapse_*.mp4 inside the timelapse folder: traversal 400, missing 404', async () => {
    const tl = t.app.container.stills.timelapse;
    const dir = join(t.dataDir, 'timelapse', String(cam.id));
    symlinkSync(join(outside, 'precious.mp4'), join(dir, 'timelapse_20000101.mp4'));
    const bad = [
      '../vigil.db',
      `timelapse/${cam.id}/../../vigil.db`,
      '/etc/passwd',
      `timelapse/${cam.id}/frames/${dayKey(Date.now())}/frame_000001.jpg`,
      `timelapse/${cam.id}/timelapse_20200101.jpg`,
      'timelapse/x/timelapse_20200101.mp4',
      `timelapse/${cam.id}/timelapse_20000101.mp4`,
      'timelapse/timelapse_20200101.mp4',
      'vigil.db\0timelapse_1.mp4',
      '',
    ];
    for (const p of bad) {
      expect(await rejects(() => tl.video(p)), p).toBe(400);
      expect(await rejects(tl.delete(p)), p).toBe(400);
    }
    expect(readFileSync(join(outside, 'precious.mp4'), 'utf8')).toBe('do not delete');
    expect(await rejects(tl.delete(`timelapse/${cam.id}/timelapse_19990101.mp4`))).toBe(404);
    const victim = tl.list().find((v) => v.date === '2020-01-01');
    expect(victim).toBeDefined();
    expect(tl.video(join(t.dataDir, victim!.path)).size).toBe(victim!.size);
    await tl.delete(join(t.dataDir, victim!.path));
    expect(existsSync(join(t.dataDir, victim!.path))).toBe(false);
    expect(existsSync(join(t.dataDir, victim!.thumbnail as string))).toBe(false);
    expect(tl.list().map((v) => v.date)).not.toContain('2020-01-01');
  });
});

describe('snapshots', () => {
  it('saves one snapshot_*.jpg per request from the camera and lists them newest first', async () => {
    const sn = t.app.container.stills.snapshots;
    const a = await sn.save(cam.id);
    const b = await sn.save();
    expect(a.path).toMatch(new RegExp(`^snapshots/snapshot_\\d{8}_\\d{6}_\\d{3}_c${cam.id}\\.jpg$`));
    expect(b.camera_id).toBe(cam.id);
    expect(a.path).not.toBe(b.path);
    const jpeg = readFileSync(join(t.dataDir, a.path));
    expect(isJpeg(jpeg)).toBe(true);
    expect(a.size).toBe(jpeg.length);
    const list = sn.list();
    expect(list.map((s) => s.path)).toEqual([b.path, a.path]);
    expect(sn.image(a.path)).toMatchObject({ size: a.size });
  }, 60_000);

  it('refuses an unknown camera (404) and a camera that has recorded nothing (409)', async () => {
    const sn = t.app.container.stills.snapshots;
    expect(await rejects(sn.save(9999))).toBe(404);
    const idle = await call<Camera>(t, 'POST', '/api/cameras', { name: 'Idle', rtsp_url: join(media, 'street.avi'), enabled: false });
    expect(await rejects(sn.save(idle.body.id))).toBe(409);
    // A camera whose newest segment is minutes old is not running: no stale snapshot, no stale timelapse frame.
    const files = new FsStillsRepository(t.dataDir, t.app.container.ffmpeg);
    const seg = t.app.container.db.prepare('SELECT path, end_ms FROM segments WHERE camera_id = ? ORDER BY end_ms DESC LIMIT 1').get(cam.id) as { path: string; end_ms: number };
    const later = () => seg.end_ms + 3 * 60_000;
    const stale = new SnapshotsService({ files, cameras: () => [{ id: cam.id, enabled: true }], newestSegment: () => seg, log: silentLogger(), now: later });
    await expect(stale.save(cam.id)).rejects.toMatchObject({ status: 409, code: 'NO_RECENT_RECORDING' });
    const settings = t.app.container.settings;
    const tl = new TimelapseService({ files, settings, cameras: () => [{ id: cam.id, enabled: true }], newestSegment: () => seg, log: silentLogger(), now: later });
    expect(await tl.capture(cam.id)).toBe(false);
  });

  it('serves and deletes only snapshot_*.jpg in the snapshots folder: traversal 400, missing 404', async () => {
    const sn = t.app.container.stills.snapshots;
    symlinkSync(join(outside, 'precious.mp4'), join(t.dataDir, 'snapshots', 'snapshot_link.jpg'));
    writeFileSync(join(t.dataDir, 'snapshots', 'other.jpg'), 'x');
    const bad = ['../vigil.db', 'snapshots/../vigil.db', '/etc/passwd', 'snapshots/other.jpg', 'snapshots/snapshot_link.jpg', 'snapshots/sub/snapshot_1.jpg', 'snapshot_1.jpg', `${t.dataDir}/../snapshots/snapshot_1.jpg`, 'snapshots/snapshot_1.jpg\0'];
    for (const p of bad) {
      expect(await rejects(() => sn.image(p)), p).toBe(400);
      expect(await rejects(sn.delete(p)), p).toBe(400);
    }
    expect(readFileSync(join(outside, 'precious.mp4'), 'utf8')).toBe('do not delete');
    expect(await rejects(() => sn.image('snapshots/snapshot_19990101_000000.jpg'))).toBe(404);
    expect(await rejects(sn.delete('snapshots/snapshot_19990101_000000.jpg'))).toBe(404);
    const [first] = sn.list();
    await sn.delete(join(t.dataDir, first!.path));
    expect(existsSync(join(t.dataDir, first!.path))).toBe(false);
    expect(sn.list().map((s) => s.path)).not.toContain(first!.path);
  });
});

// CamerasService against a real SQLite file; the worker manager is a small in-test implementation of its port
// (real:  SQLite, SecretBox, filesystem repository; mock: WorkerManagerPort, ProbeRepository, CameraDataPurger).
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/repositories/db/database';
import { SecretBox } from '../../src-main/repositories/secrets.repository';
import { SqliteCamerasRepository } from '../../src-main/repositories/cameras.repository';
import { FsCameraFilesRepository } from '../../src-main/repositories/camera-files.repository';
import { silentLogger } from '../../src-main/repositories/logger';
import type { ProbeRepository, ProbeRequest } from '../../src-main/repositories/ffmpeg/probe.repository';
import { CamerasService } from '../../src-main/services/cameras/cameras.service';
import { CameraSettingsCache } from '../../src-main/services/cameras/camera-settings';
import { PushBus } from '../../src-main/services/push-bus';
import { defaultSettings } from '../../src-main/shared/settings';
import { ApiError } from '../../src-main/shared/errors';
import type { PushMessage } from '../../src-main/shared/push-events';
import type { CameraHealth, CameraRuntime, HlsSession, LatestFrame, WorkerManagerPort } from '../../src-main/ports/camera-workers.port';

class PortDouble implements WorkerManagerPort {
  calls: string[] = [];
  runtimes = new Map<number, CameraRuntime>();
  healthOf = new Map<number, CameraHealth>();
  start(rt: CameraRuntime): void {
    this.calls.push(`start:${rt.id}`);
    this.runtimes.set(rt.id, rt);
  }
  async stop(id: number): Promise<void> {
    this.calls.push(`stop:${id}`);
    this.runtimes.delete(id);
  }
  async stopAll(): Promise<void> {
    this.calls.push('stopAll');
    this.runtimes.clear();
  }
  health(id: number): CameraHealth | null {
    return this.runtimes.has(id) ? (this.healthOf.get(id) ?? null) : null;
  }
  states() {
    return [];
  }
  latest(): LatestFrame | null {
    return null;
  }
  onFrame() {
    return () => undefined;
  }
  watchStills() {
    return () => undefined;
  }
  subscribeLive() {
    return () => undefined;
  }
  async snapshot(): Promise<LatestFrame | null> {
    return null;
  }
  decoderPid(): number | null {
    return null;
  }
  async startHls(): Promise<HlsSession> {
    throw new Error('not used');
  }
  async stopHls(id: number): Promise<void> {
    this.calls.push(`stopHls:${id}`);
  }
  hlsSessionCount(): number {
    return 0;
  }
  async removeCameraFiles(id: number): Promise<void> {
    this.calls.push(`removeFiles:${id}`);
  }
  touchHls(): void {}
  hasHls(): boolean {
    return false;
  }
  async waitHls(): Promise<'gone'> {
    return 'gone';
  }
}

let dir: string;
let db: Db;
let port: PortDouble;
let svc: CamerasService;
let cameraSettings: CameraSettingsCache;
let events: PushMessage[];
let purged: number[];
let now: number;
const probes: ProbeRequest[] = [];

const probe: ProbeRepository = {
  async probe(req) {
    probes.push(req);
    const mjpeg = req.url.includes('mjpg');
    return { ok: true, source_kind: mjpeg ? 'mjpeg' : 'http', codec: 'mjpeg', width: 1, height: 1, fps: null, audio: null, error: null };
  },
};

function build(demo = false, street: string | null = null) {
  const bus = new PushBus();
  bus.subscribe((m) => events.push(m));
  const settings = defaultSettings();
  const repo = new SqliteCamerasRepository(db, new SecretBox(Buffer.alloc(32, 7)));
  cameraSettings = new CameraSettingsCache(repo);
  svc = new CamerasService({
    repo,
    cameraSettings,
    manager: port,
    settings: { get: () => settings },
    bus,
    probe,
    files: new FsCameraFilesRepository(dir, [dir]),
    purger: { purgeCamera: async (id) => void purged.push(id) },
    log: silentLogger(),
    now: () => now,
    demo: { enabled: demo, streetVideo: street },
    tickMs: 60_000,
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-cam-svc-'));
  db = openDatabase({ file: join(dir, 'vigil.db') });
  port = new PortDouble();
  events = [];
  purged = [];
  now = Date.now();
  probes.length = 0;
  build();
});
afterEach(async () => {
  await svc.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const status = (e: unknown) => (e instanceof ApiError ? e.status : -1);

describe('CamerasService', () => {
  it('creates, masks, seals, starts the worker and pushes camera.added', async () => {
    const pw = `pw-${randomBytes(6).toString('hex')}`;
    const cam = await svc.create({ name: 'Door', rtsp_url: `rtsp://admin:${pw}@10.1.1.1:554/s`, enabled: true });
    expect(cam.rtsp_url).toBe('rtsp://***@10.1.1.1:554/s');
    expect(cam.has_credentials).toBe(true);
    expect(cam.source_kind).toBe('rtsp');
    expect(cam.trigger_classes).toBe('person');
    expect(JSON.stringify(cam)).not.toContain(pw);
    expect(port.calls).toEqual([`start:${cam.id}`]);
    expect(port.runtimes.get(cam.id)).toMatchObject({ url: 'rtsp://10.1.1.1:554/s', username: 'admin', password: pw });
    expect(events).toContainEqual({ name: 'camera.added', payload: { camera_id: cam.id } });
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(join(dir, 'vigil.db')).includes(Buffer.from(pw))).toBe(false);
  });

  it('hands the worker the effective analysis mode: full by default, as set, off when nothing would use decoded frames', async () => {
    const def = await svc.create({ name: 'a', rtsp_url: 'rtsp://10.1.1.2/s', enabled: true });
    expect(def.analysis_mode).toBe('full');
    expect(port.runtimes.get(def.id)?.analysis).toBe('full');
    const kf = await svc.create({ name: 'b', rtsp_url: 'rtsp://10.1.1.3/s', enabled: true, analysis_mode: 'keyframes' });
    expect(port.runtimes.get(kf.id)?.analysis).toBe('keyframes');
    // No detector model in this service: motion off leaves nothing to decode for.
    const idle = await svc.create({ name: 'c', rtsp_url: 'rtsp://10.1.1.4/s', enabled: true, motion_enabled: false });
    expect(port.runtimes.get(idle.id)?.analysis).toBe('off');
    await svc.update({ id: def.id, analysis_mode: 'off' });
    expect(port.runtimes.get(def.id)?.analysis).toBe('off');
  });

  it('derives http vs mjpeg by probing when source_kind is omitted', async () => {
    expect((await svc.create({ name: 'a', rtsp_url: 'http://h/snap.jpg', enabled: false })).source_kind).toBe('http');
    expect((await svc.create({ name: 'b', rtsp_url: 'http://h/video.mjpg', enabled: false })).source_kind).toBe('mjpeg');
    expect((await svc.create({ name: 'c', rtsp_url: 'http://h/x', source_kind: 'mjpeg', enabled: false })).source_kind).toBe('mjpeg');
    expect(probes).toHaveLength(2);
  });

  it('rejects bad sources with 422 naming the field', async () => {
    const e1 = await svc.create({ name: 'x', rtsp_url: 'ftp://h/x', enabled: true }).catch((e: unknown) => e);
    expect(status(e1)).toBe(422);
    expect(JSON.stringify((e1 as ApiError).detail)).toContain('rtsp_url');
    const e2 = await svc.create({ name: 'x', rtsp_url: 'rtsp://h/x', source_kind: 'file', enabled: true }).catch((e: unknown) => e);
    expect(JSON.stringify((e2 as ApiError).detail)).toContain('source_kind');
    const e3 = await svc.create({ name: 'x', rtsp_url: 'rtsp://h/x', trigger_classes: 'person,unicorn', enabled: true }).catch((e: unknown) => e);
    expect(JSON.stringify((e3 as ApiError).detail)).toContain('trigger_classes');
    const e4 = await svc.create({ name: 'x', rtsp_url: join(dir, 'missing.avi'), enabled: true }).catch((e: unknown) => e);
    expect(status(e4)).toBe(422);
    for (const bad of ['rtsp://', 'http://', 'rtsp://host name/x', 'rtsp://[bad/x']) {
      const e = await svc.create({ name: 'x', rtsp_url: bad, enabled: true }).catch((err: unknown) => err);
      expect(status(e), bad).toBe(422);
    }
  });

  it('update lifecycle: disable stops, enable starts, tuning restarts, echo keeps, repoint purges', async () => {
    const cam = await svc.create({ name: 'Door', rtsp_url: 'rtsp://admin:pw@10.1.1.1/s', enabled: true });
    port.calls = [];
    await svc.update({ id: cam.id, enabled: false });
    expect(port.calls).toEqual([`stopHls:${cam.id}`, `stop:${cam.id}`]);
    port.calls = [];
    await svc.update({ id: cam.id, enabled: true, rtsp_url: 'rtsp://***@10.1.1.1/s' });
    expect(port.calls).toEqual([`start:${cam.id}`]);
    expect(port.runtimes.get(cam.id)).toMatchObject({ url: 'rtsp://10.1.1.1/s', username: 'admin', password: 'pw' });
    port.calls = [];
    await svc.update({ id: cam.id, name: 'Front door', rtsp_url: '' });
    expect(port.calls).toEqual([]);
    await svc.update({ id: cam.id, detect_conf: 0.7 });
    expect(port.calls).toEqual([`start:${cam.id}`]);
    expect(purged).toEqual([]);
    mkdirSync(join(dir, 'segments', String(cam.id), '2026-01-01'), { recursive: true });
    writeFileSync(join(dir, 'segments', String(cam.id), '2026-01-01', 'a.ts'), 'x');
    port.calls = [];
    const moved = await svc.update({ id: cam.id, rtsp_url: 'rtsp://10.9.9.9/other' });
    expect(purged).toEqual([cam.id]);
    expect(existsSync(join(dir, 'segments', String(cam.id)))).toBe(false);
    expect(port.calls).toEqual([`stopHls:${cam.id}`, `stop:${cam.id}`, `removeFiles:${cam.id}`, `start:${cam.id}`]);
    expect(moved.rtsp_url).toBe('rtsp://10.9.9.9/other');
    expect(moved.has_credentials).toBe(false);
    expect(events.filter((e) => e.name === 'camera.updated')).toHaveLength(5);
  });

  it('delete is recursive and unknown ids are 404', async () => {
    const cam = await svc.create({ name: 'Door', rtsp_url: 'rtsp://10.1.1.1/s', enabled: true });
    mkdirSync(join(dir, 'hls', String(cam.id)), { recursive: true });
    mkdirSync(join(dir, 'live', String(cam.id)), { recursive: true });
    await svc.delete(cam.id);
    expect(port.calls).toEqual([`start:${cam.id}`, `stopHls:${cam.id}`, `stop:${cam.id}`, `removeFiles:${cam.id}`]);
    expect(purged).toEqual([cam.id]);
    expect(existsSync(join(dir, 'hls', String(cam.id)))).toBe(false);
    expect(existsSync(join(dir, 'live', String(cam.id)))).toBe(false);
    expect(events).toContainEqual({ name: 'camera.removed', payload: { camera_id: cam.id } });
    expect(status(await svc.delete(cam.id).catch((e: unknown) => e))).toBe(404);
    expect(status((() => { try { return svc.get(cam.id); } catch (e) { return e; } })())).toBe(404);
    expect(svc.exists(cam.id)).toBe(false);
  });

  it('status follows the heartbeat and pushes camera.status on change only', async () => {
    const cam = await svc.create({ name: 'Door', rtsp_url: 'rtsp://10.1.1.1/s', enabled: true });
    await svc.start();
    const tick = () => (svc as unknown as { ticker: { tick(): void } }).ticker.tick();
    port.healthOf.set(cam.id, { lastFrameMs: now, fps: 9.8, state: { camera_id: cam.id, state: 'running', pid: 1, restarts: 0, last_error: null } });
    tick();
    tick();
    expect(svc.status(cam.id)).toMatchObject({ status: 'online', fps: 9.8 });
    now += 31_000;
    tick();
    expect(svc.status(cam.id).status).toBe('offline');
    port.healthOf.set(cam.id, { lastFrameMs: now - 31_000, fps: 0, state: { camera_id: cam.id, state: 'backoff', pid: null, restarts: 1, last_error: 'Connection refused' } });
    tick();
    expect(svc.get(cam.id)).toMatchObject({ status: 'error', last_error: 'Connection refused' });
    await svc.update({ id: cam.id, enabled: false });
    expect(svc.status(cam.id).status).toBe('offline');
    const statuses = events.filter((e) => e.name === 'camera.status').map((e) => (e.payload as { status: string }).status);
    expect(statuses).toEqual(['offline', 'online', 'offline', 'error', 'offline']);
  });

  it('camera settings have one reader that follows every mutation at once, without reopening sealed sources', async () => {
    expect(cameraSettings.list()).toEqual([]);
    const cam = await svc.create({ name: 'Door', rtsp_url: 'rtsp://u:pw@10.1.1.1/s', enabled: true, trigger_classes: 'Car, person' });
    expect(cameraSettings.get(cam.id)).toMatchObject({ id: cam.id, name: 'Door', kind: 'rtsp', enabled: true, tuning: { trigger_classes: 'car,person', recording_mode: 'continuous' } });
    expect(Object.keys(cameraSettings.get(cam.id) ?? {}).sort()).toEqual(['enabled', 'id', 'kind', 'name', 'tuning']);
    await svc.update({ id: cam.id, name: 'Front door', enabled: false, post_seconds: 42 });
    expect(cameraSettings.list()).toEqual([expect.objectContaining({ id: cam.id, name: 'Front door', enabled: false, tuning: expect.objectContaining({ post_seconds: 42 }) })]);
    await svc.update({ id: cam.id, rtsp_url: 'http://10.2.2.2/video.mjpg', source_kind: 'mjpeg' });
    expect(cameraSettings.get(cam.id)?.kind).toBe('mjpeg');
    // A row written behind the service's back (tests seed the table this way) is read through on first sight.
    const raw = Number(db.prepare("INSERT INTO cameras (name, source_kind, url_enc, config) VALUES ('Raw', 'file', x'00', '{\"pre_seconds\":3}')").run().lastInsertRowid);
    expect(cameraSettings.get(raw)).toMatchObject({ name: 'Raw', kind: 'file', tuning: { pre_seconds: 3 } });
    expect(cameraSettings.list().map((c) => c.id)).toEqual([cam.id, raw]);
    await svc.delete(cam.id);
    expect(cameraSettings.get(cam.id)).toBeNull();
    expect(cameraSettings.list().map((c) => c.id)).toEqual([raw]);
  });

  it('seeds demo cameras once, on a database that never had cameras', async () => {
    const street = join(dir, 'street.avi');
    writeFileSync(street, 'x');
    build(true, street);
    await svc.start();
    const cams = svc.list();
    expect(cams.map((c) => [c.name, c.source_kind, c.is_demo, c.enabled])).toEqual([
      ['Street (demo)', 'file', true, true],
      ['Test pattern (demo)', 'pattern', true, true],
    ]);
    expect(port.runtimes.get(cams[0]!.id)?.url).toBe(street);
    for (const c of cams) await svc.delete(c.id);
    await svc.stop();
    build(true, street);
    await svc.start();
    expect(svc.list()).toEqual([]);
  });

  it('probe with camera_id and a masked URL tests the stored source', async () => {
    const cam = await svc.create({ name: 'Snap', rtsp_url: 'http://u:secret@h/snap.jpg', enabled: false });
    probes.length = 0;
    await svc.probe({ camera_id: cam.id, rtsp_url: 'http://***@h/snap.jpg' });
    expect(probes[0]).toMatchObject({ kind: 'http', url: 'http://h/snap.jpg', username: 'u', password: 'secret' });
    expect(status(await svc.probe({}).catch((e: unknown) => e))).toBe(422);
    expect(status(await svc.probe({ camera_id: 999 }).catch((e: unknown) => e))).toBe(404);
  });
});

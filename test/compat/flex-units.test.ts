// Pure decision logic of the families (real: SQLite file for the webhook store; mock: the webhook sender records the
// POSTs instead of sending them, since flex-api.test.ts covers the network): slugs, pipeline ffmpeg arguments, role
// permissions and contract access, webhook event translation.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { slugify, uniqueSlug } from '../../src-main/shared/slug';
import { maskCredentials, pipelineArgs } from '../../src-main/repositories/flex/pipeline-runner.repository';
import { can, ROLE_PERMISSIONS } from '../../src-main/shared/access';
import { contractAccess } from '../../src-main/transport/rest/platform/access';
import { contract, restOpNames } from '../../src-main/shared/contract';
import { openDatabase } from '../../src-main/repositories/db/database';
import { SecretBox } from '../../src-main/repositories/secrets.repository';
import { SqliteFlexStore } from '../../src-main/repositories/flex/flex-store.repository';
import { WebhooksService } from '../../src-main/services/flex/webhooks.service';
import { PushBus } from '../../src-main/services/push-bus';
import { silentLogger } from '../../src-main/repositories/logger';
import { defaultFlexSettings, pipelineSpecSchema } from '../../src-main/shared/flex';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('slugs', () => {
  it('makes lower-case ASCII slugs and suffixes taken ones', () => {
    expect(slugify('Front Door')).toBe('front-door');
    expect(slugify('  Café — Entrée #2 ')).toBe('cafe-entree-2');
    expect(slugify('///')).toBe('item');
    const taken = new Set(['front-door', 'front-door-2']);
    expect(uniqueSlug('Front door', (s) => taken.has(s))).toBe('front-door-3');
  });
});

describe('pipeline ffmpeg arguments', () => {
  const base = { ffmpeg: 'ffmpeg', input: { kind: 'hls' as const, playlist: '/d/hls/1/index.m3u8' }, framegrabs: null };
  it('copies the camera H.264 to a push output and encodes when told to or for a capture device', () => {
    const copy = pipelineArgs({ ...base, output: { kind: 'rtsp', url: 'rtsp://127.0.0.1:8554/x', dir: '/d/o' }, copy: true });
    expect(copy.join(' ')).toContain('-c:v copy');
    expect(copy.slice(-1)[0]).toBe('rtsp://127.0.0.1:8554/x');
    expect(copy).toContain('-progress');
    const enc = pipelineArgs({ ...base, input: { kind: 'device', path: '/dev/video0' }, output: { kind: 'rtmp', url: 'rtmp://h/app/key', dir: '/d/o' }, copy: false });
    expect(enc.join(' ')).toContain('-f v4l2 -i /dev/video0');
    expect(enc.join(' ')).toContain('-c:v libx264');
    expect(enc.join(' ')).toContain('-f flv rtmp://h/app/key');
    const hls = pipelineArgs({ ...base, output: { kind: 'hls', dir: '/d/o' }, copy: true, framegrabs: { dir: '/d/g', intervalS: 5 } });
    expect(hls.join(' ')).toContain('/d/o/index.m3u8');
    expect(hls.join(' ')).toContain('fps=1/5');
  });

  it('masks credentials in ffmpeg messages', () => {
    expect(maskCredentials('rtsp://user:pass@10.0.0.1/x: Connection refused')).toBe('rtsp://***@10.0.0.1/x: Connection refused');
  });

  it('validates outputs against their scheme', () => {
    expect(pipelineSpecSchema.safeParse({ name: 'a', source: { camera_id: 1 }, output: { kind: 'srt', url: 'rtsp://x' } }).success).toBe(false);
    expect(pipelineSpecSchema.safeParse({ name: 'a', source: { camera_id: 1 }, output: { kind: 'hls', url: 'x' } }).success).toBe(false);
    expect(pipelineSpecSchema.safeParse({ name: 'a', source: { device: '/dev/sda' }, output: { kind: 'hls' } }).success).toBe(false);
    expect(pipelineSpecSchema.safeParse({ name: 'a', source: { camera_id: 1 }, output: { kind: 'srt', url: 'srt://127.0.0.1:9000' } }).success).toBe(true);
  });
});

describe('roles and contract access', () => {
  it('admin does everything, operator no camera or system changes, viewer only reads live', () => {
    expect(ROLE_PERMISSIONS.admin).toHaveLength(10);
    expect(can('operator', 'events:write')).toBe(true);
    expect(can('operator', 'cameras:write')).toBe(false);
    expect(can('operator', 'system:read')).toBe(false);
    expect(can('viewer', 'cameras:read')).toBe(true);
    expect(can('viewer', 'events:read')).toBe(false);
  });

  it('gives every REST contract operation an access, and keys, users and the media token to admins only', () => {
    for (const name of restOpNames) {
      const a = contractAccess(contract[name]);
      expect(a, name).toBeTruthy();
      if (contract[name].tag === 'auth' || contract[name].tag === 'users') expect(a, name).toBe('system:write');
    }
    expect(contractAccess(contract['health.get'])).toBe('public');
    expect(contractAccess(contract['cameras.update'])).toBe('cameras:write');
    expect(contractAccess(contract['events.list'])).toBe('events:read');
  });
});

describe('webhook events', () => {
  it('translates Vigil push events: camera offline/online on transitions, event closed once, recognised persons only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-hooks-'));
    dirs.push(dir);
    const db = openDatabase({ file: join(dir, 'vigil.db') });
    const sent: { event: string; body: string }[] = [];
    const bus = new PushBus();
    const ended = new Set<number>();
    const svc = new WebhooksService({
      store: new SqliteFlexStore(db, new SecretBox(randomBytes(32))),
      sender: { post: async (_u, body, headers) => (sent.push({ event: headers['X-Flex-Event'] as string, body }), { ok: true, status: 200, error: null }) },
      settings: () => defaultFlexSettings,
      bus,
      eventEnded: (id) => ended.has(id),
      log: silentLogger(),
      now: Date.now,
    });
    try {
      svc.create({ url: 'http://127.0.0.1:1/hook' });
      svc.start();
      const cam = (status: 'online' | 'offline' | 'error') => bus.emit('camera.status', { camera_id: 1, status, last_seen: null, fps: 0 });
      cam('online');
      cam('offline');
      cam('error');
      cam('online');
      bus.emit('event.created', { event_id: 7, camera_id: 1 });
      bus.emit('event.updated', { event_id: 7, camera_id: 1 });
      ended.add(7);
      bus.emit('event.updated', { event_id: 7, camera_id: 1 });
      bus.emit('event.updated', { event_id: 7, camera_id: 1 });
      bus.emit('face.recognized', { camera_id: 1, track_id: 1, event_id: 7, person_id: null, person_name: null, evidence: 0, faces: 1 });
      bus.emit('face.recognized', { camera_id: 1, track_id: 1, event_id: 7, person_id: 3, person_name: 'Ann', evidence: 0.9, faces: 4 });
      for (let i = 0; i < 100 && sent.length < 5; i++) await new Promise((r) => setTimeout(r, 20));
      await svc.stop();
      expect(sent.map((s) => s.event)).toEqual(['camera.offline', 'camera.online', 'event.opened', 'event.closed', 'person.recognized']);
      expect(JSON.parse((sent[4] as { body: string }).body)).toMatchObject({ event: 'person.recognized', data: { person_name: 'Ann' } });
    } finally {
      db.close();
    }
  });
});

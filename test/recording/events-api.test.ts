// Events/recordings/storage API on the real app (real SQLite, real ffmpeg, real segments on disk emitted on the IngestBus).
// real: app + fastify on 127.0.0.1:0, SQLite file, ffmpeg/ffprobe, MPEG-TS segments, rgb24 frames. mock: nothing.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { call, until } from '../cameras/helpers';
import { SqliteEventsRepository } from '../../src-main/repositories/events.repository';
import type { EventDto } from '../../src-main/shared/contract/events.contract';
import type { ClosedSegment } from '../../src-main/ports/ingest.port';
import { ffprobe, ffprobeAsync, listFiles, placeSegments, rgbFrame } from './media-helpers';

let t: TestApp;
let segs: ClosedSegment[];
let t0: number;
const pushes: { name: string; payload: unknown }[] = [];

const addCamera = (name: string, config: object = {}): number =>
  Number(t.app.container.db.prepare("INSERT INTO cameras (name, source_kind, url_enc, url_host, enabled, config) VALUES (?, 'file', x'00', '', 0, ?)").run(name, JSON.stringify(config)).lastInsertRowid);

async function bytes(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const r = await t.req(path, { headers });
  return { status: r.status, body: Buffer.from(await r.arrayBuffer()), headers: r.headers };
}

beforeAll(async () => {
  t = await startTestApp();
  t.app.container.bus.subscribe((m) => pushes.push(m));
  addCamera('Door', { pre_seconds: 1, post_seconds: 1, min_trigger_frames: 2, detect_enabled: false });
  addCamera('Yard');
  t0 = Date.now() - 8000;
  // Six 2 s segments: [now-8 s, now+4 s), so manual stop finds coverage without waiting for a live ingest.
  segs = placeSegments(t.dataDir, 1, t0, 6);
  for (const s of segs) t.app.container.ingest.emit('segment', s);
  for (const s of placeSegments(t.dataDir, 2, t0, 2)) t.app.container.ingest.emit('segment', s);
  await t.app.container.recording.indexer.flush();
});

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
});

describe('OpenAPI', () => {
  it('documents the raw event and recording media routes next to the contract ops', async () => {
    const doc = (await call<{ paths: Record<string, unknown> }>(t, 'GET', '/openapi.json')).body;
    for (const p of ['/api/events', '/api/events/{id}/clip', '/api/events/{id}/thumbnail', '/api/events/{id}/sprite', '/api/recordings/{camera_id}/vod.m3u8', '/api/recordings/exports/{export_id}/file', '/api/storage', '/api/live/{id}/record/stop']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
  });
});

describe('segment index', () => {
  it('indexes every emitted segment with its SHA-256', () => {
    const rows = t.app.container.db.prepare('SELECT path, sha256, bytes FROM segments WHERE camera_id = 1 ORDER BY start_ms').all() as { path: string; sha256: string; bytes: number }[];
    expect(rows).toHaveLength(6);
    const first = rows[0] as { path: string; sha256: string };
    expect(first.path).toMatch(/^segments\/1\/\d{4}-\d{2}-\d{2}\/\d{2}\/\d+\.ts$/);
    expect(first.sha256).toBe(createHash('sha256').update(readFileSync(join(t.dataDir, first.path))).digest('hex'));
  });
});

describe('manual recording', () => {
  it('start returns a server-trusted started_at; stop persists a manual event with a playable clip', async () => {
    const start = await call<{ started_at: string }>(t, 'POST', '/api/live/1/record/start');
    expect(start.status).toBe(200);
    expect(Math.abs(Date.parse(start.body.started_at) - Date.now())).toBeLessThan(5000);
    const stop = await call<{ event_id: number; clip: string; duration: number }>(t, 'POST', '/api/live/1/record/stop', { started_at: new Date(t0 + 2500).toISOString() });
    expect(stop.status).toBe(200);
    expect(stop.body.clip).toBe(`/api/events/${stop.body.event_id}/clip`);
    expect(stop.body.duration).toBeGreaterThan(4);
    const ev = (await call<EventDto>(t, 'GET', `/api/events/${stop.body.event_id}`)).body;
    expect(ev).toMatchObject({ source: 'manual', label: 'manual', open: false, camera_id: 1, camera_name: 'Door' });
    const clip = await bytes(stop.body.clip);
    expect(clip.status).toBe(200);
    expect(clip.headers.get('accept-ranges')).toBe('bytes');
    expect(clip.headers.get('content-type')).toBe('video/mp4');
    const file = join(t.dataDir, 'probe-manual.mp4');
    writeFileSync(file, clip.body);
    const p = ffprobe(file);
    expect(p.codec).toBe('h264');
    expect(p.duration).toBeGreaterThan(5);
    // faststart: the moov atom precedes mdat.
    expect(clip.body.indexOf('moov')).toBeLessThan(clip.body.indexOf('mdat'));
  });

  it('a segment file gone from disk does not cut the clip short at the gap', async () => {
    const cam = addCamera('Gap clip');
    const start = Date.now() - 4000;
    const placed = placeSegments(t.dataDir, cam, start, 3);
    for (const s of placed) t.app.container.ingest.emit('segment', s);
    await t.app.container.recording.indexer.flush();
    unlinkSync((placed[1] as ClosedSegment).path);
    const stop = await call<{ event_id: number; clip: string }>(t, 'POST', `/api/live/${cam}/record/stop`, { started_at: new Date(start + 500).toISOString() });
    expect(stop.status).toBe(200);
    const clip = await bytes(stop.body.clip);
    writeFileSync(join(t.dataDir, 'gap-clip.mp4'), clip.body);
    expect(ffprobe(join(t.dataDir, 'gap-clip.mp4')).duration).toBeGreaterThan(3.5);
    copyFileSync((segs[1] as ClosedSegment).path, (placed[1] as ClosedSegment).path);
  });

  it('rejects invalid started_at with 400 and unknown cameras with 404', async () => {
    expect((await call(t, 'POST', '/api/live/1/record/stop', { started_at: 'yesterday-ish' })).status).toBe(400);
    expect((await call(t, 'POST', '/api/live/1/record/stop', {})).status).toBe(400);
    expect((await call(t, 'POST', '/api/live/1/record/stop', { started_at: new Date(Date.now() + 3_600_000).toISOString() })).status).toBe(400);
    const r = await call<{ detail: string }>(t, 'POST', '/api/live/999/record/stop', { started_at: new Date().toISOString() });
    expect(r.status).toBe(404);
    expect((await call(t, 'POST', '/api/live/999/record/start')).status).toBe(404);
  });
});

describe('motion events', () => {
  it('one event per presence from analysis frames, closed post_seconds after the last trigger, with clip, thumbnail and sprite', async () => {
    // Through the analysis service, one frame after another (the ingest bus would let newer frames replace older ones).
    const analysis = t.app.container.analysis;
    const W = 64;
    const H = 48;
    const base = t0 + 500;
    for (let i = 0; i < 12; i++) {
      const moving = i >= 1 && i <= 4;
      await analysis.onFrame({ camera_id: 1, ts_ms: base + i * 500, width: W, height: H, format: 'rgb24', data: rgbFrame(W, H, moving ? { x: i * 8, y: 10, s: 12 } : null, 30 + (i % 2)) });
    }
    const created = pushes.filter((p) => p.name === 'event.created');
    const list = await call<{ total: number; items: EventDto[] }>(t, 'GET', '/api/events?label=motion');
    expect(list.body.total).toBe(1);
    const ev = list.body.items[0] as EventDto;
    expect(created.some((p) => (p.payload as { event_id: number }).event_id === ev.id)).toBe(true);
    expect(ev).toMatchObject({ source: 'motion', open: false, started_at: new Date(base + 500).toISOString(), ended_at: new Date(base + 2500).toISOString() });
    expect(ev.window_start).toBe(new Date(base - 500).toISOString());
    // The square leaving the frame at i=5 is a change too, so the last trigger is i=5.
    expect(ev.window_end).toBe(new Date(base + 3500).toISOString());
    expect(ev.boxes[0]?.label).toBe('motion');
    const done = await until('motion clip', async () => {
      const e = (await call<EventDto>(t, 'GET', `/api/events/${ev.id}`)).body;
      return e.clip_url && e.thumbnail_url && e.sprite_url ? e : null;
    });
    const thumb = await bytes(done.thumbnail_url as string);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    expect(thumb.body.subarray(0, 2).toString('hex')).toBe('ffd8');
    const sprite = await bytes(done.sprite_url as string);
    writeFileSync(join(t.dataDir, 'sprite.jpg'), sprite.body);
    expect(ffprobe(join(t.dataDir, 'sprite.jpg'))).toMatchObject({ width: 1600, height: 90 });
    expect(pushes.some((p) => p.name === 'event.updated' && (p.payload as { event_id: number }).event_id === ev.id)).toBe(true);
  });

  it('an event deleted while open closes silently: no event.updated for it, no clip', async () => {
    const analysis = t.app.container.analysis;
    const W = 64;
    const H = 48;
    const base = t0 + 30_000;
    const frame = (i: number, moving: boolean) =>
      analysis.onFrame({ camera_id: 1, ts_ms: base + i * 500, width: W, height: H, format: 'rgb24', data: rgbFrame(W, H, moving ? { x: i * 8, y: 10, s: 12 } : null, 30 + (i % 2)) });
    for (let i = 0; i < 4; i++) await frame(i, i >= 1);
    const open = (await call<{ items: EventDto[] }>(t, 'GET', '/api/events?label=motion')).body.items.find((e) => e.open);
    expect(open).toBeDefined();
    const id = (open as EventDto).id;
    expect((await call(t, 'DELETE', `/api/events/${id}`)).status).toBe(204);
    const before = pushes.length;
    for (let i = 4; i < 14; i++) await frame(i, false);
    await new Promise((r) => setTimeout(r, 300));
    expect(pushes.slice(before).filter((p) => p.name === 'event.updated' && (p.payload as { event_id: number }).event_id === id)).toEqual([]);
    expect((await call(t, 'GET', `/api/events/${id}`)).status).toBe(404);
  });
});

describe('clip Range streaming', () => {
  it('206 for a-b and suffix ranges, 416 when unsatisfiable, full 200 otherwise', async () => {
    const id = (await call<{ items: EventDto[] }>(t, 'GET', '/api/events?label=manual')).body.items[0]?.id as number;
    const full = await bytes(`/api/events/${id}/clip`);
    const size = full.body.length;
    expect(Number(full.headers.get('content-length'))).toBe(size);
    const a = await bytes(`/api/events/${id}/clip`, { range: 'bytes=10-109' });
    expect(a.status).toBe(206);
    expect(a.headers.get('content-range')).toBe(`bytes 10-109/${size}`);
    expect(a.headers.get('accept-ranges')).toBe('bytes');
    expect(a.body.equals(full.body.subarray(10, 110))).toBe(true);
    const suffix = await bytes(`/api/events/${id}/clip`, { range: 'bytes=-100' });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe(`bytes ${size - 100}-${size - 1}/${size}`);
    expect(suffix.body.equals(full.body.subarray(size - 100))).toBe(true);
    const bad = await bytes(`/api/events/${id}/clip`, { range: `bytes=${size}-` });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe(`bytes */${size}`);
  });

  it('streams a large clip in bounded chunks: memory stays flat while 256 MiB go through', async () => {
    const repo = new SqliteEventsRepository(t.app.container.db);
    const id = repo.insert({ camera_id: 2, label: 'big', source: 'manual', score: null, started_ms: 1, ended_ms: 2, last_ms: 2, window_start_ms: 0, window_end_ms: 3, post_ms: 0, best_ms: null, boxes: '[]' });
    const rel = 'clips/2/big.mp4';
    mkdirSync(join(t.dataDir, 'clips', '2'), { recursive: true });
    const size = 256 * 1024 * 1024;
    // Sparse file: no buffer of that size ever exists in this process.
    closeSync(openSync(join(t.dataDir, rel), 'w'));
    truncateSync(join(t.dataDir, rel), size);
    repo.update(id, { clip_path: rel });
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    let got = 0;
    const res = await t.req(`/api/events/${id}/clip`);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      got += value.byteLength;
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }
    expect(got).toBe(size);
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
    await t.req(`/api/events/${id}`, { method: 'DELETE' });
    expect(existsSync(join(t.dataDir, rel))).toBe(false);
  });

  it('404 for a missing event, a missing clip or a missing file; 400 for a path escaping the data root', async () => {
    const repo = new SqliteEventsRepository(t.app.container.db);
    expect((await bytes('/api/events/999999/clip')).status).toBe(404);
    const noClip = repo.insert({ camera_id: 2, label: 'x', source: 'motion', score: null, started_ms: 1, ended_ms: 2, last_ms: 2, window_start_ms: 0, window_end_ms: 3, post_ms: 0, best_ms: null, boxes: '[]' });
    expect((await bytes(`/api/events/${noClip}/clip`)).status).toBe(404);
    expect((await bytes(`/api/events/${noClip}/thumbnail`)).status).toBe(404);
    repo.update(noClip, { clip_path: 'clips/2/none.mp4', thumb_path: '../../../../etc/passwd', sprite_path: '/etc/hostname' });
    expect((await bytes(`/api/events/${noClip}/clip`)).status).toBe(404);
    const esc = await bytes(`/api/events/${noClip}/thumbnail`);
    expect(esc.status).toBe(400);
    expect(JSON.parse(esc.body.toString())).toEqual({ detail: 'Path escapes the data root' });
    expect((await bytes(`/api/events/${noClip}/sprite`)).status).toBe(400);
    expect((await bytes('/api/events/abc/clip')).status).toBe(422);
    repo.deleteIds([noClip]);
  });
});

describe('events list, update and deletes', () => {
  let ids: number[] = [];
  beforeAll(() => {
    const repo = new SqliteEventsRepository(t.app.container.db);
    const base = Date.UTC(2026, 0, 1);
    ids = Array.from({ length: 30 }, (_, i) =>
      repo.insert({ camera_id: i % 2 ? 2 : 1, label: i % 3 ? 'person' : 'car', source: 'detection', score: 0.9, started_ms: base + i * 60_000, ended_ms: base + i * 60_000 + 5000, last_ms: base + i * 60_000 + 5000, window_start_ms: base + i * 60_000, window_end_ms: base + i * 60_000 + 5000, post_ms: 0, best_ms: null, boxes: '[]' }),
    );
    t.app.container.db.prepare('UPDATE events SET person_id = 7 WHERE id = ?').run(ids[3]);
  });

  it('lists newest-first with total, limit/offset and filters (from inclusive, to exclusive)', async () => {
    const base = Date.UTC(2026, 0, 1);
    const r = await call<{ total: number; items: EventDto[] }>(t, 'GET', `/api/events?from=${new Date(base).toISOString()}&to=${new Date(base + 30 * 60_000).toISOString()}&limit=5&offset=2`);
    expect(r.body.total).toBe(30);
    expect(r.body.items.map((e) => e.id)).toEqual(ids.slice().reverse().slice(2, 7));
    const cam = await call<{ total: number; items: EventDto[] }>(t, 'GET', `/api/events?camera_id=2&label=person&from=${base}&limit=500`);
    expect(cam.body.items.every((e) => e.camera_id === 2 && e.label === 'person')).toBe(true);
    expect(cam.body.total).toBe(ids.filter((_, i) => i % 2 && i % 3).length);
    const window = await call<{ total: number; items: EventDto[] }>(t, 'GET', `/api/events?from=${base + 60_000}&to=${base + 3 * 60_000}`);
    expect(window.body.items.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    const person = await call<{ total: number; items: EventDto[] }>(t, 'GET', '/api/events?person_id=7');
    expect(person.body.items.map((e) => e.id)).toEqual([ids[3]]);
    expect((await call(t, 'GET', '/api/events?limit=0')).status).toBe(422);
    expect((await call(t, 'GET', '/api/events?limit=501')).status).toBe(422);
    expect((await call(t, 'GET', '/api/events?from=notatime')).status).toBe(422);
    expect((await call(t, 'GET', '/api/events/999999')).status).toBe(404);
  });

  it('protects an event with PUT retain', async () => {
    const r = await call<EventDto>(t, 'PUT', `/api/events/${ids[0]}`, { retain: true });
    expect(r.status).toBe(200);
    expect(r.body.retain).toBe(true);
  });

  it('DELETE returns 204 and removes the clip, thumbnail and sprite files', async () => {
    const ev = (await call<{ items: EventDto[] }>(t, 'GET', '/api/events?label=motion')).body.items[0] as EventDto;
    const row = t.app.container.db.prepare('SELECT clip_path, thumb_path, sprite_path FROM events WHERE id = ?').get(ev.id) as Record<string, string>;
    const files = Object.values(row).map((p) => join(t.dataDir, p));
    expect(files.every((f) => existsSync(f))).toBe(true);
    const r = await t.req(`/api/events/${ev.id}`, { method: 'DELETE' });
    expect(r.status).toBe(204);
    expect(files.some((f) => existsSync(f))).toBe(false);
    expect((await call(t, 'GET', `/api/events/${ev.id}`)).status).toBe(404);
    expect((await t.req(`/api/events/${ev.id}`, { method: 'DELETE' })).status).toBe(404);
    expect(pushes.some((p) => p.name === 'event.deleted' && (p.payload as { event_ids: number[] }).event_ids.includes(ev.id))).toBe(true);
  });

  it('bulk-delete takes at most 1000 ids', async () => {
    expect((await call(t, 'POST', '/api/events/bulk-delete', { ids: Array.from({ length: 1001 }, (_, i) => i + 1) })).status).toBe(422);
    const r = await call<{ deleted: number }>(t, 'POST', '/api/events/bulk-delete', { ids: [ids[1], ids[2], 987654] });
    expect(r.body).toEqual({ deleted: 2 });
  });

  it('clear-all requires confirm (400) and honours camera/label filters', async () => {
    expect((await call(t, 'POST', '/api/events/clear-all', {})).status).toBe(400);
    expect((await call(t, 'POST', '/api/events/clear-all', { confirm: false })).status).toBe(400);
    const before = (await call<{ total: number }>(t, 'GET', '/api/events?camera_id=2&label=car')).body.total;
    expect(before).toBeGreaterThan(0);
    const r = await call<{ deleted: number }>(t, 'POST', '/api/events/clear-all', { confirm: true, camera_id: 2, label: 'car' });
    expect(r.body.deleted).toBe(before);
    expect((await call<{ total: number }>(t, 'GET', '/api/events?camera_id=2&label=car')).body.total).toBe(0);
    expect((await call<{ total: number }>(t, 'GET', '/api/events?camera_id=1&label=car')).body.total).toBeGreaterThan(0);
  });
});

describe('recordings', () => {
  it('coverage merges spans per camera; activity has motion and event density per bucket', async () => {
    const cov = await call<{ cameras: { camera_id: number; spans: [number, number][] }[] }>(t, 'GET', `/api/recordings/coverage?from=${t0 - 60_000}&to=${t0 + 60_000}`);
    expect(cov.status).toBe(200);
    expect(cov.body.cameras.find((c) => c.camera_id === 1)?.spans).toEqual([[t0, t0 + 12_000]]);
    expect(cov.body.cameras.find((c) => c.camera_id === 2)?.spans).toEqual([[t0, t0 + 4000]]);
    expect((await call(t, 'GET', `/api/recordings/coverage?from=${t0}&to=${t0 - 1}`)).status).toBe(400);
    await until('activity flushed', () => (t.app.container.db.prepare('SELECT COUNT(*) FROM motion_activity').pluck().get() as number) > 0, 5000);
    const act = await call<{ bucket_ms: number; cameras: { camera_id: number; motion: number[]; events: number[] }[] }>(t, 'GET', `/api/recordings/activity?camera_id=1&from=${t0 - 120_000}&to=${t0 + 120_000}&buckets=4`);
    expect(act.body.bucket_ms).toBe(60_000);
    const c1 = act.body.cameras[0] as { motion: number[]; events: number[] };
    expect(c1.motion.some((m) => m > 0)).toBe(true);
    expect(c1.events.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
  });

  it('serves an HLS VOD playlist over the segments that ffmpeg plays through without re-encoding', async () => {
    const r = await bytes(`/api/recordings/1/vod.m3u8?from=${t0}&to=${t0 + 12_000}`);
    expect(r.status).toBe(200);
    const text = r.body.toString();
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(text.match(/#EXTINF/g)).toHaveLength(6);
    const url = `${t.base}/api/recordings/1/vod.m3u8?from=${t0}&to=${t0 + 12_000}&token=${t.key}`;
    expect((await ffprobeAsync(url)).duration).toBeGreaterThan(10);
    expect((await bytes(`/api/recordings/1/vod.m3u8?from=${t0 - 100_000}&to=${t0 - 90_000}`)).status).toBe(404);
    expect((await bytes(`/api/recordings/1/segments/..%2F..%2Fvigil.db`)).status).toBe(400);
    const segId = /segments\/(\d+)\.ts/.exec(text)?.[1];
    expect((await bytes(`/api/recordings/2/segments/${segId}.ts`)).status).toBe(404);
    expect((await bytes(`/api/recordings/1/segments/${segId}.ts`, { range: 'bytes=0-187' })).status).toBe(206);
  });

  it('timeline hover: a frame JPEG at a time and a 1600×90 sprite for a range', async () => {
    const f = await bytes(`/api/recordings/1/frame?t=${t0 + 3000}&w=160`);
    expect(f.status).toBe(200);
    writeFileSync(join(t.dataDir, 'frame.jpg'), f.body);
    expect(ffprobe(join(t.dataDir, 'frame.jpg')).width).toBe(160);
    expect((await bytes(`/api/recordings/1/frame.jpg?ts=${t0 - 100_000}`)).status).toBe(404);
    const s = await bytes(`/api/recordings/1/sprite.jpg?from=${t0}&to=${t0 + 8000}`);
    expect(s.status).toBe(200);
    writeFileSync(join(t.dataDir, 'range-sprite.jpg'), s.body);
    expect(ffprobe(join(t.dataDir, 'range-sprite.jpg'))).toMatchObject({ width: 1600, height: 90 });
  });

  it('concurrent hovers over the same uncached range and second all get the JPEG (one shared render, no 500)', async () => {
    const sprites = await Promise.all([1, 2, 3].map(() => bytes(`/api/recordings/1/sprite.jpg?from=${t0 + 2000}&to=${t0 + 6000}`)));
    expect(sprites.map((r) => r.status)).toEqual([200, 200, 200]);
    const frames = await Promise.all([1, 2, 3].map(() => bytes(`/api/recordings/1/frame.jpg?ts=${t0 + 5000}&w=96`)));
    expect(frames.map((r) => r.status)).toEqual([200, 200, 200]);
    for (const r of [...sprites, ...frames]) expect(r.body.subarray(0, 2).toString('hex')).toBe('ffd8');
  });

  it('a fast scrub over many uncached seconds runs at most two frame renders at a time', async () => {
    let peak = 0;
    let sampling = true;
    const needle = join(t.dataDir, 'cache', 'frames', '1') + '/';
    const sampler = (async () => {
      while (sampling) {
        const out = await new Promise<string>((r) => execFile('ps', ['-eo', 'args'], (_e, so) => r(String(so ?? ''))));
        peak = Math.max(peak, out.split('\n').filter((l) => l.includes('ffmpeg') && l.includes(needle)).length);
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    const frames = await Promise.all(Array.from({ length: 8 }, (_, i) => bytes(`/api/recordings/1/frame.jpg?ts=${t0 + 500 + i * 1000}&w=${200 + i}`)));
    sampling = false;
    await sampler;
    expect(frames.map((r) => r.status)).toEqual(new Array(8).fill(200));
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('timeline hover over an indexed segment whose file is gone or undecodable answers 404, never 500', async () => {
    const cam = addCamera('Hover');
    const [broken, gone] = placeSegments(t.dataDir, cam, t0, 2) as [ClosedSegment, ClosedSegment];
    for (const s of [broken, gone]) t.app.container.ingest.emit('segment', s);
    await t.app.container.recording.indexer.flush();
    writeFileSync(broken.path, Buffer.alloc(4096, 7));
    unlinkSync(gone.path);
    for (const ts of [broken.start_ms + 500, gone.start_ms + 500]) {
      const r = await bytes(`/api/recordings/${cam}/frame.jpg?ts=${ts}&w=160`);
      expect(r.status).toBe(404);
      expect(JSON.parse(r.body.toString()).detail).toEqual(expect.any(String));
    }
    const s = await bytes(`/api/recordings/${cam}/sprite.jpg?from=${gone.start_ms}&to=${gone.end_ms}`);
    expect(s.status).toBe(404);
    const b = await bytes(`/api/recordings/${cam}/sprite.jpg?from=${broken.start_ms}&to=${broken.end_ms}`);
    expect(b.status).toBe(404);
    copyFileSync((segs[1] as ClosedSegment).path, gone.path);
  });

  it('exports a range to one MP4 with progress pushes and a manifest of source segment hashes', async () => {
    const r = await call<{ export_id: string; state: string }>(t, 'POST', '/api/recordings/export', { camera_id: 1, from: t0 + 1000, to: t0 + 7000 });
    expect(r.status).toBe(202);
    const done = await until('export done', async () => {
      const s = (await call<{ state: string; file_url: string | null; manifest: { segments: { path: string; sha256: string }[] } | null }>(t, 'GET', `/api/recordings/exports/${r.body.export_id}`)).body;
      return s.state === 'done' ? s : s.state === 'error' ? Promise.reject(new Error('export failed')) : null;
    });
    expect(done.manifest?.segments).toHaveLength(4);
    for (const s of done.manifest?.segments ?? []) expect(s.sha256).toBe(createHash('sha256').update(readFileSync(join(t.dataDir, s.path))).digest('hex'));
    const file = await bytes(done.file_url as string);
    expect(file.headers.get('content-disposition')).toMatch(/attachment/);
    writeFileSync(join(t.dataDir, 'export.mp4'), file.body);
    expect(ffprobe(join(t.dataDir, 'export.mp4')).duration).toBeGreaterThan(7);
    expect(pushes.some((p) => p.name === 'export.progress' && (p.payload as { state: string; percent: number }).state === 'done')).toBe(true);
    expect((await call(t, 'POST', '/api/recordings/export', { camera_id: 1, from: 1000, to: 2000 })).status).toBe(404);
    expect((await call(t, 'POST', '/api/recordings/export', { camera_id: 999, from: 1000, to: 2000 })).status).toBe(404);
    expect((await call(t, 'GET', '/api/recordings/exports/nope')).status).toBe(404);
    expect((await bytes('/api/recordings/exports/nope/file')).status).toBe(404);
  });
});

describe('exports with a segment file gone from disk', () => {
  it('exports the segments that exist, lists only those in the manifest and says what was skipped', async () => {
    const cam = addCamera('Gap');
    const placed = placeSegments(t.dataDir, cam, t0, 3);
    for (const s of placed) t.app.container.ingest.emit('segment', s);
    await t.app.container.recording.indexer.flush();
    unlinkSync((placed[1] as ClosedSegment).path);
    const r = await call<{ export_id: string }>(t, 'POST', '/api/recordings/export', { camera_id: cam, from: t0, to: t0 + 6000 });
    expect(r.status).toBe(202);
    const done = await until('export finished', async () => {
      const s = (await call<{ state: string; detail: string | null; file_url: string | null; manifest: { segments: { path: string }[] } | null }>(t, 'GET', `/api/recordings/exports/${r.body.export_id}`)).body;
      return s.state === 'done' || s.state === 'error' ? s : null;
    });
    expect(done.state).toBe('done');
    expect(done.detail).toMatch(/1 segment/);
    expect(done.manifest?.segments.map((x) => x.path)).toEqual([placed[0], placed[2]].map((x) => `segments/${(x as ClosedSegment).path.split('/segments/')[1]}`));
    const file = await bytes(done.file_url as string);
    writeFileSync(join(t.dataDir, 'gap-export.mp4'), file.body);
    expect(ffprobe(join(t.dataDir, 'gap-export.mp4')).duration).toBeGreaterThan(3.5);
    copyFileSync((segs[1] as ClosedSegment).path, (placed[1] as ClosedSegment).path);
  });
});

describe('storage and retention', () => {
  it('reports storage per camera with a forecast, and cleanup deletes old segments but keeps protected ones', async () => {
    const st = await call<{ total: { recordings_bytes: number; percent: number }; cameras: { camera_id: number; bytes: number; segments: number; bitrate_bps: number; forecast_days: number | null }[] }>(t, 'GET', '/api/storage');
    expect(st.status).toBe(200);
    const c1 = st.body.cameras.find((c) => c.camera_id === 1);
    expect(c1?.segments).toBe(6);
    expect(c1?.bitrate_bps).toBeGreaterThan(0);
    expect(c1?.forecast_days).toBeGreaterThan(0);
    const old = Date.now() - 40 * 86_400_000;
    const oldSegs = placeSegments(t.dataDir, 2, old, 2);
    for (const s of oldSegs) t.app.container.ingest.emit('segment', s);
    await t.app.container.recording.indexer.flush();
    const repo = new SqliteEventsRepository(t.app.container.db);
    const kept = repo.insert({ camera_id: 2, label: 'car', source: 'detection', score: 1, started_ms: old + 2500, ended_ms: old + 3000, last_ms: old + 3000, window_start_ms: old + 2500, window_end_ms: old + 3000, post_ms: 0, best_ms: null, boxes: '[]' });
    repo.update(kept, { retain: 1 });
    const r = await call<{ deleted_segments: number; freed_bytes: number }>(t, 'POST', '/api/storage/cleanup', {});
    expect(r.body.deleted_segments).toBe(1);
    expect(r.body.freed_bytes).toBe(oldSegs[0]?.bytes);
    expect(existsSync(oldSegs[0]?.path as string)).toBe(false);
    expect(existsSync(oldSegs[1]?.path as string)).toBe(true);
  });

  it('purges a camera: files first, then rows', async () => {
    await t.app.container.recording.purger.purgeCamera(2);
    expect(listFiles(join(t.dataDir, 'segments', '2'))).toEqual([]);
    expect(t.app.container.db.prepare('SELECT COUNT(*) FROM segments WHERE camera_id = 2').pluck().get()).toBe(0);
    expect(t.app.container.db.prepare('SELECT COUNT(*) FROM events WHERE camera_id = 2').pluck().get()).toBe(0);
    expect(t.app.container.db.prepare('SELECT COUNT(*) FROM coverage_spans WHERE camera_id = 2').pluck().get()).toBe(0);
  });
});

describe('crash recovery at start-up', () => {
  it('indexes completed segments missing from the DB, drops rows whose files are gone, removes temp files and closes open events', async () => {
    const c = t.app.container;
    const dir = t.dataDir;
    const extra = placeSegments(dir, 1, t0 + 12_000, 1)[0] as ClosedSegment;
    copyFileSync(extra.path, extra.path.replace(/\.ts$/, '-1.ts'));
    const gone = segs[5] as ClosedSegment;
    unlinkSync(gone.path);
    const partial = join(dir, 'segments', '1', 'incoming.ts.partial');
    writeFileSync(partial, 'half');
    const repo = new SqliteEventsRepository(c.db);
    const open = repo.insert({ camera_id: 1, label: 'motion', source: 'motion', score: 0.2, started_ms: t0, ended_ms: null, last_ms: t0 + 3000, window_start_ms: t0 - 1000, window_end_ms: null, post_ms: 1000, best_ms: t0 + 1000, boxes: '[]' });
    const report = await c.recording.recovery.run();
    expect(report).toMatchObject({ indexed: 2, dropped_rows: 1, closed_events: 1 });
    expect(report.removed_temp).toBeGreaterThanOrEqual(1);
    expect(existsSync(partial)).toBe(false);
    expect(c.db.prepare('SELECT end_ms - start_ms FROM segments WHERE path LIKE ?').pluck().get(`%/${extra.start_ms}.ts`)).toBeGreaterThan(1500);
    expect(repo.get(open)).toMatchObject({ ended_ms: t0 + 3000, window_end_ms: t0 + 4000 });
    expect(repo.open()).toEqual([]);
  });

  it('reconciles the whole archive in the background: old unindexed files and rows without files', async () => {
    const c = t.app.container;
    const old = placeSegments(t.dataDir, 1, t0 - 3 * 86_400_000, 2);
    const first = old[0] as ClosedSegment;
    c.ingest.emit('segment', first);
    await c.recording.indexer.flush();
    unlinkSync(first.path);
    const report = await c.recording.recovery.reconcile();
    expect(report).toMatchObject({ indexed: 1, dropped_rows: 1 });
    const paths = c.db.prepare('SELECT path FROM segments WHERE start_ms < ?').pluck().all(t0 - 86_400_000) as string[];
    expect(paths).toEqual([`segments/1/${(old[1] as ClosedSegment).path.split('/segments/1/')[1]}`]);
  });
});

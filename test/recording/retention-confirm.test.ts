// Retention changes need a confirmed preview; exports have their own limits and go before recordings (issue 8, items 2 and 5).
// real: app + fastify on 127.0.0.1:0, SQLite file, ffmpeg (exports), MPEG-TS segments on disk. mock: nothing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { call, until } from '../cameras/helpers';
import { planExportCleanup, previewDiff, planRetention, type RetentionPolicy } from '../../src-main/services/recording/retention-plan';
import type { ClosedSegment } from '../../src-main/ports/ingest.port';
import { placeSegments } from './media-helpers';

interface Preview {
  segments: number;
  bytes: number;
  events: number;
  at_least: boolean;
  cameras: { camera_id: number; camera_name: string; segments: number; bytes: number; oldest_kept: string | null }[];
}

let t: TestApp;
let camA: number;
let camB: number;
let segsA: ClosedSegment[];
const segCount = (cam: number) => t.app.container.db.prepare('SELECT COUNT(*) FROM segments WHERE camera_id = ?').pluck().get(cam) as number;

beforeAll(async () => {
  t = await startTestApp();
  camA = (await call<{ id: number }>(t, 'POST', '/api/cameras', { name: 'Gate', rtsp_url: 'pattern://testsrc2', enabled: false })).body.id;
  camB = (await call<{ id: number }>(t, 'POST', '/api/cameras', { name: 'Yard', rtsp_url: 'pattern://testsrc2', enabled: false })).body.id;
  const t0 = Date.now() - 3_600_000;
  segsA = placeSegments(t.dataDir, camA, t0, 6);
  for (const s of [...segsA, ...placeSegments(t.dataDir, camB, t0, 4)]) t.app.container.ingest.emit('segment', s);
  await t.app.container.recording.indexer.flush();
  // A protected event over camera A's first segment: no retention change may touch it.
  const db = t.app.container.db;
  const ev = db
    .prepare("INSERT INTO events (camera_id, label, source, score, started_ms, ended_ms, last_ms, window_start_ms, window_end_ms, post_ms, boxes, retain) VALUES (?, 'person', 'manual', 1, ?, ?, ?, ?, ?, 0, '[]', 1)")
    .run(camA, t0 + 100, t0 + 1500, t0 + 1500, t0 + 100, t0 + 1500).lastInsertRowid;
  expect(Number(ev)).toBeGreaterThan(0);
});

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
});

describe('a retention change that deletes recordings', () => {
  it('answers 409 with a per-camera preview and changes nothing until confirmed', async () => {
    const res = await call<{ detail: string; preview: Preview }>(t, 'PUT', '/api/settings', { retention_max_days: 0.01 });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/would delete 9 recorded segment\(s\).*"confirm": true/);
    const p = res.body.preview;
    expect(p.segments).toBe(9);
    expect(p.at_least).toBe(false);
    expect(p.cameras.map((c) => [c.camera_name, c.segments])).toEqual([
      ['Gate', 5],
      ['Yard', 4],
    ]);
    // Gate keeps its protected first segment; Yard keeps nothing.
    expect(p.cameras[0]?.oldest_kept).toBe(new Date(segsA[0]!.start_ms).toISOString());
    expect(p.cameras[1]?.oldest_kept).toBeNull();
    expect(p.bytes).toBeGreaterThan(0);
    expect((await call<{ retention_max_days: number }>(t, 'GET', '/api/settings')).body.retention_max_days).toBe(30);
    await call(t, 'POST', '/api/storage/cleanup', {});
    expect(segCount(camA)).toBe(6);
    expect(segCount(camB)).toBe(4);
  });

  it('the 1 % disk limit of the probe is refused the same way', async () => {
    const res = await call<{ preview: Preview }>(t, 'PUT', '/api/settings', { retention_max_percent: 1 });
    expect(res.status).toBe(409);
    expect(res.body.preview.segments).toBe(9);
    expect(segCount(camA) + segCount(camB)).toBe(10);
  });

  it('counts footage under an open event: it is kept only until the event closes', async () => {
    const db = t.app.container.db;
    const first = db.prepare('SELECT MIN(start_ms) FROM segments WHERE camera_id = ?').pluck().get(camB) as number;
    const open = Number(
      db
        .prepare("INSERT INTO events (camera_id, label, source, score, started_ms, ended_ms, last_ms, window_start_ms, window_end_ms, post_ms, boxes) VALUES (?, 'person', 'detection', 1, ?, NULL, ?, ?, NULL, 0, '[]')")
        .run(camB, first, first, first).lastInsertRowid,
    );
    try {
      const res = await call<{ preview: Preview }>(t, 'PUT', `/api/cameras/${camB}`, { retention_max_days: 0.01 });
      expect(res.status).toBe(409);
      expect(res.body.preview.cameras).toEqual([expect.objectContaining({ camera_id: camB, segments: 4 })]);
    } finally {
      db.prepare('DELETE FROM events WHERE id = ?').run(open);
    }
  });

  it('a per-camera change is previewed for that camera only', async () => {
    const res = await call<{ preview: Preview }>(t, 'PUT', `/api/cameras/${camB}`, { retention_max_days: 0.01 });
    expect(res.status).toBe(409);
    expect(res.body.preview.cameras.map((c) => [c.camera_id, c.segments])).toEqual([[camB, 4]]);
    const mode = await call<{ preview: Preview }>(t, 'PUT', `/api/cameras/${camA}`, { recording_mode: 'off' });
    expect(mode.status).toBe(409);
    expect(mode.body.preview.cameras).toEqual([expect.objectContaining({ camera_id: camA, segments: 5 })]);
    expect((await call<{ recording_mode: string }>(t, 'GET', `/api/cameras/${camA}`)).body.recording_mode).toBe('continuous');
    // A change that deletes nothing needs no confirmation.
    expect((await call(t, 'PUT', `/api/cameras/${camA}`, { retention_max_days: 365 })).status).toBe(200);
  });

  it('applies when resent with confirm: true, and never touches the protected segment', async () => {
    const res = await call<{ retention_max_days: number }>(t, 'PUT', `/api/cameras/${camB}`, { retention_max_days: 0.01, confirm: true });
    expect(res.status).toBe(200);
    const set = await call<{ retention_max_days: number }>(t, 'PUT', '/api/settings', { retention_max_days: 0.01, confirm: true });
    expect(set.status).toBe(200);
    expect(set.body.retention_max_days).toBe(0.01);
    await call(t, 'POST', '/api/storage/cleanup', {});
    expect(segCount(camB)).toBe(0);
    expect(segCount(camA)).toBe(1);
    expect(existsSync(segsA[0]!.path)).toBe(true);
  });
});

describe('exports', () => {
  it('are listed with their size, counted in storage, deletable, and removed by their own age limit', async () => {
    await call(t, 'PUT', '/api/settings', { retention_max_days: 30, confirm: true });
    const s = placeSegments(t.dataDir, camA, Date.now() - 60_000, 3);
    for (const x of s) t.app.container.ingest.emit('segment', x);
    await t.app.container.recording.indexer.flush();
    const mk = async () => {
      const r = await call<{ export_id: string }>(t, 'POST', '/api/recordings/export', { camera_id: camA, from: s[0]!.start_ms, to: s[2]!.end_ms });
      expect(r.status).toBe(202);
      return until('export done', async () => {
        const st = await call<{ state: string; bytes: number | null }>(t, 'GET', `/api/recordings/exports/${r.body.export_id}`);
        return st.body.state === 'done' ? { id: r.body.export_id, bytes: st.body.bytes as number } : null;
      });
    };
    const a = await mk();
    const b = await mk();
    expect(a.bytes).toBeGreaterThan(10_000);
    const list = await call<{ total: number; items: { export_id: string; bytes: number; created_at: string }[] }>(t, 'GET', '/api/recordings/exports');
    expect(list.body.total).toBe(2);
    expect(list.body.items.map((i) => i.export_id)).toEqual([b.id, a.id]);
    const storage = await call<{ total: { exports_bytes: number }; exports: { count: number; bytes: number } }>(t, 'GET', '/api/storage');
    expect(storage.body.exports).toMatchObject({ count: 2, bytes: a.bytes + b.bytes });
    expect(storage.body.total.exports_bytes).toBe(a.bytes + b.bytes);

    expect((await call(t, 'DELETE', `/api/recordings/exports/${a.id}`)).status).toBe(204);
    expect(existsSync(join(t.dataDir, 'exports', `${a.id}.mp4`))).toBe(false);
    expect((await call(t, 'GET', `/api/recordings/exports/${a.id}`)).status).toBe(404);

    const before = segCount(camA);
    expect((await call(t, 'PUT', '/api/settings', { exports_max_days: 1 })).status).toBe(200);
    t.app.container.db.prepare("UPDATE exports SET created_at = '2000-01-01T00:00:00.000Z' WHERE id = ?").run(b.id);
    const cleaned = await call<{ deleted_exports: number; deleted_segments: number }>(t, 'POST', '/api/storage/cleanup', {});
    expect(cleaned.body).toMatchObject({ deleted_exports: 1, deleted_segments: 0 });
    expect(existsSync(join(t.dataDir, 'exports', `${b.id}.mp4`))).toBe(false);
    expect(segCount(camA)).toBe(before);
  });
});

describe('pure plans', () => {
  it('exports are removed by age, by size cap and then as much of the disk excess as they cover, oldest first', () => {
    const ex = [
      { id: 'old', bytes: 100, created_ms: 0 },
      { id: 'mid', bytes: 300, created_ms: 50 },
      { id: 'new', bytes: 300, created_ms: 99 },
    ];
    expect(planExportCleanup(ex, { now_ms: 100, max_days: null, max_gb: null }, 0)).toEqual({ ids: [], bytes: 0 });
    expect(planExportCleanup(ex, { now_ms: 86_400_000 + 10, max_days: 1, max_gb: null }, 0).ids).toEqual(['old']);
    expect(planExportCleanup(ex, { now_ms: 100, max_days: null, max_gb: 500 / 1e9 }, 0).ids).toEqual(['old', 'mid']);
    expect(planExportCleanup(ex, { now_ms: 100, max_days: null, max_gb: null }, 350).ids).toEqual(['old', 'mid']);
    expect(planExportCleanup(ex, { now_ms: 100, max_days: null, max_gb: null }, 10_000)).toEqual({ ids: ['old', 'mid', 'new'], bytes: 700 });
  });

  it('a preview counts only what the new policy adds to the current one', () => {
    const segs = [0, 1, 2, 3].map((i) => ({ id: i + 1, camera_id: 1, start_ms: i * 1000, end_ms: i * 1000 + 1000, bytes: 10 }));
    const base: RetentionPolicy = { now_ms: 10_000, warm_ms: 0, max_days: null, max_gb: null, max_percent: 99, cameras: { 1: { mode: 'continuous', max_days: null, max_gb: 25 / 1e9 } } };
    const disk = { total_bytes: 0, free_bytes: 0 };
    const before = planRetention(segs, [], base, disk);
    expect(before.segments.map((s) => s.id)).toEqual([1, 2]);
    const after = planRetention(segs, [], { ...base, cameras: { 1: { mode: 'continuous', max_days: null, max_gb: 5 / 1e9 } } }, disk);
    expect(previewDiff(segs, before, after)).toEqual({ segments: 2, bytes: 20, events: 0, cameras: [{ camera_id: 1, segments: 2, bytes: 20, oldest_kept_ms: null }] });
    expect(previewDiff(segs, before, before).segments).toBe(0);
  });
});

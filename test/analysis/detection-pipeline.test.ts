// The whole detection pipeline on the street video: file camera → ffmpeg sized frames → worker (NanoDet) → tracker → events.
// real: app over HTTP on 127.0.0.1:0, SQLite, ffmpeg ingest (H.264 copy of vtest.avi looped), the analysis worker with the
// shipped NanoDet model, sharp for pixel checks. mock: nothing.
import { dirname } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { call, until } from '../cameras/helpers';
import { h264Fixture } from '../support/rtsp-server';
import type { EventDto } from '../../src-main/shared/contract/events.contract';
import type { WorkerAnalysisEngine } from '../../src-main/workers/analysis/analysis-engine';
import type { PushMessage } from '../../src-main/shared/push-events';

let t: TestApp;
let street: number;
let dogs: number;
const pushes: PushMessage[] = [];

beforeAll(async () => {
  const clip = h264Fixture(20);
  t = await startTestApp({ args: ['--media-dir', dirname(clip)] });
  t.app.container.bus.subscribe((m) => pushes.push(m));
  await call(t, 'PUT', '/api/settings', { segment_seconds: 2, analysis_fps: 4 });
  const tuning = { pre_seconds: 1, post_seconds: 2, min_trigger_frames: 2, max_event_seconds: 10, detect_interval: 0, motion_enabled: false };
  street = (await call<{ id: number }>(t, 'POST', '/api/cameras', { name: 'Street', rtsp_url: clip, ...tuning })).body.id;
  // NanoDet also sees the cars parked at the top of this scene; no dog ever walks through it.
  dogs = (await call<{ id: number }>(t, 'POST', '/api/cameras', { name: 'Dogs only', rtsp_url: clip, ...tuning, trigger_classes: 'dog' })).body.id;
}, 60_000);

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
});

async function rgb(jpeg: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Mean absolute channel difference of two same-size images inside [x0,x1)×[y0,y1). */
function meanDiff(a: Buffer, b: Buffer, width: number, x0: number, y0: number, x1: number, y1: number): number {
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++)
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 3 + c;
        sum += Math.abs((a[i] as number) - (b[i] as number));
        n++;
      }
  return n ? sum / n : 0;
}

describe('detection on the street video', () => {
  it('reports the detector in the camera status and pushes live detections with track ids', async () => {
    const status = await until('detector figures', async () => {
      const s = (await call<{ detector: { model: string; analysed_frames: number; latency_ms: number | null } | null }>(t, 'GET', `/api/cameras/${street}/status`)).body;
      return s.detector && s.detector.analysed_frames > 3 && s.detector.latency_ms !== null ? s.detector : null;
    }, 60_000, 500);
    expect(status.model).toBe('nanodet-m-416-coco');
    const people = (p: PushMessage) => (p.payload as { detections: { label: string }[] }).detections.filter((d) => d.label === 'person').length;
    const live = await until('a push with people', () => pushes.find((p) => p.name === 'detections' && (p.payload as { camera_id: number }).camera_id === street && people(p) >= 2), 30_000, 250);
    const dets = (live.payload as { detections: { label: string; track_id: number; box: number[]; score: number }[] }).detections;
    expect(dets.filter((d) => d.label === 'person').length).toBeGreaterThanOrEqual(2);
    expect(dets.every((d) => Number.isInteger(d.track_id) && d.box.length === 4 && d.score >= 0.45)).toBe(true);
    expect(new Set(dets.map((d) => d.track_id)).size).toBe(dets.length);
    const sys = (await call<{ backend: { detector: string; onnx_providers: string[]; models: { name: string; status: string; active: boolean }[] } }>(t, 'GET', '/api/system')).body.backend;
    expect(sys.detector).toBe('nanodet-m-416-coco');
    expect(sys.onnx_providers).toContain('cpu');
    expect(sys.models.find((m) => m.active)).toMatchObject({ name: 'nanodet-m-416-coco', status: 'ok' });
  });

  it('the live snapshot has the current boxes drawn on it; ?annotated=0 is the raw frame', async () => {
    const pair = await until('an annotated snapshot', async () => {
      const analysis = t.app.container.analysis;
      const cur = analysis.current(street);
      if (!cur || cur.boxes.length === 0) return null;
      const [a, r] = await Promise.all([t.req(`/api/live/${street}/snapshot`), t.req(`/api/live/${street}/snapshot?annotated=0`)]);
      const ta = a.headers.get('x-frame-timestamp');
      if (ta !== r.headers.get('x-frame-timestamp')) return null;
      const annotated = Buffer.from(await a.arrayBuffer());
      const raw = Buffer.from(await r.arrayBuffer());
      // A detector result landing between the two reads would change the boxes: only a quiet pair is compared.
      if (analysis.current(street)?.ts !== cur.ts) return null;
      // The boxes as drawn on this frame: moved along their tracks to the frame's time.
      const drawn = analysis.current(street, Number(ta));
      return annotated.equals(raw) || !drawn ? null : { annotated, raw, boxes: drawn.boxes };
    }, 30_000, 200);
    const A = await rgb(pair.annotated);
    const R = await rgb(pair.raw);
    expect([A.width, A.height]).toEqual([R.width, R.height]);
    const b = pair.boxes[0]!.box;
    const x = Math.round(b[0] * A.width);
    const y0 = Math.round(b[1] * A.height);
    const y1 = Math.round((b[1] + b[3]) * A.height);
    // Along the box's left edge the pixels changed a lot; far from every box they are the same frame.
    const edge = meanDiff(A.data, R.data, A.width, Math.max(0, x - 1), y0, Math.min(A.width, x + 2), y1);
    expect(edge).toBeGreaterThan(25);
    const whole = meanDiff(A.data, R.data, A.width, 0, 0, A.width, A.height);
    expect(whole).toBeLessThan(edge / 3);
  });

  it('opens person events with every tracked object, and a thumbnail with the main object boxed', async () => {
    const ev = await until('a finished person event', async () => {
      const list = (await call<{ items: EventDto[] }>(t, 'GET', `/api/events?camera_id=${street}`)).body.items;
      return list.find((e) => !e.open && e.source === 'detection' && e.thumbnail_url && e.clip_url);
    }, 90_000, 1000);
    expect(ev.label).toBe('person');
    expect(ev.score).toBeGreaterThan(0.45);
    expect(ev.objects.length).toBeGreaterThanOrEqual(2);
    const ids = ev.objects.map((o) => o.track_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const o of ev.objects) {
      expect(o.label).toBe('person');
      expect(Date.parse(o.last_seen)).toBeGreaterThanOrEqual(Date.parse(o.first_seen));
      expect(o.box.every((v) => v >= -0.05 && v <= 1.05)).toBe(true);
    }
    expect(ev.objects[0]!.best_score).toBe(Math.max(...ev.objects.map((o) => o.best_score)));
    const thumb = Buffer.from(await (await t.req(ev.thumbnail_url as string)).arrayBuffer());
    const T = await rgb(thumb);
    const main = ev.boxes.find((bx) => bx.track_id === ev.objects[0]!.track_id);
    if (!main) throw new Error('the best frame has no box of the main object');
    const [nx, ny, , nh] = main.box;
    const px = Math.round(nx * T.width);
    // The person class colour (#3fb950) along the main object's left edge.
    let green = 0;
    let samples = 0;
    for (let y = Math.round((ny + nh * 0.2) * T.height); y < Math.round((ny + nh * 0.8) * T.height); y += 2) {
      samples++;
      for (let dx = -2; dx <= 2; dx++) {
        const xx = Math.min(T.width - 1, Math.max(0, px + dx));
        const i = (y * T.width + xx) * 3;
        const [r, g, b2] = [T.data[i]!, T.data[i + 1]!, T.data[i + 2]!];
        if (g > 140 && g > r + 60 && g > b2 + 50) {
          green++;
          break;
        }
      }
    }
    expect(green / samples).toBeGreaterThan(0.7);
  });

  it('a camera whose trigger_classes excludes person opens no event on the same video', async () => {
    const st = (await call<{ detector: { analysed_frames: number } | null }>(t, 'GET', `/api/cameras/${dogs}/status`)).body;
    expect(st.detector?.analysed_frames ?? 0).toBeGreaterThan(5);
    expect(pushes.some((p) => p.name === 'detections' && (p.payload as { camera_id: number; detections: unknown[] }).camera_id === dogs && (p.payload as { detections: unknown[] }).detections.length > 0)).toBe(true);
    const list = (await call<{ total: number; items: unknown[] }>(t, 'GET', `/api/events?camera_id=${dogs}`)).body;
    expect(list.total).toBe(0);
  });

  it('the analysis worker killed mid-stream is restarted, and recording never stops', async () => {
    const engine = t.app.container.engine as WorkerAnalysisEngine;
    const segs = () => t.app.container.db.prepare('SELECT COUNT(*) FROM segments WHERE camera_id = ?').pluck().get(street) as number;
    const before = segs();
    const analysedBefore = engine.stats(street)?.frames_analysed ?? 0;
    engine.worker.kill('test kill');
    await until('the worker back with its model', () => engine.status().state === 'ready' && engine.status().restarts >= 1 && engine.activeModel()?.name === 'nanodet-m-416-coco', 30_000, 200);
    await until('frames analysed again', () => (engine.stats(street)?.frames_analysed ?? 0) > analysedBefore + 3, 30_000, 250);
    await until('new segments', () => segs() > before + 1, 60_000, 500);
    expect(engine.status().last_crash).toBe('test kill');
    // A restart reloads the detector and the face models; on a loaded 2-core machine that alone can take tens of seconds.
  }, 150_000);
});

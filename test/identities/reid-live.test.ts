// Re-identification on the whole app: two file cameras with reid_enabled play the same street clip, the second
// colour-shifted and 25 s later, so each walker crosses camera A, then camera B. Their finished tracks become
// sightings with crops and evidence, and identities link across the two cameras. real: app over HTTP on 127.0.0.1:0,
// SQLite, ffmpeg ingest, the analysis worker (NanoDet, appearance histograms, body crops cut from the searched frame). mock: nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { call, until } from '../cameras/helpers';
import { CAMERA_B_FILTER, VTEST } from './reid-fixture';

let t: TestApp;
let media: string;

/** 22 s of walkers (vtest 28–50 s) and 25 s of grey, in that order for camera A and the other way round (colour-shifted) for B. */
function clip(dir: string, name: string, walkersFirst: boolean, filter: string | null): string {
  const out = join(dir, name);
  const walk = `[0]trim=start=28:end=50,setpts=PTS-STARTPTS,fps=10${filter ? `,${filter}` : ''},format=yuv420p,setsar=1[w]`;
  const grey = '[1]format=yuv420p,setsar=1[g]';
  const order = walkersFirst ? '[w][g]' : '[g][w]';
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', VTEST, '-f', 'lavfi', '-t', '25', '-i', 'color=gray:s=768x576:r=10', '-filter_complex', `${walk};${grey};${order}concat=n=2:v=1[v]`, '-map', '[v]', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '10', out]);
  if (r.status !== 0) throw new Error(`could not make ${name}: ${r.stderr?.toString()}`);
  return out;
}

let a: string;
let b: string;

beforeAll(async () => {
  media = mkdtempSync(join(tmpdir(), 'vigil-reid-media-'));
  a = clip(media, 'gate-a.mp4', true, null);
  b = clip(media, 'gate-b.mp4', false, CAMERA_B_FILTER);
  t = await startTestApp({ args: ['--media-dir', media] });
  await call(t, 'PUT', '/api/settings', { segment_seconds: 2, analysis_fps: 4 });
}, 120_000);

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
  if (media) removeDir(media);
});

interface IdentityItem {
  id: number;
  num_sightings: number;
  cameras: (number | { id: number })[];
}

describe('live re-identification across two cameras', () => {
  it('turns finished tracks into sightings with crops and evidence, and links a walker across both cameras', async () => {
    const tuning = { reid_enabled: true, detect_interval: 0, motion_enabled: false, min_trigger_frames: 2, post_seconds: 2, pre_seconds: 1 };
    const camA = (await call<{ id: number }>(t, 'POST', '/api/cameras', { name: 'Gate A', rtsp_url: a, ...tuning })).body.id;
    const camB = (await call<{ id: number }>(t, 'POST', '/api/cameras', { name: 'Gate B', rtsp_url: b, ...tuning })).body.id;
    const camId = (c: number | { id: number }): number => (typeof c === 'number' ? c : c.id);

    const crossing = await until(
      'an identity seen on both cameras',
      async () => (await call<{ items: IdentityItem[] }>(t, 'GET', '/api/identities?limit=500')).body.items.find((i) => new Set(i.cameras.map(camId)).size >= 2),
      150_000,
      1000,
    );
    const cams = new Set(crossing.cameras.map(camId));
    expect(cams.has(camA) && cams.has(camB)).toBe(true);

    // Its sightings say how each was linked; the cross-camera one is an appearance (or face) link with a readable reason.
    const sightings = (await call<{ items: { id: number; camera_id: number; link_kind?: string; link?: { kind: string; detail: string } }[] }>(t, 'GET', `/api/identities/${crossing.id}/sightings`)).body.items;
    expect(sightings.length).toBeGreaterThanOrEqual(2);
    const kinds = sightings.map((s) => s.link?.kind ?? s.link_kind);
    expect(kinds).toContain('new');
    expect(kinds.some((k) => k === 'appearance' || k === 'face')).toBe(true);
    const linked = sightings.find((s) => (s.link?.kind ?? s.link_kind) !== 'new');
    expect(JSON.stringify(linked)).toMatch(/Gate [AB]/);

    // Crops are served (a just-stored sighting's crop lands a moment after its row).
    const thumb = await until('the sighting crop', async () => {
      const r = await t.req(`/api/identities/sightings/${sightings[0]?.id}/thumbnail`);
      return r.status === 200 ? r : null;
    }, 10_000, 250);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    // Cut from the frame the walker was seen in: a standing person's box, at most 320 px.
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(meta.height).toBeGreaterThan(meta.width ?? 0);
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBeLessThanOrEqual(320);
    const stats = t.app.container.identities.capture.stats();
    expect(stats.sightings).toBeGreaterThanOrEqual(2);
    expect(stats.failed).toBe(0);
  }, 240_000);
});

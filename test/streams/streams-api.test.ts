// The Streams family over real HTTP on the real app (container wiring, the analysis worker with NanoDet, SQLite, Argon2):
// create a policy and a stream over the contract, pair with the code, post real JPEG frames with the right and wrong
// tokens, pause, reuse a code, and the documented routes are in OpenAPI. mock: nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestApp, type TestApp } from '../foundation/app-harness';
import { call } from '../cameras/helpers';

const PEOPLE = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'people');
let t: TestApp;

const frame = (token: string | null, data: Buffer, type = 'image/jpeg', field = 'frame'): RequestInit & { auth: boolean } => {
  const fd = new FormData();
  fd.append(field, new Blob([new Uint8Array(data)], { type }), 'frame.jpg');
  return { method: 'POST', body: fd, auth: false, headers: token ? { 'x-stream-token': token } : {} };
};

beforeAll(async () => {
  t = await startTestApp();
}, 120_000);

afterAll(async () => {
  await t?.stop();
  if (t) removeDir(t.dataDir);
});

describe('Streams family over HTTP', () => {
  it('documents the reference routes and the management routes', async () => {
    const doc = (await call<{ paths: Record<string, Record<string, unknown>> }>(t, 'GET', '/openapi.json')).body;
    for (const [path, method] of [
      ['/api/v1/streams/pair', 'post'],
      ['/api/v1/streams/{id}/frame', 'post'],
      ['/api/v1/streams', 'get'],
      ['/api/v1/streams', 'post'],
      ['/api/v1/streams/{id}', 'put'],
      ['/api/v1/streams/{id}/pairing-code', 'post'],
      ['/api/v1/policies', 'post'],
      ['/api/v1/policies/{id}', 'delete'],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    // Management needs a credential; pairing and frames carry their own.
    expect((await t.req('/api/v1/streams', { auth: false })).status).toBe(401);
  });

  it('create → pair → frames: a person is compliant with "person required", wrong token 401, paused 409, reused code 410, not a JPEG 415, no frame part 422', async () => {
    const policy = await call<{ id: string }>(t, 'POST', '/api/v1/policies', { name: 'Person present', rules: { require: ['person'], min_confidence: 0.4 } });
    expect(policy.status).toBe(201);
    const created = await call<{ id: string; paired: boolean; pairing: { code: string; expires_at: string; qr_svg: string } }>(t, 'POST', '/api/v1/streams', { name: 'Kiosk', policy_id: policy.body.id });
    expect(created.status).toBe(201);
    expect(created.body.paired).toBe(false);
    expect(created.body.pairing.qr_svg).toContain('<svg');
    const id = created.body.id;

    const pair = await t.req('/api/v1/streams/pair', { method: 'POST', auth: false, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: created.body.pairing.code }) });
    expect(pair.status).toBe(200);
    const { stream_token: token, stream_id, policy_id } = (await pair.json()) as { stream_token: string; stream_id: string; policy_id: string };
    expect({ stream_id, policy_id }).toEqual({ stream_id: id, policy_id: policy.body.id });
    const again = await t.req('/api/v1/streams/pair', { method: 'POST', auth: false, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: created.body.pairing.code }) });
    expect(again.status).toBe(410);
    expect(((await again.json()) as { detail: string }).detail).toMatch(/already used/);
    expect((await call(t, 'GET', `/api/v1/streams/${id}`)).body).toMatchObject({ paired: true });
    expect(JSON.stringify((await call(t, 'GET', `/api/v1/streams/${id}`)).body)).not.toMatch(/hash|argon/);

    const jesper = readFileSync(join(PEOPLE, 'jesper.jpg'));
    const ok = await t.req(`/api/v1/streams/${id}/frame`, frame(token, jesper));
    expect(ok.status).toBe(200);
    const v = (await ok.json()) as { is_compliant: boolean; detections: { label: string }[]; reasons: string[]; frame_id: string; latency_ms: number };
    expect(v).toMatchObject({ is_compliant: true, reasons: [] });
    expect(v.detections.some((d) => d.label === 'person')).toBe(true);
    const snow = (await (await t.req(`/api/v1/streams/${id}/frame`, frame(token, readFileSync(join(PEOPLE, 'snow.jpg'))))).json()) as { is_compliant: boolean; reasons: string[] };
    expect(snow).toMatchObject({ is_compliant: false, reasons: ['required "person" not found'] });

    expect((await t.req(`/api/v1/streams/${id}/frame`, frame('vai_strm_wrong', jesper))).status).toBe(401);
    expect((await t.req(`/api/v1/streams/${id}/frame`, frame(null, jesper))).status).toBe(401);
    expect((await t.req(`/api/v1/streams/${id}/frame`, frame(token, await sharp(jesper).png().toBuffer(), 'image/png'))).status).toBe(415);
    expect((await t.req(`/api/v1/streams/${id}/frame`, frame(token, jesper, 'image/jpeg', 'file'))).status).toBe(422);
    expect((await t.req(`/api/v1/streams/${id}/frame`, { method: 'POST', auth: false, headers: { 'x-stream-token': token, 'content-type': 'image/jpeg' }, body: new Uint8Array(jesper) })).status).toBe(415);
    expect((await t.req('/api/v1/streams/not-a-uuid/frame', frame(token, jesper))).status).toBe(404);

    expect((await call(t, 'PUT', `/api/v1/streams/${id}`, { status: 'paused' })).status).toBe(200);
    const paused = await t.req(`/api/v1/streams/${id}/frame`, frame(token, jesper));
    expect(paused.status).toBe(409);
    expect(((await paused.json()) as { detail: string }).detail).toMatch(/paused/);
    expect((await call(t, 'DELETE', `/api/v1/policies/${policy.body.id}`)).status).toBe(409);
  }, 90_000);

  it('a stream is a camera: it is listed with kind push, and its pushed frames are recorded into segments', async () => {
    await call(t, 'PUT', '/api/settings', { segment_seconds: 2 });
    const s = (await call<{ id: string; camera_id: number; pairing: { code: string } }>(t, 'POST', '/api/v1/streams', { name: 'Bay 3' })).body;
    expect(s.camera_id).toBeGreaterThan(0);
    const cam = (await call<{ name: string; source_kind: string; status: string }>(t, 'GET', `/api/cameras/${s.camera_id}`)).body;
    expect(cam).toMatchObject({ name: 'Bay 3', source_kind: 'push' });
    const token = ((await (await t.req('/api/v1/streams/pair', { method: 'POST', auth: false, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: s.pairing.code }) })).json()) as { stream_token: string }).stream_token;
    const jpeg = await sharp(join(PEOPLE, 'jesper.jpg')).resize(640, 360, { fit: 'cover' }).jpeg().toBuffer();
    const t0 = Date.now();
    const deadline = t0 + 60_000;
    let spans: [number, number][] = [];
    while (Date.now() < deadline) {
      expect((await t.req(`/api/v1/streams/${s.id}/frame`, frame(token, jpeg))).status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
      const cov = (await call<{ cameras: { camera_id: number; spans: [number, number][] }[] }>(t, 'GET', `/api/recordings/coverage?camera_id=${s.camera_id}&from=${t0 - 60_000}&to=${Date.now() + 60_000}`)).body;
      spans = cov.cameras.find((c) => c.camera_id === s.camera_id)?.spans ?? [];
      if (spans.length && spans.reduce((a, [x, y]) => a + (y - x), 0) >= 2000) break;
    }
    expect(spans.reduce((a, [x, y]) => a + (y - x), 0)).toBeGreaterThanOrEqual(2000);
    expect((await call<{ status: string }>(t, 'GET', `/api/cameras/${s.camera_id}`)).body.status).toBe('online');
  }, 90_000);

  it('refuses a frame over 8 MiB with 413 without reading it all', async () => {
    const s = (await call<{ id: string; pairing: { code: string } }>(t, 'POST', '/api/v1/streams', { name: 'Big' })).body;
    const token = ((await (await t.req('/api/v1/streams/pair', { method: 'POST', auth: false, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: s.pairing.code }) })).json()) as { stream_token: string }).stream_token;
    const huge = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(9 * 1024 * 1024)]);
    const r = await t.req(`/api/v1/streams/${s.id}/frame`, frame(token, huge)).catch((e: unknown) => e as Error);
    // The server answers 413 and closes the connection; a client may see the answer or the reset.
    if (r instanceof Response) expect(r.status).toBe(413);
    expect((await call(t, 'GET', `/api/v1/streams/${s.id}`)).body).toMatchObject({ last_frame_at: null });
  }, 60_000);
});

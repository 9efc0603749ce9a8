// Streams service on real parts: a SQLite file, Argon2id token hashes, QR codes, libvips decoding and the analysis
// worker running NanoDet on real photos (a person: compliant with "person required"; a snowy landscape: not).
// real: everything. mock: nothing (the clock is injected to expire a pairing code).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/repositories/db/database';
import { silentLogger } from '../../src-main/repositories/logger';
import { SqliteStreamsRepository } from '../../src-main/repositories/streams.repository';
import { NodeStreamsCryptoRepository } from '../../src-main/repositories/streams-crypto.repository';
import { SharpImageRepository } from '../../src-main/repositories/image/image.repository';
import { SharpImageHeaderRepository } from '../../src-main/repositories/image-header.repository';
import { WorkerAnalysisEngine } from '../../src-main/workers/analysis/analysis-engine';
import { StreamsService } from '../../src-main/services/streams/streams.service';
import { EngineFrameDetector } from '../../src-main/services/streams/frame-detector';
import { PAIRING_TTL_MS } from '../../src-main/services/streams/pairing';
import { ApiError } from '../../src-main/shared/errors';
import { BUNDLED_MODELS } from '../analysis/vtest-frames';

const PEOPLE = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'people');
const jpeg = (name: string) => ({ mimetype: 'image/jpeg', data: readFileSync(join(PEOPLE, name)) });

let dir: string;
let db: Db;
let engine: WorkerAnalysisEngine;
let svc: StreamsService;
let clock = Date.now();
let correlation = 0;
let verifications = 0;

/** The error a call rejects with, as {status, code}. */
async function refusal(p: Promise<unknown>): Promise<{ status: number; code: string | undefined; detail: unknown }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return { status: e.status, code: e.code, detail: e.detail };
    throw e;
  }
  throw new Error('expected a refusal');
}

/** Offset of the main frame header (SOF0/SOF2) found by walking the marker segments (an EXIF thumbnail has its own). */
function frameHeader(b: Buffer): number {
  let i = 2;
  while (i + 4 < b.length && b[i] === 0xff) {
    const marker = b[i + 1] as number;
    if (marker === 0xc0 || marker === 0xc2) return i;
    i += 2 + b.readUInt16BE(i + 2);
  }
  throw new Error('no frame header');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-streams-'));
  db = openDatabase({ file: join(dir, 'vigil.db') });
  engine = new WorkerAnalysisEngine({ modelDirs: [{ path: BUNDLED_MODELS, origin: 'bundled' }], log: silentLogger(), model: 'nanodet-m-416-coco' });
  await engine.start();
  const crypto = new NodeStreamsCryptoRepository();
  const counting = Object.assign(Object.create(crypto) as NodeStreamsCryptoRepository, {
    verifyToken: (h: string, t: string) => {
      verifications++;
      return crypto.verifyToken(h, t);
    },
  });
  const image = new SharpImageRepository();
  svc = new StreamsService({
    repo: new SqliteStreamsRepository(db),
    crypto: counting,
    detector: new EngineFrameDetector(engine, image),
    image: new SharpImageHeaderRepository(),
    correlationMs: () => correlation,
    now: () => clock,
    log: silentLogger(),
  });
}, 60_000);

afterAll(async () => {
  await engine?.stop();
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('streams service', () => {
  it('pairs once with a code (QR too), verifies frames with the real detector against "person required", and remembers verified tokens', async () => {
    const policy = svc.createPolicy({ name: 'Person at the kiosk', rules: { require: ['person'], forbid: [], min_confidence: 0.4 } });
    expect(policy.id).toMatch(/^pol_/);
    const s = await svc.create({ name: 'Kiosk', policy_id: policy.id, location: 'Bay 3' });
    expect(s).toMatchObject({ name: 'Kiosk', status: 'active', paired: false, policy_id: policy.id, location: 'Bay 3' });
    expect(s.pairing.code).toMatch(/^[A-Z2-9]{10}$/);
    expect(Date.parse(s.pairing.expires_at) - clock).toBe(PAIRING_TTL_MS);
    expect(JSON.stringify(svc.get(s.id))).not.toContain('hash');

    // Not paired yet: 401.
    expect(await refusal(svc.verifyFrame(s.id, 'vai_strm_x', jpeg('jesper.jpg')))).toMatchObject({ status: 401, code: 'invalid_stream_token' });
    const paired = await svc.pair(s.pairing.code.toLowerCase());
    expect(paired).toMatchObject({ stream_id: s.id, policy_id: policy.id });
    expect(paired.stream_token).toMatch(/^vai_strm_[A-Za-z0-9_-]{43}$/);
    const stored = db.prepare('SELECT token_hash FROM streams WHERE id = ?').pluck().get(s.id) as string;
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(stored).not.toContain(paired.stream_token);
    expect(await refusal(svc.pair(s.pairing.code))).toMatchObject({ status: 410, code: 'pairing_code_used' });
    expect(await refusal(svc.pair('NOPE234567'))).toMatchObject({ status: 404, code: 'pairing_code_unknown' });

    // A person: compliant, with the detection; the first frame pays one Argon2 verification, the next none.
    verifications = 0;
    const ok = await svc.verifyFrame(s.id, paired.stream_token, jpeg('jesper.jpg'));
    expect(ok).toMatchObject({ is_compliant: true, policy_id: policy.id, reasons: [], stream_id: s.id, correlation: null });
    expect(ok.detections.some((d) => d.label === 'person' && d.confidence >= 0.4)).toBe(true);
    expect(ok.latency_ms).toBeGreaterThan(0);
    const snow = await svc.verifyFrame(s.id, paired.stream_token, jpeg('snow.jpg'));
    expect(snow).toMatchObject({ is_compliant: false, reasons: ['required "person" not found'] });
    expect(verifications).toBe(1);
    expect(svc.get(s.id).last_frame_at).toBe(new Date(clock).toISOString());
    expect(db.prepare('SELECT COUNT(*) FROM stream_verifications WHERE stream_id = ?').pluck().get(s.id)).toBe(2);

    // Wrong or missing token: 401. Re-pairing replaces the token: the old one stops working.
    expect(await refusal(svc.verifyFrame(s.id, `${paired.stream_token}x`, jpeg('jesper.jpg')))).toMatchObject({ status: 401 });
    expect(await refusal(svc.verifyFrame(s.id, undefined, jpeg('jesper.jpg')))).toMatchObject({ status: 401 });
    const code2 = await svc.pairingCode(s.id);
    expect(code2.qr_svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    const again = await svc.pair(code2.code);
    expect(await refusal(svc.verifyFrame(s.id, paired.stream_token, jpeg('jesper.jpg')))).toMatchObject({ status: 401 });
    expect((await svc.verifyFrame(s.id, again.stream_token, jpeg('jesper.jpg'))).is_compliant).toBe(true);
  }, 60_000);

  it('refuses paused and archived streams (409, which), non-JPEGs (415) and a decompression bomb from its header (413), recording nothing', async () => {
    const s = await svc.create({ name: 'Gate' });
    const { stream_token: token } = await svc.pair(s.pairing.code);
    const before = db.prepare('SELECT COUNT(*) FROM stream_verifications').pluck().get();
    svc.update(s.id, { status: 'paused' });
    expect(await refusal(svc.verifyFrame(s.id, token, jpeg('jesper.jpg')))).toMatchObject({ status: 409, code: 'stream_paused' });
    svc.update(s.id, { status: 'archived' });
    expect(await refusal(svc.verifyFrame(s.id, token, jpeg('jesper.jpg')))).toMatchObject({ status: 409, code: 'stream_archived' });
    svc.update(s.id, { status: 'active' });
    const png = await sharp(join(PEOPLE, 'jesper.jpg')).png().toBuffer();
    expect(await refusal(svc.verifyFrame(s.id, token, { mimetype: 'image/png', data: png }))).toMatchObject({ status: 415 });
    expect(await refusal(svc.verifyFrame(s.id, token, { mimetype: 'image/jpeg', data: png }))).toMatchObject({ status: 415 });
    // A real JPEG whose frame header claims 30000×30000: refused before a single pixel is decoded.
    const bomb = Buffer.from(readFileSync(join(PEOPLE, 'jesper.jpg')));
    const sof = frameHeader(bomb);
    bomb.writeUInt16BE(30000, sof + 5);
    bomb.writeUInt16BE(30000, sof + 7);
    expect(await refusal(svc.verifyFrame(s.id, token, { mimetype: 'image/jpeg', data: bomb }))).toMatchObject({ status: 413, code: 'frame_too_large' });
    expect(await refusal(svc.verifyFrame('7b7b7b7b-0000-4000-8000-000000000000', token, jpeg('jesper.jpg')))).toMatchObject({ status: 404 });
    expect(db.prepare('SELECT COUNT(*) FROM stream_verifications').pluck().get()).toBe(before);
    // No policy: every frame is compliant (nothing to verify against), detections still reported.
    const free = await svc.verifyFrame(s.id, token, jpeg('jesper.jpg'));
    expect(free).toMatchObject({ is_compliant: true, policy_id: null, reasons: [] });
  }, 60_000);

  it('an expired code answers 410; a policy in use cannot be deleted (409)', async () => {
    const p = svc.createPolicy({ name: 'Cars', rules: { require: ['car'], forbid: [], min_confidence: 0.5 } });
    const s = await svc.create({ name: 'Lot', policy_id: p.id });
    clock += PAIRING_TTL_MS + 1;
    expect(await refusal(svc.pair(s.pairing.code))).toMatchObject({ status: 410, code: 'pairing_code_expired' });
    expect(await refusal(Promise.resolve().then(() => svc.deletePolicy(p.id)))).toMatchObject({ status: 409, code: 'policy_in_use' });
    svc.update(s.id, { policy_id: null });
    svc.deletePolicy(p.id);
    expect(await refusal(Promise.resolve().then(() => svc.getPolicy(p.id)))).toMatchObject({ status: 404 });
    expect(await refusal(svc.create({ name: 'x', policy_id: 'pol_missing' }))).toMatchObject({ status: 400, code: 'policy_not_found' });
  });

  it('with correlation on, frames of one group inside the window make one decision over both views', async () => {
    correlation = 2000;
    const p = svc.createPolicy({ name: 'Someone at the gate', rules: { require: ['person'], forbid: [], min_confidence: 0.4 } });
    const front = await svc.create({ name: 'Front', policy_id: p.id, group_id: 'gate-1' });
    const rear = await svc.create({ name: 'Rear', policy_id: p.id, group_id: 'gate-1' });
    const tf = (await svc.pair(front.pairing.code)).stream_token;
    const tr = (await svc.pair(rear.pairing.code)).stream_token;
    const a = await svc.verifyFrame(front.id, tf, jpeg('snow.jpg'));
    expect(a).toMatchObject({ is_compliant: false, correlation: { group_id: 'gate-1', frames: 1, stream_ids: [front.id] } });
    clock += 500;
    const b = await svc.verifyFrame(rear.id, tr, jpeg('jesper.jpg'));
    expect(b).toMatchObject({ is_compliant: true, correlation: { decision_id: a.correlation!.decision_id, frames: 2, stream_ids: [front.id, rear.id] } });
    clock += 2500;
    const c = await svc.verifyFrame(front.id, tf, jpeg('snow.jpg'));
    expect(c.correlation!.decision_id).not.toBe(a.correlation!.decision_id);
    expect(c.is_compliant).toBe(false);
    correlation = 0;
  }, 60_000);
});

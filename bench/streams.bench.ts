// Streams: a 1080p JPEG pushed frame verified end to end (token, checks, decode, NanoDet, policy, log) with 1 and 4
// concurrent streams, against the bare detector call on the same frame in the same run. Goal: p95 ≤ 150 ms.
import { join } from 'node:path';
import sharp from 'sharp';
import type { BenchRow } from './bench-util';
import { percentile, tempDir } from './bench-util';
import { openDatabase } from '../src-main/repositories/db/database';
import { silentLogger } from '../src-main/repositories/logger';
import { SqliteStreamsRepository } from '../src-main/repositories/streams.repository';
import { NodeStreamsCryptoRepository } from '../src-main/repositories/streams-crypto.repository';
import { SharpImageRepository } from '../src-main/repositories/image/image.repository';
import { SharpImageHeaderRepository } from '../src-main/repositories/image-header.repository';
import { WorkerAnalysisEngine } from '../src-main/workers/analysis/analysis-engine';
import { StreamsService } from '../src-main/services/streams/streams.service';
import { EngineFrameDetector } from '../src-main/services/streams/frame-detector';

const REPO = join(import.meta.dirname, '..');
const PEOPLE = join(REPO, '..', 'shared', 'fixtures', 'people');
const FRAMES = 40;

export async function run(): Promise<BenchRow[]> {
  const t = tempDir('vigil-bench-streams-');
  const db = openDatabase({ file: join(t.dir, 'vigil.db') });
  const engine = new WorkerAnalysisEngine({ modelDirs: [{ path: join(REPO, 'resources', 'models'), origin: 'bundled' }], log: silentLogger(), model: 'nanodet-m-416-coco' });
  await engine.start();
  try {
    const image = new SharpImageRepository();
    const detector = new EngineFrameDetector(engine, image);
    const svc = new StreamsService({ repo: new SqliteStreamsRepository(db), crypto: new NodeStreamsCryptoRepository(), detector, image: new SharpImageHeaderRepository(), correlationMs: () => 0, now: Date.now, log: silentLogger() });
    const frame = await sharp(join(PEOPLE, 'jesper.jpg')).resize(1920, 1080, { fit: 'cover' }).jpeg({ quality: 85 }).toBuffer();
    const policy = svc.createPolicy({ name: 'person', rules: { require: ['person'], forbid: [], min_confidence: 0.4 } });
    const streams = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const s = await svc.create({ name: `s${i}`, policy_id: policy.id });
        return { id: s.id, token: (await svc.pair(s.pairing.code)).stream_token };
      }),
    );
    // Warm-up: the first frames pay the model's first inference and the token's one Argon2 check.
    for (const s of streams) await svc.verifyFrame(s.id, s.token, { mimetype: 'image/jpeg', data: frame });

    const bare: number[] = [];
    for (let i = 0; i < FRAMES; i++) {
      const t0 = performance.now();
      await detector.detect(frame);
      bare.push(performance.now() - t0);
    }
    const timed = async (n: number): Promise<number[]> => {
      const lat: number[] = [];
      await Promise.all(
        streams.slice(0, n).map(async (s) => {
          for (let i = 0; i < FRAMES / n; i++) {
            const t0 = performance.now();
            const r = await svc.verifyFrame(s.id, s.token, { mimetype: 'image/jpeg', data: frame });
            lat.push(performance.now() - t0);
            if (!r.is_compliant) throw new Error('the person frame was not compliant');
          }
        }),
      );
      return lat;
    };
    const one = await timed(1);
    const four = await timed(4);
    const p95bare = percentile(bare, 95);
    return [
      { name: 'detector only, 1080p JPEG: p95', value: p95bare, unit: 'ms', note: `p50 ${percentile(bare, 50).toFixed(1)} ms` },
      { name: 'frame verified, 1 stream: p95', value: percentile(one, 95), unit: 'ms', baseline: p95bare, ratio: percentile(one, 95) / p95bare, note: `p50 ${percentile(one, 50).toFixed(1)} ms; goal ≤ 150 ms` },
      { name: 'frame verified, 4 concurrent streams: p95', value: percentile(four, 95), unit: 'ms', baseline: p95bare, ratio: percentile(four, 95) / p95bare, note: `p50 ${percentile(four, 50).toFixed(1)} ms; queueing on one detector` },
    ];
  } finally {
    await engine.stop();
    db.close();
    t.remove();
  }
}

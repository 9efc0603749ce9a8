// Bench: GET /api/events (with filters) p50/p95 over HTTP on the real app at 10k and 100k events.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../src-main/app/config';
import { startApp } from '../src-main/app/lifecycle';
import { ms, now, percentile, printRows, tempDir, type BenchRow } from './bench-util';

const REQUESTS = 300;
const LABELS = ['person', 'car', 'motion', 'dog', 'manual'];

export async function run(): Promise<BenchRow[]> {
  const t = tempDir('vigil-bench-events-');
  const config = parseConfig(['--data-dir', t.dir, '--port', '0', '--no-demo'], {}, { resourcesDir: join(t.dir, 'res'), rendererDir: null, electron: null });
  const app = await startApp(config, { logStdout: false });
  const db = app.container.db;
  const key = app.container.auth.keyInfo().api_key;
  const base = `http://127.0.0.1:${app.container.port()}`;
  const rows: BenchRow[] = [];
  try {
    const cam = db.prepare("INSERT INTO cameras (name, source_kind, url_enc, enabled) VALUES (?, 'file', x'00', 0)");
    for (let c = 1; c <= 8; c++) cam.run(`cam${c}`);
    const ins = db.prepare(
      "INSERT INTO events (camera_id, camera_name, label, source, score, started_ms, ended_ms, last_ms, window_start_ms, window_end_ms, boxes, clip_path, thumb_path) VALUES (?, ?, ?, 'detection', 0.8, ?, ?, ?, ?, ?, '[{\"label\":\"person\",\"score\":0.8,\"box\":[0.1,0.1,0.2,0.4]}]', ?, ?)",
    );
    const end = Date.UTC(2026, 10, 1);
    let seeded = 0;
    const seed = (target: number) => {
      db.transaction(() => {
        for (; seeded < target; seeded++) {
          const c = (seeded % 8) + 1;
          const s = end - seeded * 26_000;
          ins.run(c, `cam${c}`, LABELS[seeded % LABELS.length], s, s + 20_000, s + 20_000, s - 5000, s + 30_000, `clips/${c}/${seeded}.mp4`, `thumbs/${c}/${seeded}.jpg`);
        }
      })();
    };
    const queries = (n: number) => {
      const span = n * 26_000;
      return [
        () => '/api/events',
        () => `/api/events?camera_id=${1 + Math.floor(Math.random() * 8)}&limit=100`,
        () => `/api/events?label=${LABELS[Math.floor(Math.random() * LABELS.length)]}&offset=${Math.floor(Math.random() * 500)}`,
        () => {
          const from = end - Math.floor(Math.random() * span);
          return `/api/events?from=${new Date(from).toISOString()}&to=${new Date(from + 86_400_000).toISOString()}&camera_id=3`;
        },
      ];
    };
    for (const n of [10_000, 100_000]) {
      seed(n);
      const qs = queries(n);
      const times: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const path = (qs[i % qs.length] as () => string)();
        const t0 = now();
        const r = await fetch(base + path, { headers: { authorization: `Bearer ${key}` } });
        await r.arrayBuffer();
        times.push(ms(t0));
        if (r.status !== 200) throw new Error(`${path} → ${r.status}`);
      }
      rows.push({ name: `GET /api/events p50 @ ${n / 1000}k events`, value: percentile(times, 50), unit: 'ms', note: `${REQUESTS} requests, mixed filters` });
      rows.push({ name: `GET /api/events p95 @ ${n / 1000}k events`, value: percentile(times, 95), unit: 'ms' });
    }
    return rows;
  } finally {
    await app.stop();
    t.remove();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void run().then(printRows);

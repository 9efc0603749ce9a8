// Bench runner: `tsx bench/index.ts [case...]` runs the registered cases (all by default) and prints one table.
import { pathToFileURL } from 'node:url';
import type { BenchRow } from './bench-util';

export interface BenchCase {
  name: string;
  /** One line shown by --list. */
  doc: string;
  run: () => Promise<BenchRow[]>;
}

/**
 * The registry. To add a case: write `bench/<name>.bench.ts` exporting `run(): Promise<BenchRow[]>` and add one line here.
 * Modules load lazily, so one broken case cannot stop the others.
 */
export const CASES: BenchCase[] = [
  { name: 'ingest', doc: 'N RTSP cameras nobody watches: recording + live copy + 2 fps analysis, CPU vs bare ffmpeg (and vs the old always-on JPEG), snapshot time, time to first frame', run: async () => (await import('./ingest.bench')).run() },
  { name: 'live', doc: '8 recording-only 1080p cameras (analysis off) CPU vs bare ffmpeg -c copy; one camera watched by 1/4/16 MJPEG viewers (one decoder)', run: async () => (await import('./live.bench')).run() },
  { name: 'scale', doc: '32 RTSP cameras at 1080p15 recording + keyframe motion through the whole app, 2 s and 1 s GOP: % of the machine vs bare ffmpeg (copy; copy + keyframe decode), segments lost, event-loop p99', run: async () => (await import('./scale.bench')).run() },
  { name: 'latency', doc: 'glass-to-glass live latency of a clock camera read in Chromium: MSE (the renderer player) and live HLS (hls.js low-latency mode)', run: async () => (await import('./latency.bench')).run() },
  { name: 'clip', doc: '60 s event clip assembly vs bare ffmpeg concat', run: async () => (await import('./clip.bench')).run() },
  { name: 'coverage', doc: '30-day x 8-camera coverage query', run: async () => (await import('./coverage.bench')).run() },
  { name: 'events', doc: 'GET /api/events latency at 10k/100k events', run: async () => (await import('./events.bench')).run() },
  { name: 'detector', doc: 'NanoDet throughput through the analysis worker vs raw onnxruntime-node, same frames, same process', run: async () => (await import('./detector.bench')).run() },
  { name: 'analysis', doc: 'N street cameras analysed at 5 fps: drops, event-loop p99, frame→detections and frame→event-open latency', run: async () => (await import('./analysis.bench')).run() },
  { name: 'faces', doc: 'faces/s through detect → align → embed in the analysis worker (1080p person boxes, photos) and the share outside ONNX', run: async () => (await import('./faces.bench')).run() },
  { name: 'face-index', doc: 'face search p50/p95 and recall@10 vs exact at 100k/1M clustered 128-d vectors; face-group clustering at 2000 samples', run: async () => (await import('./face-index.bench')).run() },
  { name: 'identities', doc: 'identity linking per sighting (candidates / decide / store, loop block) at 10k/100k identities; GET /api/identities and /analytics p50/p95 at 100k sightings', run: async () => (await import('./identities.bench')).run() },
  { name: 'streams', doc: 'pushed 1080p JPEG verified end to end (token, checks, decode, NanoDet, policy) at 1 and 4 concurrent streams vs the bare detector', run: async () => (await import('./streams.bench')).run() },
  { name: 'timeline-draw', doc: 'timeline per-frame draw input', run: async () => (await import('./timeline-draw.bench')).run() },
];

function table(rows: (BenchRow & { case: string })[]): string {
  const head = ['case', 'metric', 'value', 'unit', 'baseline', 'ratio', 'note'];
  const body = rows.map((r) => [
    r.case,
    r.name,
    fmt(r.value),
    r.unit,
    r.baseline === undefined ? '' : fmt(r.baseline),
    r.ratio === undefined ? '' : r.ratio.toFixed(2),
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 || i === 4 || i === 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3));

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--list')) {
    for (const c of CASES) process.stdout.write(`${c.name.padEnd(16)} ${c.doc}\n`);
    return 0;
  }
  const wanted = argv.filter((a) => !a.startsWith('-'));
  const unknown = wanted.filter((w) => !CASES.some((c) => c.name === w));
  if (unknown.length) {
    process.stderr.write(`unknown bench case(s): ${unknown.join(', ')}; known: ${CASES.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  const selected = wanted.length ? CASES.filter((c) => wanted.includes(c.name)) : CASES;
  const rows: (BenchRow & { case: string })[] = [];
  let failed = 0;
  for (const c of selected) {
    const t0 = Date.now();
    process.stderr.write(`bench ${c.name}...\n`);
    try {
      for (const r of await c.run()) rows.push({ ...r, case: c.name });
      process.stderr.write(`bench ${c.name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    } catch (e) {
      failed++;
      process.stderr.write(`bench ${c.name} FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    }
  }
  process.stdout.write(table(rows) + '\n');
  return failed ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main(process.argv.slice(2)).then((code) => process.exit(code));

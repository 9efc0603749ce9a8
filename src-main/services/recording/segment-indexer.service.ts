// Indexes every closed segment from the ingest bus (SHA-256 at close) and lets clip assembly wait for coverage.
import type { ClosedSegment, IngestSource } from '../../ports/ingest.port';
import type { SegmentsRepository } from '../../repositories/segments.repository';
import type { MediaFilesRepository } from '../../repositories/media-files.repository';
import type { MediaToolsRepository } from '../../repositories/ffmpeg/media-tools.repository';
import type { Logger } from '../../repositories/logger';

export class SegmentIndexer {
  private queue: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<{ camera: number; ts: number; resolve: () => void }>();
  private readonly afterIndex = new Set<(s: ClosedSegment) => void>();
  private off: (() => void) | null = null;

  constructor(
    private readonly segments: SegmentsRepository,
    private readonly files: MediaFilesRepository,
    private readonly tools: MediaToolsRepository,
    private readonly log: Logger,
  ) {}

  attach(ingest: IngestSource): void {
    this.off = ingest.on('segment', (s) => this.enqueue(s));
  }

  enqueue(s: ClosedSegment): Promise<void> {
    this.queue = this.queue.then(() => this.index(s)).catch((err: unknown) => this.log.error({ err, path: s.path }, 'segment indexing failed'));
    return this.queue;
  }

  onIndexed(fn: (s: ClosedSegment) => void): () => void {
    this.afterIndex.add(fn);
    return () => this.afterIndex.delete(fn);
  }

  /** Resolves once camera has a segment ending at or after ts, or after timeoutMs. */
  waitFor(camera: number, ts: number, timeoutMs: number): Promise<boolean> {
    if ((this.segments.latestEnd(camera) ?? -Infinity) >= ts) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = { camera, ts, resolve: () => resolve(true) };
      this.waiters.add(w);
      setTimeout(() => {
        if (this.waiters.delete(w)) resolve(false);
      }, timeoutMs).unref();
    });
  }

  /** Resolves when everything enqueued so far is indexed. */
  flush(): Promise<void> {
    return this.queue;
  }

  detach(): void {
    this.off?.();
    this.off = null;
  }

  private async index(s: ClosedSegment): Promise<void> {
    const rel = this.files.toRelative(s.path);
    const size = this.files.size(rel);
    if (size === null) return;
    const sha256 = await this.tools.sha256(this.files.resolve(rel));
    this.segments.insert({ camera_id: s.camera_id, path: rel, start_ms: s.start_ms, end_ms: Math.max(s.end_ms, s.start_ms), bytes: size, codec: s.codec, width: s.width, height: s.height, sha256 });
    for (const w of [...this.waiters]) {
      if (w.camera === s.camera_id && s.end_ms >= w.ts) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
    for (const fn of this.afterIndex) fn(s);
  }
}

// In-process fan-out of one camera ingest: workers emit into it (IngestSink), recording and analysis listen (IngestSource).
import type { IngestListeners, IngestSink, IngestSource } from '../ports/ingest.port';

export class IngestBus implements IngestSink, IngestSource {
  private readonly l: { [K in keyof IngestListeners]: Set<IngestListeners[K]> } = { segment: new Set(), analysis: new Set(), face: new Set() };

  on<K extends keyof IngestListeners>(kind: K, fn: IngestListeners[K]): () => void {
    (this.l[kind] as Set<IngestListeners[K]>).add(fn);
    return () => (this.l[kind] as Set<IngestListeners[K]>).delete(fn);
  }

  emit<K extends keyof IngestListeners>(kind: K, payload: Parameters<IngestListeners[K]>[0]): void {
    for (const fn of this.l[kind] as Set<(p: typeof payload) => void>) fn(payload);
  }
}

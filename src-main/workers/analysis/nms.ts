// Pure greedy non-maximum suppression over decoder candidates, class-aware: boxes of different classes never suppress each other.

/** A decoded box in input pixels, before NMS. */
export interface Candidate {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  cls: number;
}

export function candidateIou(a: Candidate, b: Candidate): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  if (iw <= 0) return 0;
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

export interface NmsOptions {
  iou: number;
  maxOut: number;
  /** Only the best this many candidates enter NMS (bounds the work when a threshold is set low). */
  preTopK?: number;
}

/** Highest score first; a box is dropped when it overlaps a kept box of the same class by more than `iou`. */
export function nms(candidates: readonly Candidate[], o: NmsOptions): Candidate[] {
  const sorted = candidates.filter((c) => c.x2 > c.x1 && c.y2 > c.y1 && Number.isFinite(c.score)).sort((a, b) => b.score - a.score);
  if (o.preTopK !== undefined && sorted.length > o.preTopK) sorted.length = o.preTopK;
  const kept: Candidate[] = [];
  const byClass = new Map<number, Candidate[]>();
  for (const c of sorted) {
    let same = byClass.get(c.cls);
    if (same?.some((k) => candidateIou(k, c) > o.iou)) continue;
    if (!same) byClass.set(c.cls, (same = []));
    same.push(c);
    kept.push(c);
    if (kept.length >= o.maxOut) break;
  }
  return kept;
}

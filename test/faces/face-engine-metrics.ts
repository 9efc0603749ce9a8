// Verification metrics over genuine (same person) and impostor (different people) similarity scores: ROC AUC, EER, TAR at a FAR.

export interface Verification {
  genuine: number;
  impostor: number;
  auc: number;
  eer: number;
  /** Per FAR target: the similarity a pair must exceed, and the share of genuine pairs that do. */
  at: { far: number; threshold: number; tar: number; false_accepts: number }[];
}

/** P(genuine > impostor) + ½ P(tie), the Mann–Whitney form of the area under the ROC curve. */
export function rocAuc(genuine: readonly number[], impostor: readonly number[]): number {
  const all = [...genuine.map((s) => ({ s, g: 1 })), ...impostor.map((s) => ({ s, g: 0 }))].sort((a, b) => a.s - b.s);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && (all[j] as { s: number }).s === (all[i] as { s: number }).s) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if ((all[k] as { g: number }).g) rankSum += avgRank;
    i = j;
  }
  const n1 = genuine.length;
  const n0 = impostor.length;
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * n0);
}

/** Equal error rate: over every candidate threshold, the point where FAR and FRR are closest (their mean there). */
export function equalErrorRate(genuine: readonly number[], impostor: readonly number[]): number {
  const ts = [...new Set([...genuine, ...impostor])].sort((a, b) => a - b);
  let best = { gap: Infinity, eer: 1 };
  for (const t of [...ts, Infinity]) {
    const far = impostor.filter((s) => s >= t).length / impostor.length;
    const frr = genuine.filter((s) => s < t).length / genuine.length;
    const gap = Math.abs(far - frr);
    if (gap < best.gap) best = { gap, eer: (far + frr) / 2 };
  }
  return best.eer;
}

/**
 * The threshold for a false-accept rate: at most ⌊far·N⌋ impostor pairs may score above it. With fewer than 1/far
 * impostor pairs that is none, so the threshold is the highest impostor score (the set cannot resolve a lower FAR).
 */
export function tarAtFar(genuine: readonly number[], impostor: readonly number[], far: number): { threshold: number; tar: number; false_accepts: number } {
  const imp = [...impostor].sort((a, b) => b - a);
  const allowed = Math.floor(far * imp.length);
  const threshold = imp[allowed] ?? -Infinity;
  return { threshold, tar: genuine.filter((s) => s > threshold).length / genuine.length, false_accepts: imp.filter((s) => s > threshold).length };
}

export function verification(genuine: readonly number[], impostor: readonly number[], fars: readonly number[]): Verification {
  return {
    genuine: genuine.length,
    impostor: impostor.length,
    auc: rocAuc(genuine, impostor),
    eer: equalErrorRate(genuine, impostor),
    at: fars.map((far) => ({ far, ...tarAtFar(genuine, impostor, far) })),
  };
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

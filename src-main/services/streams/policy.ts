// Pure policy evaluation for pushed frames: required and forbidden classes, minimum confidence, zones and counts.
import type { Box } from '../../ports/analysis-engine.port';

export type Point = [number, number];

export interface PolicyZone {
  name: string;
  /** Normalised polygon in the frame (at least three points). */
  polygon: Point[];
}

export interface PolicyRules {
  /** Each class must be present (at least `counts[class].min`, default 1). */
  require: string[];
  /** None of these classes may be present. */
  forbid: string[];
  /** Detections below this confidence are ignored. */
  min_confidence: number;
  /** When given, only detections whose box centre lies in one of the zones count. */
  zones?: PolicyZone[];
  /** Per-class bounds on how many may be present. */
  counts?: Record<string, { min?: number; max?: number }>;
}

export interface FrameDetection {
  label: string;
  confidence: number;
  /** Normalised [x, y, w, h]. */
  box: Box;
}

export interface PolicyVerdict {
  is_compliant: boolean;
  reasons: string[];
  /** The detections that counted (confident enough and inside a zone when zones are set). */
  counted: FrameDetection[];
}

/** Ray casting: whether p lies inside the polygon (points on an edge may go either way). */
export function inPolygon(p: Point, poly: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i] as Point;
    const [xj, yj] = poly[j] as Point;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const centre = (b: Box): Point => [b[0] + b[2] / 2, b[1] + b[3] / 2];

export function evaluatePolicy(rules: PolicyRules, detections: readonly FrameDetection[]): PolicyVerdict {
  const counted = detections.filter((d) => d.confidence >= rules.min_confidence && (!rules.zones?.length || rules.zones.some((z) => inPolygon(centre(d.box), z.polygon))));
  const n = new Map<string, number>();
  for (const d of counted) n.set(d.label, (n.get(d.label) ?? 0) + 1);
  const where = rules.zones?.length ? ` in ${rules.zones.map((z) => z.name).join(' / ')}` : '';
  const reasons: string[] = [];
  for (const cls of rules.require) {
    const min = Math.max(1, rules.counts?.[cls]?.min ?? 1);
    const have = n.get(cls) ?? 0;
    if (have < min) reasons.push(have === 0 ? `required "${cls}" not found${where}` : `required "${cls}": ${have} found, at least ${min} needed${where}`);
  }
  for (const cls of rules.forbid) {
    const have = n.get(cls) ?? 0;
    if (have > 0) reasons.push(`forbidden "${cls}" present${where} (${have})`);
  }
  for (const [cls, b] of Object.entries(rules.counts ?? {})) {
    const have = n.get(cls) ?? 0;
    if (!rules.require.includes(cls) && b.min !== undefined && have < b.min) reasons.push(`"${cls}": ${have} found, at least ${b.min} needed${where}`);
    if (b.max !== undefined && have > b.max) reasons.push(`"${cls}": ${have} found, at most ${b.max} allowed${where}`);
  }
  return { is_compliant: reasons.length === 0, reasons, counted };
}

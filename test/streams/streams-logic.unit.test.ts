// Pure streams logic: policy verdicts (require, forbid, confidence, zones, counts), group correlation and pairing codes.
import { describe, expect, it } from 'vitest';
import { evaluatePolicy, inPolygon, type FrameDetection, type PolicyRules } from '../../src-main/services/streams/policy';
import { decisionDetections, joinDecision } from '../../src-main/services/streams/correlation';
import { CODE_LENGTH, codeState, normaliseCode, pairingCode, PAIRING_TTL_MS } from '../../src-main/services/streams/pairing';

const det = (label: string, confidence: number, box: [number, number, number, number] = [0.1, 0.1, 0.2, 0.2]): FrameDetection => ({ label, confidence, box });
const rules = (r: Partial<PolicyRules>): PolicyRules => ({ require: [], forbid: [], min_confidence: 0.5, ...r });

describe('evaluatePolicy', () => {
  it('requires and forbids classes above the confidence floor', () => {
    expect(evaluatePolicy(rules({ require: ['person'] }), [det('person', 0.8)])).toMatchObject({ is_compliant: true, reasons: [] });
    expect(evaluatePolicy(rules({ require: ['person'] }), [det('person', 0.3)])).toMatchObject({ is_compliant: false, reasons: ['required "person" not found'], counted: [] });
    expect(evaluatePolicy(rules({ require: ['person'], forbid: ['dog'] }), [det('person', 0.9), det('dog', 0.6), det('dog', 0.7)]).reasons).toEqual(['forbidden "dog" present (2)']);
    expect(evaluatePolicy(rules({}), []).is_compliant).toBe(true);
  });

  it('counts only detections whose centre is in a zone, and names the zone', () => {
    const gate = { name: 'gate', polygon: [[0.5, 0], [1, 0], [1, 1], [0.5, 1]] as [number, number][] };
    const r = rules({ require: ['car'], zones: [gate] });
    expect(evaluatePolicy(r, [det('car', 0.9, [0.1, 0.1, 0.2, 0.2])]).reasons).toEqual(['required "car" not found in gate']);
    expect(evaluatePolicy(r, [det('car', 0.9, [0.6, 0.1, 0.2, 0.2])]).is_compliant).toBe(true);
    expect(inPolygon([0.75, 0.5], gate.polygon)).toBe(true);
    expect(inPolygon([0.25, 0.5], gate.polygon)).toBe(false);
  });

  it('applies per-class counts', () => {
    const r = rules({ require: ['person'], counts: { person: { min: 2, max: 3 }, car: { max: 0 }, bus: { min: 1 } } });
    expect(evaluatePolicy(r, [det('person', 0.9)]).reasons).toEqual(['required "person": 1 found, at least 2 needed', '"bus": 0 found, at least 1 needed']);
    const four = Array.from({ length: 4 }, () => det('person', 0.9));
    expect(evaluatePolicy(r, [...four, det('car', 0.9), det('bus', 0.9)]).reasons).toEqual(['"person": 4 found, at most 3 allowed', '"car": 1 found, at most 0 allowed']);
  });
});

describe('joinDecision', () => {
  let n = 0;
  const id = () => `d${++n}`;
  it('joins frames of one group inside the window into one decision over every stream, and opens a new one after', () => {
    const a = joinDecision(undefined, { group_id: 'g', stream_id: 'front', frame_id: 'f1', now_ms: 1000, detections: [det('car', 0.9)] }, 2000, id);
    expect(a.joined).toBe(false);
    const b = joinDecision(a.decision, { group_id: 'g', stream_id: 'rear', frame_id: 'f2', now_ms: 2500, detections: [det('person', 0.9)] }, 2000, id);
    expect(b).toMatchObject({ joined: true, decision: { decision_id: a.decision.decision_id, frame_ids: ['f1', 'f2'], stream_ids: ['front', 'rear'] } });
    expect(decisionDetections(b.decision).map((d) => d.label).sort()).toEqual(['car', 'person']);
    const again = joinDecision(b.decision, { group_id: 'g', stream_id: 'front', frame_id: 'f3', now_ms: 2900, detections: [] }, 2000, id);
    expect(decisionDetections(again.decision).map((d) => d.label)).toEqual(['person']);
    const late = joinDecision(again.decision, { group_id: 'g', stream_id: 'rear', frame_id: 'f4', now_ms: 3001, detections: [] }, 2000, id);
    expect(late.joined).toBe(false);
    expect(late.decision.decision_id).not.toBe(a.decision.decision_id);
  });
});

describe('pairing', () => {
  it('makes codes from the unambiguous alphabet and normalises what is typed', () => {
    const code = pairingCode(new Uint8Array(CODE_LENGTH).map((_, i) => i * 37));
    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{10}$/);
    expect(normaliseCode(` ${code.slice(0, 5).toLowerCase()}-${code.slice(5)} `)).toBe(code);
    expect(() => pairingCode(new Uint8Array(3))).toThrow();
  });

  it('says whether a code is valid, expired, used or unknown', () => {
    const row = { expires_ms: 1000 + PAIRING_TTL_MS, consumed_ms: null };
    expect(codeState(row, 1000)).toBe('valid');
    expect(codeState(row, 1000 + PAIRING_TTL_MS)).toBe('expired');
    expect(codeState({ ...row, consumed_ms: 1500 }, 1600)).toBe('used');
    expect(codeState(undefined, 0)).toBe('unknown');
  });
});

// Pure multi-camera correlation: frames of streams sharing a group_id inside a short window make one decision.
import type { FrameDetection } from './policy';

export interface GroupDecision {
  decision_id: string;
  group_id: string;
  /** When its first frame arrived (server clock, ms). */
  opened_ms: number;
  frame_ids: string[];
  stream_ids: string[];
  /** Per stream, the detections of its newest frame in the decision. */
  detections: Record<string, FrameDetection[]>;
}

/**
 * Joins a frame to the group's open decision when it opened within `windowMs`, else opens a new one. The decision's
 * detections are the union over its streams (each stream's newest frame), so a vehicle seen front and rear is one
 * decision over both views.
 */
export function joinDecision(open: GroupDecision | undefined, f: { group_id: string; stream_id: string; frame_id: string; now_ms: number; detections: FrameDetection[] }, windowMs: number, newId: () => string): { decision: GroupDecision; joined: boolean } {
  if (open && open.group_id === f.group_id && f.now_ms - open.opened_ms <= windowMs) {
    return {
      joined: true,
      decision: {
        ...open,
        frame_ids: [...open.frame_ids, f.frame_id],
        stream_ids: open.stream_ids.includes(f.stream_id) ? open.stream_ids : [...open.stream_ids, f.stream_id],
        detections: { ...open.detections, [f.stream_id]: f.detections },
      },
    };
  }
  return {
    joined: false,
    decision: { decision_id: newId(), group_id: f.group_id, opened_ms: f.now_ms, frame_ids: [f.frame_id], stream_ids: [f.stream_id], detections: { [f.stream_id]: f.detections } },
  };
}

export const decisionDetections = (d: GroupDecision): FrameDetection[] => Object.values(d.detections).flat();

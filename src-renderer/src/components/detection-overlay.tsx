// Live detection boxes drawn over a <video> from the 'detections' push events (the MJPEG path gets them burnt in instead).
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { LiveDetection } from '../../../src-main/shared/push-events';

/** Boxes older than this are stale (the detector stopped reporting this camera). */
const STALE_MS = 2000;

export function DetectionOverlay({ cameraId, aspect }: { cameraId: number; aspect: number | null }) {
  const [state, setState] = useState<{ at: number; boxes: LiveDetection[] }>({ at: 0, boxes: [] });
  const [now, setNow] = useState(Date.now());
  useEffect(() => api.on('detections', (p) => p.camera_id === cameraId && setState({ at: Date.now(), boxes: p.detections })), [cameraId]);
  useEffect(() => {
    if (!state.boxes.length) return;
    const t = setTimeout(() => setNow(Date.now()), STALE_MS);
    return () => clearTimeout(t);
  }, [state]);
  if (!aspect || !state.boxes.length || now - state.at > STALE_MS) return null;
  // The same letterboxing as the video's object-fit: contain, so the normalised boxes land on the picture.
  return (
    <svg className="detection-overlay" viewBox={`0 0 ${aspect} 1`} preserveAspectRatio="xMidYMid meet" aria-hidden data-testid="detection-overlay">
      {state.boxes.map((d) => (
        <g key={d.track_id} className={d.confirmed ? 'confirmed' : 'tentative'}>
          <rect x={d.box[0] * aspect} y={d.box[1]} width={d.box[2] * aspect} height={d.box[3]} vectorEffect="non-scaling-stroke" />
          <text x={d.box[0] * aspect} y={Math.max(0.03, d.box[1] - 0.005)} fontSize={0.035}>
            {d.label} {Math.round(d.score * 100)}%
          </text>
        </g>
      ))}
    </svg>
  );
}

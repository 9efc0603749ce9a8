// Live detection boxes drawn over a camera's video or image, fitted like object-fit: contain; hidden by the overlay toggle.
import { useEffect, useRef, useState } from 'react';
import { boxLabel, containRect, useDetections, visibleDetections } from '../stores/detections.store';
import { labelColor } from '../features/timeline/timeline-math';

/** Redraws at least this often, so boxes of a camera whose detector went quiet disappear. */
const TICK_MS = 500;

/**
 * `aspect` is the frame's width/height (from the <video>'s intrinsic size), so boxes line up with the picture inside
 * letterboxing; null until the video knows it.
 */
export function DetectionOverlay({ cameraId, aspect }: { cameraId: number; aspect: number | null }) {
  const show = useDetections((s) => s.show);
  const entry = useDetections((s) => s.byCamera[cameraId]);
  const wrap = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setSize({ w: el.clientWidth, h: el.clientHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(t);
  }, []);

  const boxes = show && aspect !== null ? visibleDetections(entry, Math.max(now, entry?.at ?? 0)) : [];
  const r = containRect(size.w, size.h, aspect ?? Number.NaN);
  return (
    <div ref={wrap} className="detection-overlay" aria-hidden="true" data-testid="detection-overlay" data-boxes={boxes.length}>
      {boxes.map((d) => {
        const [x, y, w, h] = d.box;
        const color = labelColor(d.label);
        return (
          <div
            key={d.track_id}
            className={`det-box${d.confirmed ? '' : ' tentative'}`}
            data-testid="detection-box"
            data-label={d.label}
            style={{ left: r.x + x * r.w, top: r.y + y * r.h, width: w * r.w, height: h * r.h, borderColor: color }}
          >
            <span className="det-label" style={{ background: color }}>
              {boxLabel(d)}
            </span>
          </div>
        );
      })}
    </div>
  );
}

// Canvas timeline: one lane per camera with coverage, activity histogram and label-coloured events; wheel/pinch zoom,
// drag pan, Shift+drag range selection, click to seek, hover for previews. Draw cost is bounded by width, not data size.
import { useCallback, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import type { EventDto } from '../../stores/events.store';
import type { Activity } from '../../stores/timeline.store';
import { clampView, duration, labelColor, pan, selectionRange, spansToPixels, ticks, timeToX, wheelFactor, xToTime, zoomAt, type Span, type View } from './timeline-math';

export interface Lane {
  cameraId: number;
  name: string;
}

export interface Hover {
  cameraId: number;
  t: number;
  x: number;
  y: number;
  event: EventDto | null;
}

interface Props {
  lanes: Lane[];
  view: View;
  onView?(v: View): void;
  coverage: Record<number, Span[]>;
  activity: Activity | null;
  events: EventDto[];
  playhead: number | null;
  playheadCamera?: number | null;
  selection?: Span | null;
  onSelect?(s: Span | null, cameraId: number): void;
  onSeek(cameraId: number, t: number): void;
  onHover?(h: Hover | null): void;
  /** Highlighted spans (a chosen person's events, or a person search's hits), drawn over the lanes. */
  marks?: readonly Mark[];
  /** Double-click on an event marker. */
  onEventOpen?(e: EventDto): void;
  laneHeight?: number;
  testId?: string;
}

export interface Mark {
  cameraId: number;
  start: number;
  end: number;
}

const AXIS = 18;

export function TimelineCanvas(p: Props) {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(600);
  const laneH = p.laneHeight ?? 44;
  const height = AXIS + p.lanes.length * laneH;
  const drag = useRef<{ x0: number; view: View; select: boolean; lane: number; moved: boolean; t0: number } | null>(null);
  const pointers = useRef(new Map<number, number>());
  const pinch = useRef<{ dist: number; view: View; mid: number } | null>(null);
  const [liveSel, setLiveSel] = useState<Span | null>(null);

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.max(100, Math.floor(el.clientWidth))));
    ro.observe(el);
    setWidth(Math.max(100, Math.floor(el.clientWidth)));
    return () => ro.disconnect();
  }, []);

  const sel = liveSel ?? p.selection ?? null;

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const raf = requestAnimationFrame(() => draw(c, width, height, laneH, p, sel));
    return () => cancelAnimationFrame(raf);
  });

  const eventAt = useCallback(
    (cameraId: number, x: number): EventDto | null => {
      for (const e of p.events) {
        if (e.camera_id !== cameraId) continue;
        const s = timeToX(Date.parse(e.started_at), p.view, width);
        const en = timeToX(e.ended_at ? Date.parse(e.ended_at) : Date.now(), p.view, width);
        if (x >= s - 3 && x <= Math.max(en, s + 3) + 3) return e;
      }
      return null;
    },
    [p.events, p.view, width],
  );

  const locate = (e: { clientX: number; clientY: number }) => {
    const r = canvas.current?.getBoundingClientRect();
    const x = r ? e.clientX - r.left : 0;
    const y = r ? e.clientY - r.top : 0;
    const lane = Math.max(0, Math.min(p.lanes.length - 1, Math.floor((y - AXIS) / laneH)));
    return { x, y, lane, t: xToTime(x, p.view, width) };
  };

  useEffect(() => {
    const el = canvas.current;
    if (!el || !p.onView) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const onView = p.onView;
      if (!onView) return;
      const r = el.getBoundingClientRect();
      const x = e.clientX - r.left;
      if (Math.abs(e.deltaX) > Math.abs(e.deltaY) && !e.ctrlKey) onView(pan(p.view, (e.deltaX / width) * duration(p.view)));
      else if (e.shiftKey) onView(pan(p.view, (e.deltaY / width) * duration(p.view)));
      else onView(zoomAt(p.view, xToTime(x, p.view, width), wheelFactor(e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY)));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [p.view, p.onView, width]);

  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    canvas.current?.setPointerCapture(e.pointerId);
    const l = locate(e);
    pointers.current.set(e.pointerId, l.x);
    if (pointers.current.size === 2) {
      const [a, b] = [...pointers.current.values()] as [number, number];
      pinch.current = { dist: Math.abs(a - b) || 1, view: p.view, mid: xToTime((a + b) / 2, p.view, width) };
      drag.current = null;
      return;
    }
    drag.current = { x0: l.x, view: p.view, select: e.shiftKey && !!p.onSelect, lane: l.lane, moved: false, t0: l.t };
  };

  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const l = locate(e);
    if (pointers.current.has(e.pointerId)) pointers.current.set(e.pointerId, l.x);
    if (pinch.current && pointers.current.size === 2 && p.onView) {
      const [a, b] = [...pointers.current.values()] as [number, number];
      const dist = Math.abs(a - b) || 1;
      const base = pinch.current.view;
      p.onView(clampView(zoomAt(base, pinch.current.mid, pinch.current.dist / dist)));
      return;
    }
    const d = drag.current;
    if (d) {
      if (Math.abs(l.x - d.x0) > 3) d.moved = true;
      if (d.select) setLiveSel(selectionRange(d.t0, l.t, 0));
      else if (d.moved && p.onView) p.onView(pan(d.view, -((l.x - d.x0) / width) * duration(d.view)));
    }
    const lane = p.lanes[l.lane];
    if (p.onHover && lane && l.y >= AXIS) p.onHover({ cameraId: lane.cameraId, t: l.t, x: l.x, y: l.y, event: eventAt(lane.cameraId, l.x) });
  };

  const onPointerUp = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    pointers.current.delete(e.pointerId);
    if (pinch.current) {
      if (pointers.current.size < 2) pinch.current = null;
      return;
    }
    const d = drag.current;
    drag.current = null;
    if (!d) return;
    const l = locate(e);
    const lane = p.lanes[d.lane];
    if (!lane) return;
    if (d.select) {
      const s = selectionRange(d.t0, l.t);
      setLiveSel(null);
      p.onSelect?.(s, lane.cameraId);
    } else if (!d.moved) p.onSeek(lane.cameraId, l.t);
  };

  return (
    <div ref={wrap} className="timeline-canvas" data-testid={p.testId ?? 'timeline'} data-marks={p.marks?.length ?? 0}>
      <canvas
        ref={canvas}
        width={Math.round(width * (window.devicePixelRatio || 1))}
        height={Math.round(height * (window.devicePixelRatio || 1))}
        style={{ width: `${width}px`, height: `${height}px`, touchAction: 'none' }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onPointerLeave={() => p.onHover?.(null)}
        onDoubleClick={(e) => {
          const l = locate(e);
          const lane = p.lanes[l.lane];
          const ev = lane ? eventAt(lane.cameraId, l.x) : null;
          if (ev) p.onEventOpen?.(ev);
        }}
        aria-label="Timeline: wheel or pinch to zoom, drag to pan, Shift+drag to select a range, click to play"
        role="img"
      />
    </div>
  );
}

function draw(c: HTMLCanvasElement, width: number, height: number, laneH: number, p: Props, sel: Span | null) {
  const ctx = c.getContext('2d');
  if (!ctx) return;
  const dpr = window.devicePixelRatio || 1;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#0d1117';
  ctx.fillRect(0, 0, width, height);
  const v = p.view;
  const tz = new Date((v.start + v.end) / 2).getTimezoneOffset();

  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (const tk of ticks(v, width, 90, tz)) {
    ctx.fillStyle = tk.major ? '#3b4554' : '#222a35';
    ctx.fillRect(Math.round(tk.x), AXIS, 1, height - AXIS);
    ctx.fillStyle = tk.major ? '#e6edf3' : '#8b949e';
    ctx.fillText(tk.label, tk.x + 3, AXIS / 2);
  }

  p.lanes.forEach((lane, i) => {
    const y = AXIS + i * laneH;
    ctx.fillStyle = i % 2 ? '#111720' : '#0f141b';
    ctx.fillRect(0, y, width, laneH - 1);
    const act = p.activity?.cameras.find((a) => a.camera_id === lane.cameraId);
    if (act && p.activity) {
      const b = p.activity.bucket_ms;
      const max = Math.max(1, ...act.motion, ...act.events.map((x) => x * 4));
      const bw = Math.max(1, timeToX(v.start + b, v, width) - timeToX(v.start, v, width));
      ctx.fillStyle = 'rgba(210,153,34,0.45)';
      act.motion.forEach((m, k) => {
        const val = Math.max(m, (act.events[k] ?? 0) * 4);
        if (!val) return;
        const x = timeToX(p.activity!.from + k * b, v, width);
        if (x + bw < 0 || x > width) return;
        const h = Math.max(1, (val / max) * (laneH * 0.45));
        ctx.fillRect(x, y + laneH - 2 - h, bw, h);
      });
    }
    const spans = p.coverage[lane.cameraId] ?? [];
    ctx.fillStyle = '#2f81f7';
    for (const [x0, x1] of spansToPixels(spans, v, width)) ctx.fillRect(x0, y + laneH * 0.42, x1 - x0, laneH * 0.16);
    for (const e of p.events) {
      if (e.camera_id !== lane.cameraId) continue;
      const s = Date.parse(e.started_at);
      const en = e.ended_at ? Date.parse(e.ended_at) : Date.now();
      if (en < v.start || s > v.end) continue;
      const x0 = timeToX(s, v, width);
      const x1 = Math.max(x0 + 3, timeToX(en, v, width));
      ctx.fillStyle = labelColor(e.label);
      ctx.fillRect(x0, y + 4, x1 - x0, laneH * 0.28);
    }
    ctx.fillStyle = '#3fb950';
    for (const m of p.marks ?? []) {
      if (m.cameraId !== lane.cameraId || m.end < v.start || m.start > v.end) continue;
      const x0 = timeToX(m.start, v, width);
      const x1 = Math.max(x0 + 4, timeToX(m.end, v, width));
      ctx.fillRect(x0, y + laneH * 0.62, x1 - x0, laneH * 0.2);
      ctx.fillRect(x0, y + 2, 2, laneH - 4);
    }
    ctx.fillStyle = '#c9d1d9';
    ctx.fillText(lane.name, 6, y + laneH - 9);
  });

  const now = Date.now();
  if (now >= v.start && now <= v.end) {
    ctx.fillStyle = '#f85149';
    ctx.fillRect(Math.round(timeToX(now, v, width)), AXIS, 1, height - AXIS);
  }
  if (sel) {
    const x0 = timeToX(sel[0], v, width);
    const x1 = timeToX(sel[1], v, width);
    ctx.fillStyle = 'rgba(163,113,247,0.25)';
    ctx.fillRect(x0, AXIS, x1 - x0, height - AXIS);
    ctx.fillStyle = '#a371f7';
    ctx.fillRect(x0, AXIS, 1, height - AXIS);
    ctx.fillRect(x1, AXIS, 1, height - AXIS);
  }
  if (p.playhead !== null && p.playhead >= v.start && p.playhead <= v.end) {
    const x = Math.round(timeToX(p.playhead, v, width));
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(x - 1, 0, 2, height);
    ctx.beginPath();
    ctx.moveTo(x - 5, 0);
    ctx.lineTo(x + 5, 0);
    ctx.lineTo(x, 7);
    ctx.fill();
  }
}

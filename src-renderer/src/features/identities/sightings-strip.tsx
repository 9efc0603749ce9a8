// An identity's sightings across time: one lane per camera, markers coloured by how each was linked and a line to the
// sighting it matched; wheel/keys zoom, drag pans, click picks a sighting. Ticks and zoom maths are the timeline's.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent as ReactPointerEvent } from 'react';
import type { SightingDto } from '../../stores/identities.store';
import { MAX_SPAN_MS, duration, pan, ticks, timeToX, wheelFactor, xToTime, zoomAt, type View } from '../timeline/timeline-math';
import { KIND_COLOR, KIND_LABEL, clock, score2 } from './evidence';
import { fitView, hitMarker, layoutMarkers, stripLanes, type Marker, type StripLane } from './sightings-layout';

const AXIS = 18;
const LANE = 26;
const MIN_SPAN = 20_000;

interface Props {
  sightings: readonly SightingDto[];
  selected: ReadonlySet<number>;
  focused: number | null;
  /** additive: Ctrl/Shift-click (toggle selection) rather than a plain pick (show the sighting). */
  onPick(id: number, additive: boolean): void;
}

export function SightingsStrip({ sightings, selected, focused, onPick }: Props) {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(600);
  const lanes = useMemo(() => stripLanes(sightings), [sightings]);
  const fit = useMemo(() => fitView(sightings), [sightings]);
  const [view, setView] = useState<View>(fit);
  const [hover, setHover] = useState<{ s: SightingDto; x: number; y: number } | null>(null);
  const drag = useRef<{ x0: number; view: View; moved: boolean } | null>(null);
  const height = AXIS + Math.max(1, lanes.length) * LANE;
  const maxSpan = Math.max(MAX_SPAN_MS, duration(fit) * 1.5);
  const byId = useMemo(() => new Map(sightings.map((s) => [s.id, s])), [sightings]);
  const markers = useMemo(() => layoutMarkers(sightings, lanes, view, width), [sightings, lanes, view, width]);

  // Sightings that change the overall span (a split, a merge, more loaded) re-fit the view; a reload of the same ones keeps it.
  useEffect(() => setView({ start: fit.start, end: fit.end }), [fit.start, fit.end]);

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.max(100, Math.floor(el.clientWidth))));
    ro.observe(el);
    setWidth(Math.max(100, Math.floor(el.clientWidth)));
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const raf = requestAnimationFrame(() => draw(c, { width, height, view, lanes, markers, byId, selected, focused }));
    return () => cancelAnimationFrame(raf);
  }, [width, height, view, lanes, markers, byId, selected, focused]);

  const zoom = (anchor: number, factor: number) => setView((v) => zoomAt(v, anchor, factor, MIN_SPAN, maxSpan));

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const x = e.clientX - el.getBoundingClientRect().left;
      if (Math.abs(e.deltaX) > Math.abs(e.deltaY) || e.shiftKey) setView((v) => pan(v, ((e.shiftKey ? e.deltaY : e.deltaX) / width) * duration(v)));
      else setView((v) => zoomAt(v, xToTime(x, v, width), wheelFactor(e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY), MIN_SPAN, maxSpan));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [width, maxSpan]);

  const locate = (e: { clientX: number; clientY: number }) => {
    const r = canvas.current?.getBoundingClientRect();
    const x = r ? e.clientX - r.left : 0;
    const y = r ? e.clientY - r.top : 0;
    return { x, y, lane: Math.floor((y - AXIS) / LANE) };
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    canvas.current?.setPointerCapture(e.pointerId);
    drag.current = { x0: locate(e).x, view, moved: false };
  };
  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const l = locate(e);
    const d = drag.current;
    if (d) {
      if (Math.abs(l.x - d.x0) > 3) d.moved = true;
      if (d.moved) setView(pan(d.view, -((l.x - d.x0) / width) * duration(d.view)));
    }
    const m = l.y >= AXIS ? hitMarker(markers, l.lane, l.x) : null;
    const s = m ? byId.get(m.id) : undefined;
    setHover(s ? { s, x: l.x, y: l.y } : null);
  };
  const onPointerUp = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const d = drag.current;
    drag.current = null;
    if (!d || d.moved) return;
    const l = locate(e);
    const m = l.y >= AXIS ? hitMarker(markers, l.lane, l.x) : null;
    if (m) onPick(m.id, e.ctrlKey || e.metaKey || e.shiftKey);
  };

  const onKey = (e: KeyboardEvent) => {
    const mid = (view.start + view.end) / 2;
    if (e.key === 'ArrowLeft') setView(pan(view, -duration(view) * (e.shiftKey ? 0.5 : 0.1)));
    else if (e.key === 'ArrowRight') setView(pan(view, duration(view) * (e.shiftKey ? 0.5 : 0.1)));
    else if (e.key === '+' || e.key === '=' || e.key === 'ArrowUp') zoom(mid, 0.7);
    else if (e.key === '-' || e.key === 'ArrowDown') zoom(mid, 1 / 0.7);
    else if (e.key === '0' || e.key === 'Home') setView(fit);
    else return;
    e.preventDefault();
  };

  const cams = lanes.map((l) => l.name).join(', ');
  return (
    <div className="sightings-strip-wrap">
      <div
        ref={wrap}
        className="timeline-canvas sightings-strip"
        tabIndex={0}
        onKeyDown={onKey}
        data-testid="sightings-strip"
        data-lanes={lanes.map((l) => l.name).join('|')}
        data-markers={markers.length}
        aria-label={`Sightings across time on ${lanes.length} camera(s): ${cams}. Arrows pan, + and - zoom, 0 fits all.`}
      >
        <canvas
          ref={canvas}
          width={Math.round(width * (window.devicePixelRatio || 1))}
          height={Math.round(height * (window.devicePixelRatio || 1))}
          style={{ width: `${width}px`, height: `${height}px`, touchAction: 'none' }}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={() => (drag.current = null)}
          onPointerLeave={() => setHover(null)}
          role="img"
          aria-label={`${sightings.length} sighting(s) on ${cams}`}
        />
        {hover && (
          <div className="strip-hover" style={{ left: Math.min(width - 220, Math.max(0, hover.x + 10)), top: hover.y + 10 }}>
            <strong>{hover.s.camera_name ?? `Camera #${hover.s.camera_id}`}</strong> {clock(hover.s.started_at)} · {Math.round(hover.s.duration_s)} s
            <br />
            <span style={{ color: KIND_COLOR[hover.s.link.kind] }}>{KIND_LABEL[hover.s.link.kind]}</span>
            {hover.s.link.score !== null && ` ${score2(hover.s.link.score)}`}
          </div>
        )}
      </div>
      <div className="legend strip-legend">
        {(Object.keys(KIND_COLOR) as (keyof typeof KIND_COLOR)[]).map((k) => (
          <span key={k} className="row">
            <span className="sw" style={{ background: KIND_COLOR[k] }} /> {KIND_LABEL[k]}
          </span>
        ))}
        <span className="row">
          <span className="sw link-sw" /> matched sighting
        </span>
        <span className="muted">wheel/± zoom · drag/←→ pan · 0 fit · click shows a sighting, Ctrl+click selects it</span>
        <div className="spacer" />
        <button className="small" onClick={() => setView(fit)} aria-label="Fit all sightings">
          Fit
        </button>
      </div>
    </div>
  );
}

interface DrawArgs {
  width: number;
  height: number;
  view: View;
  lanes: readonly StripLane[];
  markers: readonly Marker[];
  byId: ReadonlyMap<number, SightingDto>;
  selected: ReadonlySet<number>;
  focused: number | null;
}

function draw(c: HTMLCanvasElement, a: DrawArgs) {
  const ctx = c.getContext('2d');
  if (!ctx) return;
  const { width, height, view: v } = a;
  const dpr = window.devicePixelRatio || 1;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#0d1117';
  ctx.fillRect(0, 0, width, height);
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';

  a.lanes.forEach((_lane, i) => {
    ctx.fillStyle = i % 2 ? '#111720' : '#0f141b';
    ctx.fillRect(0, AXIS + i * LANE, width, LANE - 1);
  });
  const tz = new Date((v.start + v.end) / 2).getTimezoneOffset();
  for (const tk of ticks(v, width, 90, tz)) {
    ctx.fillStyle = tk.major ? '#3b4554' : '#222a35';
    ctx.fillRect(Math.round(tk.x), AXIS, 1, height - AXIS);
    ctx.fillStyle = tk.major ? '#e6edf3' : '#8b949e';
    ctx.fillText(tk.label, tk.x + 3, AXIS / 2);
  }

  // Links first, under the markers: each sighting to the one it matched, when both are on screen.
  const at = new Map(a.markers.map((m) => [m.id, m]));
  ctx.strokeStyle = 'rgba(139,148,158,0.55)';
  ctx.setLineDash([3, 3]);
  for (const m of a.markers) {
    const matched = a.byId.get(m.id)?.link.matched;
    const other = matched ? at.get(matched.sighting_id) : undefined;
    if (!other) continue;
    ctx.beginPath();
    ctx.moveTo((other.x0 + other.x1) / 2, AXIS + other.lane * LANE + LANE / 2);
    ctx.lineTo((m.x0 + m.x1) / 2, AXIS + m.lane * LANE + LANE / 2);
    ctx.stroke();
  }
  ctx.setLineDash([]);

  for (const m of a.markers) {
    const s = a.byId.get(m.id);
    if (!s) continue;
    const y = AXIS + m.lane * LANE + 5;
    const h = LANE - 11;
    ctx.fillStyle = KIND_COLOR[s.link.kind];
    ctx.fillRect(m.x0, y, m.x1 - m.x0, h);
    if (a.selected.has(m.id) || a.focused === m.id) {
      ctx.strokeStyle = a.focused === m.id ? '#ffffff' : '#e6edf3';
      ctx.lineWidth = a.focused === m.id ? 2 : 1;
      ctx.strokeRect(m.x0 - 1.5, y - 1.5, m.x1 - m.x0 + 3, h + 3);
      ctx.lineWidth = 1;
    }
  }

  a.lanes.forEach((lane, i) => {
    const y = AXIS + i * LANE + LANE / 2;
    const label = lane.name;
    const w = ctx.measureText(label).width + 8;
    ctx.fillStyle = 'rgba(13,17,23,0.8)';
    ctx.fillRect(2, y - 8, w, 16);
    ctx.fillStyle = '#c9d1d9';
    ctx.fillText(label, 6, y);
  });

  const now = Date.now();
  if (now >= v.start && now <= v.end) {
    ctx.fillStyle = '#f85149';
    ctx.fillRect(Math.round(timeToX(now, v, width)), AXIS, 1, height - AXIS);
  }
}

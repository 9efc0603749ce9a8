// Timeline screen: per-camera or stacked lanes, hover previews, click-to-play through the recordings VOD playlist,
// J/K/L + arrows + [/] keyboard control, and range export with progress.
import { useEffect, useMemo, useRef, useState } from 'react';
import { eventSpriteUrl, mediaPath, rangeSpriteUrl, vodUrl } from '../../api/media-routes';
import { HlsVideo, type HlsVideoHandle } from '../../components/hls-video';
import { navigate, useRoute } from '../../router';
import { useCameras } from '../../stores/cameras.store';
import { useSession } from '../../stores/session.store';
import { useTimeline } from '../../stores/timeline.store';
import { usePeople } from '../../stores/people.store';
import { marksOf, parseFind, playlist, usePersonSearch, viewOf, PLAY_PAD_MS, type PersonSearchHitDto } from '../../stores/person-search.store';
import { TimelineCanvas, type Hover, type Lane, type Mark } from './timeline-canvas';
import { PersonSearchPanel } from './person-search-panel';
import { DAY, HOUR, MINUTE, SECOND, clampToNow, covered, duration, follow, formatDuration, nextCovered, nextEventStart, pan, prevEventStart, spriteFrame, spriteWindow, zoomAt, type Span, type View } from './timeline-math';

const RATES = [1, 2, 4, 8, 16];
const PRESETS: { label: string; ms: number }[] = [
  { label: '1 min', ms: MINUTE },
  { label: '15 min', ms: 15 * MINUTE },
  { label: '1 h', ms: HOUR },
  { label: '6 h', ms: 6 * HOUR },
  { label: '1 d', ms: DAY },
  { label: '7 d', ms: 7 * DAY },
];

export function TimelineScreen() {
  const route = useRoute();
  const cameras = useCameras((s) => s.cameras);
  const tl = useTimeline();
  const reportError = useSession((s) => s.reportError);
  const [hover, setHover] = useState<Hover | null>(null);
  const [play, setPlayState] = useState<{ cameraId: number; from: number; to: number } | null>(null);
  /** Fixes the playlist range at seek time, so re-renders never change the source. */
  const setPlay = (p: { cameraId: number; from: number; to?: number } | null) => setPlayState(p ? { ...p, to: p.to ?? Math.min(Date.now(), p.from + 6 * HOUR) } : null);
  const ps = usePersonSearch();
  const people = usePeople((s) => s.people);
  const loadPeople = usePeople((s) => s.load);
  const [selCamera, setSelCamera] = useState<number | null>(null);
  const video = useRef<HlsVideoHandle>(null);
  const stripRef = useRef<HTMLDivElement>(null);
  const widthRef = useRef(1000);
  const sectionRef = useRef<HTMLElement>(null);
  useEffect(() => sectionRef.current?.focus({ preventScroll: true }), []);

  const qCamera = route.query.get('camera');
  const qT = route.query.get('t');
  const qPlay = route.query.get('play');
  const qFind = route.query.get('find');
  useEffect(() => {
    const ref = parseFind(qFind);
    if (ref) void usePersonSearch.getState().find(ref);
    else usePersonSearch.getState().clear();
  }, [qFind]);
  useEffect(() => {
    const v = viewOf(ps.result?.items ?? []);
    if (v) tl.setView(v);
  }, [ps.result]);
  useEffect(() => {
    void loadPeople().catch(() => undefined);
  }, []);
  useEffect(() => {
    const cam = qCamera ? Number(qCamera) : null;
    tl.setCamera(cam);
    if (qT) {
      const t = Number(qT);
      tl.setView({ start: t - 5 * MINUTE, end: t + 5 * MINUTE });
      tl.setPlayhead(t);
      if (qPlay && cam) setPlay({ cameraId: cam, from: t });
    } else {
      const { view, playhead } = useTimeline.getState();
      if (playhead === null && view.end < Date.now() - MINUTE) tl.setView({ start: Date.now() - HOUR, end: Date.now() + 2 * MINUTE });
    }
  }, [qCamera, qT, qPlay]);

  const lanes: Lane[] = useMemo(
    () => (tl.cameraId ? cameras.filter((c) => c.id === tl.cameraId) : cameras).map((c) => ({ cameraId: c.id, name: c.name })),
    [cameras, tl.cameraId],
  );

  useEffect(() => {
    const t = setTimeout(() => {
      widthRef.current = stripRef.current?.clientWidth ?? 1000;
      tl.fetch(widthRef.current).catch(reportError);
    }, 120);
    return () => clearTimeout(t);
  }, [tl.view, tl.cameraId, tl.loaded]);

  useEffect(() => {
    const t = setInterval(() => tl.fetch(widthRef.current, true).catch(() => undefined), 20_000);
    return () => clearInterval(t);
  }, []);

  const setView = (v: { start: number; end: number }) => tl.setView(clampToNow(v, Date.now()));
  const eventStarts = useMemo(() => tl.events.filter((e) => !tl.cameraId || e.camera_id === tl.cameraId).map((e) => Date.parse(e.started_at)), [tl.events, tl.cameraId]);
  const activeCamera = play?.cameraId ?? tl.cameraId ?? lanes[0]?.cameraId ?? null;

  const seek = (cameraId: number, at: number) => {
    const spans = useTimeline.getState().coverage[cameraId];
    const t = spans && !covered(spans, at) ? (nextCovered(spans, at) ?? at) : at;
    tl.setPlayhead(t);
    setPlay({ cameraId, from: t });
  };

  const clips = useMemo(() => playlist(ps.result?.items ?? []), [ps.result]);
  const playClip = (i: number | null) => {
    const c = i === null ? undefined : clips[i];
    ps.play(c ? i : null);
    if (!c) return;
    tl.setView(follow(useTimeline.getState().view, c.from, 0.25));
    tl.setPlayhead(c.from);
    setPlay({ cameraId: c.cameraId, from: c.from, to: c.to });
  };
  const openHit = (h: PersonSearchHitDto) => {
    ps.play(null);
    const from = Date.parse(h.start) - PLAY_PAD_MS;
    tl.setView(follow(tl.view, from, 0.25));
    tl.setPlayhead(from);
    setPlay({ cameraId: h.camera_id, from, to: Date.parse(h.end) + PLAY_PAD_MS });
  };
  const marks: Mark[] = useMemo(
    () => (ps.result ? marksOf(ps.result.items) : tl.personEvents.filter((e) => e.camera_id !== null).map((e) => ({ cameraId: e.camera_id as number, start: Date.parse(e.started_at), end: e.ended_at ? Date.parse(e.ended_at) : Date.now() }))),
    [ps.result, tl.personEvents],
  );

  const onTime = (v: HTMLVideoElement) => {
    if (!play) return;
    const d = video.current?.playingDate();
    const t = d ? d.getTime() : play.from + v.currentTime * 1000;
    tl.setPlayhead(t);
    const playing = usePersonSearch.getState().playing;
    if (playing !== null && t >= (clips[playing]?.to ?? Infinity)) playClip(playing + 1 < clips.length ? playing + 1 : null);
    if (!v.paused) tl.setView(follow(useTimeline.getState().view, t));
  };

  const step = (ms: number) => {
    const base = tl.playhead ?? (tl.view.start + tl.view.end) / 2;
    const t = base + ms;
    const v = video.current?.video;
    if (play && v && v.readyState > 0 && Number.isFinite(v.currentTime)) {
      const target = v.currentTime + ms / 1000;
      if (target >= 0 && target <= (v.duration || Infinity)) {
        v.currentTime = target;
        tl.setPlayhead(t);
        return;
      }
    }
    tl.setPlayhead(t);
    tl.setView(follow(tl.view, t));
    if (activeCamera) setPlay({ cameraId: activeCamera, from: t });
  };

  const setRate = (r: number) => {
    const v = video.current?.video;
    tl.setPlaying(true, r);
    if (v) {
      v.playbackRate = r;
      void v.play().catch(() => undefined);
    }
  };

  const onKey = (e: React.KeyboardEvent) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    const v = video.current?.video;
    const big = e.shiftKey ? 60 * SECOND : 5 * SECOND;
    switch (e.key) {
      case 'k':
      case 'K':
      case ' ':
        e.preventDefault();
        if (v) {
          if (v.paused) void v.play();
          else v.pause();
        } else if (activeCamera && tl.playhead) setPlay({ cameraId: activeCamera, from: tl.playhead });
        break;
      case 'l':
      case 'L': {
        const cur = v && !v.paused ? v.playbackRate : 0;
        setRate(RATES.find((r) => r > cur) ?? RATES[RATES.length - 1]!);
        break;
      }
      case 'j':
      case 'J':
        if (v && v.playbackRate > 1) setRate([...RATES].reverse().find((r) => r < v.playbackRate) ?? 1);
        else step(-10 * SECOND);
        break;
      case 'ArrowLeft':
        e.preventDefault();
        step(-big);
        break;
      case 'ArrowRight':
        e.preventDefault();
        step(big);
        break;
      case '[':
      case ']': {
        const base = tl.playhead ?? (tl.view.start + tl.view.end) / 2;
        const t = e.key === '[' ? prevEventStart(eventStarts, base) : nextEventStart(eventStarts, base);
        if (t !== null) {
          const ev = tl.events.find((x) => Date.parse(x.started_at) === t);
          tl.setView(follow(tl.view, t, 0.25));
          seek(ev?.camera_id ?? activeCamera ?? 0, t - 2 * SECOND);
        }
        break;
      }
      case '+':
      case '=':
        setView(zoomAt(tl.view, tl.playhead ?? (tl.view.start + tl.view.end) / 2, 0.5));
        break;
      case '-':
        setView(zoomAt(tl.view, tl.playhead ?? (tl.view.start + tl.view.end) / 2, 2));
        break;
      case 'ArrowUp':
      case 'ArrowDown':
        e.preventDefault();
        setView(zoomAt(tl.view, tl.playhead ?? (tl.view.start + tl.view.end) / 2, e.key === 'ArrowUp' ? 0.5 : 2));
        break;
      case 'Escape':
        tl.setSelection(null);
        break;
      default:
        return;
    }
  };

  const exportSel = async () => {
    const cam = selCamera ?? activeCamera;
    if (!tl.selection || !cam) return;
    try {
      await tl.startExport(cam, tl.selection);
    } catch (err) {
      reportError(err);
    }
  };

  const hoverPreview = hover ? preview(hover, tl.coverage[hover.cameraId] ?? [], tl.view, widthRef.current) : null;

  return (
    <section ref={sectionRef} className="screen timeline" aria-label="Timeline" tabIndex={0} onKeyDown={onKey} data-testid="timeline-screen">
      <div className="toolbar">
        <h2>Timeline</h2>
        <label className="row">
          <span className="muted">Camera</span>
          <select
            value={tl.cameraId ?? ''}
            onChange={(e) => navigate(`timeline${e.target.value ? `?camera=${e.target.value}` : ''}`)}
            data-testid="timeline-camera"
          >
            <option value="">All cameras (stacked)</option>
            {cameras.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <div className="seg" role="group" aria-label="Zoom presets">
          {PRESETS.map((p) => (
            <button key={p.label} onClick={() => setView({ start: Date.now() - p.ms * 0.95, end: Date.now() + p.ms * 0.05 })}>
              {p.label}
            </button>
          ))}
        </div>
        <button onClick={() => setView(pan(tl.view, Date.now() + duration(tl.view) * 0.05 - tl.view.end))} title="Jump to now">
          Now
        </button>
        <span className="muted">{formatDuration(duration(tl.view))} visible</span>
        <label className="row">
          <span className="muted">Mark person</span>
          <select value={tl.markPerson ?? ''} onChange={(e) => tl.setMarkPerson(e.target.value ? Number(e.target.value) : null)} data-testid="timeline-mark-person" disabled={!!ps.ref}>
            <option value="">None</option>
            {people.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <div className="spacer" />
        {tl.selection && (
          <>
            <span data-testid="selection-label">
              Selection {new Date(tl.selection[0]).toLocaleTimeString()}–{new Date(tl.selection[1]).toLocaleTimeString()} ({formatDuration(tl.selection[1] - tl.selection[0])})
            </span>
            <button className="primary" onClick={() => void exportSel()} data-testid="export-button">
              Export MP4
            </button>
            <button onClick={() => tl.setSelection(null)}>Clear</button>
          </>
        )}
      </div>
      <div className="timeline-strip" ref={stripRef}>
        <TimelineCanvas
          lanes={lanes}
          view={tl.view}
          onView={setView}
          coverage={tl.coverage}
          activity={tl.activity}
          events={tl.events}
          marks={marks}
          playhead={tl.playhead}
          selection={tl.selection}
          onSelect={(s, cam) => {
            tl.setSelection(s);
            setSelCamera(cam);
          }}
          onSeek={seek}
          onHover={setHover}
          onEventOpen={(e) => navigate(`events?event=${e.id}`)}
          laneHeight={lanes.length > 4 ? 36 : lanes.length > 2 ? 48 : 64}
        />
        {hover && hoverPreview && (
          <div className="hover-preview" style={{ left: Math.max(0, hover.x - 80), top: hover.y + 14 }} data-testid="hover-preview">
            <SpriteFrame url={hoverPreview.url} frame={hoverPreview.frame} />
            <div className="hover-time">
              {new Date(hover.t).toLocaleString()}
              {hover.event && ` · ${hover.event.label}`}
            </div>
          </div>
        )}
      </div>
      <div className="legend muted">
        <span className="sw coverage" /> recorded <span className="sw activity" /> activity <span className="sw event" /> events (by label) <span className="sw mark" /> chosen person <span className="sw sel" /> selection ·
        wheel/pinch zoom · drag pan · Shift+drag select · click plays · double-click an event opens its clip · J/K/L · ←/→ ±5 s (Shift ±60 s) · [ ] events · ↑/↓ zoom
      </div>
      <div className="timeline-bottom">
        <div className="player" data-testid="timeline-player">
          {play ? (
            <HlsVideo
              key={`${play.cameraId}-${play.from}`}
              ref={video}
              src={vodUrl(play.cameraId, play.from, play.to)}
              startAt={play.from}
              testId="vod-video"
              className="stage-media"
              onTime={onTime}
              onEnded={() => {
                const playing = usePersonSearch.getState().playing;
                if (playing !== null) playClip(playing + 1 < clips.length ? playing + 1 : null);
              }}
              onError={(m) => reportError(new Error(m))}
            />
          ) : (
            <div className="no-image">Click the timeline to play recordings from that instant.</div>
          )}
        </div>
        {ps.ref && <PersonSearchPanel clips={clips} onOpen={openHit} onPlayAll={() => playClip(0)} />}
        <div className="exports panel" aria-label="Exports" hidden={!!ps.ref}>
          <h3>Exports</h3>
          {Object.values(tl.exports).length === 0 && <p className="muted">Shift+drag on the timeline to select a range, then Export.</p>}
          {Object.values(tl.exports).map((x) => (
            <div key={x.export_id} className="export-row" data-testid="export-row" data-state={x.state}>
              <div className="row">
                <span>
                  {cameras.find((c) => c.id === x.camera_id)?.name ?? `Camera ${x.camera_id}`} · {formatDuration(x.to - x.from)}
                </span>
                <span className={`badge ${x.state === 'error' ? 'error' : x.state === 'done' ? 'online' : 'offline'}`}>{x.state}</span>
              </div>
              <progress max={100} value={x.percent} aria-label="Export progress" />
              {x.detail && <div className="muted">{x.detail}</div>}
              {x.state === 'done' && x.file_url && (
                <a href={mediaPath(x.file_url)} download target="_blank" rel="noopener" data-testid="export-download">
                  Download MP4
                </a>
              )}
            </div>
          ))}
        </div>
      </div>
    </section>
  );
}

function preview(h: Hover, spans: readonly Span[], view: View, width: number): { kind: 'sprite'; url: string; frame: number } | null {
  if (h.event?.sprite_url) {
    const s = Date.parse(h.event.window_start || h.event.started_at);
    const e = h.event.window_end ? Date.parse(h.event.window_end) : h.event.ended_at ? Date.parse(h.event.ended_at) : Date.now();
    return { kind: 'sprite', url: eventSpriteUrl(h.event), frame: spriteFrame(h.t, s, e, 10) };
  }
  if (!covered(spans, h.t)) return null;
  const [ws, we] = spriteWindow(h.t, view, width);
  // The live edge is quantised to 10 s so hovering near "now" reuses one strip URL instead of one per mouse move.
  const edge = Math.floor(Date.now() / 10_000) * 10_000;
  const end = Math.min(we, edge);
  if (end - ws < 2_000) return null;
  return { kind: 'sprite', url: rangeSpriteUrl(h.cameraId, ws, end), frame: spriteFrame(h.t, ws, end, 10) };
}

/** One 160×90 cell of a 1600×90 sprite strip, shown only once the strip has loaded (no broken image while it is built). */
function SpriteFrame({ url, frame }: { url: string; frame: number }) {
  const [state, setState] = useState<{ url: string; ok: boolean } | null>(null);
  useEffect(() => {
    let live = true;
    const img = new Image();
    img.onload = () => live && setState({ url, ok: true });
    img.onerror = () => live && setState({ url, ok: false });
    img.src = url;
    return () => {
      live = false;
    };
  }, [url]);
  const ready = state?.url === url && state.ok;
  return (
    <div
      className="sprite-frame"
      data-testid={ready ? 'hover-sprite' : 'hover-sprite-loading'}
      style={ready ? { backgroundImage: `url("${url}")`, backgroundPosition: `${-frame * 160}px 0`, backgroundSize: '1600px 90px' } : undefined}
    >
      {!ready && <span className="muted small">{state?.url === url ? 'no preview' : 'loading…'}</span>}
    </div>
  );
}

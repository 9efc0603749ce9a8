// Live grid: layouts 1/2×2/3×3/4×4/auto with paging, drag or Alt+arrow reordering (kept as grid-prefs says), Enter opens a camera.
import { useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import { navigate } from '../../router';
import { moveId, orderCameras, useCameras } from '../../stores/cameras.store';
import { useSession } from '../../stores/session.store';
import { useDetections } from '../../stores/detections.store';
import { CameraTile, type TileFeed } from './camera-tile';
import { useGridPrefs } from './grid-prefs';
import type { Settings } from '../../../../src-main/shared/settings';

type Layout = Settings['ui_grid_layout'];
const LAYOUTS: { id: Layout; label: string; key: string }[] = [
  { id: '1', label: '1', key: '1' },
  { id: '2x2', label: '2×2', key: '2' },
  { id: '3x3', label: '3×3', key: '3' },
  { id: '4x4', label: '4×4', key: '4' },
  { id: 'auto', label: 'Auto', key: '0' },
];

export const GRID_FPS = 2;
/** Above this many visible tiles, tiles poll snapshots instead of holding MJPEG connections (HTTP/1.1 allows ~6 per host). */
export const MAX_MJPEG_TILES = 4;

export function gridColumns(layout: Layout, count: number): number {
  if (layout === 'auto') return Math.max(1, Math.ceil(Math.sqrt(count)));
  return Number(layout[0]);
}

export function LiveGrid() {
  const cameras = useCameras((s) => s.cameras);
  const grid = useGridPrefs();
  const reportError = useSession((s) => s.reportError);
  const [page, setPage] = useState(0);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    // Status pushes are change-only; a periodic list refresh keeps "time since last frame" current.
    const r = setInterval(() => void useCameras.getState().load().catch(() => undefined), 5000);
    return () => {
      clearInterval(t);
      clearInterval(r);
    };
  }, []);

  const layout: Layout = grid.layout;
  const ordered = useMemo(() => orderCameras(cameras, grid.order), [cameras, grid.order]);
  const cols = gridColumns(layout, ordered.length);
  const perPage = layout === 'auto' ? Math.max(1, ordered.length) : cols * cols;
  const pages = Math.max(1, Math.ceil(ordered.length / perPage));
  const pg = Math.min(page, pages - 1);
  const visible = ordered.slice(pg * perPage, pg * perPage + perPage);
  const rows = Math.max(1, Math.ceil(visible.length / cols));
  const feed: TileFeed = visible.length <= MAX_MJPEG_TILES ? 'mjpeg' : 'poll';

  const showBoxes = useDetections((s) => s.show);
  const setShowBoxes = useDetections((s) => s.setShow);
  const setLayout = (l: Layout) => grid.setLayout(l).catch(reportError);
  const reorder = (id: number, target: number) => {
    const order = moveId(ordered.map((c) => c.id), id, target);
    grid.setOrder(order).catch(reportError);
  };
  const focusTile = (id: number) => requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-testid="tile"][data-camera-id="${id}"]`)?.focus());

  const onTileKey = (e: KeyboardEvent<HTMLDivElement>, idx: number) => {
    const cam = visible[idx];
    if (!cam) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      navigate(`live/${cam.id}`);
      return;
    }
    const delta = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : e.key === 'ArrowDown' ? cols : e.key === 'ArrowUp' ? -cols : 0;
    if (!delta) return;
    e.preventDefault();
    const target = visible[idx + delta];
    if (!target) return;
    if (e.altKey) {
      reorder(cam.id, target.id);
      focusTile(cam.id);
    } else focusTile(target.id);
  };

  const onGridKey = (e: KeyboardEvent<HTMLElement>) => {
    if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement) return;
    const l = LAYOUTS.find((x) => x.key === e.key && !e.altKey && !e.ctrlKey && !e.metaKey);
    if (l) setLayout(l.id);
    else if ((e.key === 'b' || e.key === 'B') && !e.altKey && !e.ctrlKey && !e.metaKey) setShowBoxes(!showBoxes);
    else if (e.key === 'PageDown') setPage(Math.min(pages - 1, pg + 1));
    else if (e.key === 'PageUp') setPage(Math.max(0, pg - 1));
  };

  return (
    <section className="screen live" aria-label="Live" onKeyDown={onGridKey} data-testid="live-grid">
      <div className="toolbar">
        <h2>Live</h2>
        <div className="seg" role="group" aria-label="Layout">
          {LAYOUTS.map((l) => (
            <button key={l.id} className={layout === l.id ? 'active' : ''} aria-pressed={layout === l.id} title={`Layout ${l.label} (key ${l.key})`} onClick={() => setLayout(l.id)} data-testid={`layout-${l.id}`}>
              {l.label}
            </button>
          ))}
        </div>
        {pages > 1 && (
          <div className="row">
            <button onClick={() => setPage(Math.max(0, pg - 1))} disabled={pg === 0} aria-label="Previous page">
              ‹
            </button>
            <span>
              {pg + 1}/{pages}
            </span>
            <button onClick={() => setPage(Math.min(pages - 1, pg + 1))} disabled={pg >= pages - 1} aria-label="Next page">
              ›
            </button>
          </div>
        )}
        <label className="row" title="Detection boxes, class, score and recognised name over live video (key B)">
          <input type="checkbox" checked={showBoxes} onChange={(e) => setShowBoxes(e.target.checked)} data-testid="overlay-toggle" /> Boxes
        </label>
        <span className="muted hint">Enter/double-click opens · arrows move · Alt+arrows or drag reorders · 1–4/0 layout · B boxes</span>
      </div>
      {ordered.length === 0 ? (
        <div className="empty">
          No cameras yet. <button onClick={() => navigate('cameras?new=1')}>Add a camera</button>
        </div>
      ) : (
        <div className="grid" style={{ gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))`, gridTemplateRows: `repeat(${rows}, minmax(0, 1fr))` }}>
          {visible.map((cam, i) => (
            <CameraTile
              key={cam.id}
              camera={cam}
              fps={GRID_FPS}
              feed={feed}
              now={now}
              onOpen={() => navigate(`live/${cam.id}`)}
              onKeyDown={(e) => onTileKey(e, i)}
              onDragStart={(e) => e.dataTransfer.setData('text/x-vigil-camera', String(cam.id))}
              onDrop={(e) => {
                e.preventDefault();
                const id = Number(e.dataTransfer.getData('text/x-vigil-camera'));
                if (id && id !== cam.id) reorder(id, cam.id);
              }}
            />
          ))}
        </div>
      )}
    </section>
  );
}

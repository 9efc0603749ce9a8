// One live grid tile: the camera's stream over MSE (else HLS, else low-fps MJPEG), name, status, recording indicator and
// frame age; offline tiles keep the last frame dimmed.
import { useEffect, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { liveHlsUrl, liveMseUrl, liveSnapshotUrl, liveStreamUrl } from '../../api/media-routes';
import { DetectionOverlay } from '../../components/detection-overlay';
import { HlsVideo } from '../../components/hls-video';
import { LiveImage } from '../../components/live-image';
import { MseVideo } from '../../components/mse-video';
import { useSettings } from '../../stores/settings.store';
import { StatusBadge } from '../../components/status-badge';
import type { Camera } from '../../stores/cameras.store';
import { ago, useLive } from '../../stores/live.store';

export type TileFeed = 'mjpeg' | 'poll';
/** What a tile plays: the copy stream over MSE by default; HLS, then MJPEG (or snapshots), when that cannot play here. */
export type LiveTransport = 'mse' | 'hls' | 'mjpeg';

/**
 * The transport a video tile falls back through: MSE → HLS (when enabled) → MJPEG, with the reason to show. The reason
 * is kept per camera for the session, so a codec the browser cannot play is not retried on every render.
 */
export function useLiveTransport(cameraId: number): { transport: LiveTransport; reason: string | null; fail(reason: string): void } {
  const hlsEnabled = useSettings((s) => s.settings?.hls_enabled ?? true);
  const [state, setState] = useState<{ transport: LiveTransport; reason: string | null }>(() => fallbacks.get(cameraId) ?? { transport: 'mse', reason: null });
  const fail = (why: string) =>
    setState((cur) => {
      const next = cur.transport === 'mse' && hlsEnabled ? { transport: 'hls' as const, reason: `MSE: ${why}; playing HLS` } : { transport: 'mjpeg' as const, reason: `${cur.transport === 'mse' ? 'MSE' : 'HLS'}: ${why}; showing MJPEG` };
      fallbacks.set(cameraId, next);
      return next;
    });
  return { ...state, fail };
}
const fallbacks = new Map<number, { transport: LiveTransport; reason: string | null }>();

interface Props {
  camera: Camera;
  fps: number;
  feed: TileFeed;
  now: number;
  onOpen(): void;
  onKeyDown(e: KeyboardEvent<HTMLDivElement>): void;
  onDragStart(e: DragEvent): void;
  onDrop(e: DragEvent): void;
}

/**
 * The image source: MJPEG (or snapshot polling when many tiles would exceed the browser's per-host connection cap)
 * while online; the last snapshot once offline. Errors fall back MJPEG → snapshot → placeholder, never a broken image.
 */
function useTileImage(camera: Camera, fps: number, feed: TileFeed, transport: LiveTransport, videoRef: { current: HTMLVideoElement | null }) {
  const online = camera.status === 'online' && camera.enabled;
  const [failed, setFailed] = useState<'none' | 'stream' | 'all'>('none');
  const [tick, setTick] = useState(0);
  const [session, setSession] = useState(() => Date.now());
  const frameArrived = useLive((s) => s.frameArrived);
  const pending = useRef(false);
  const imgRef = useRef<HTMLImageElement | null>(null);
  const frozenRef = useRef<string | null>(null);
  const prevOnline = useRef(online);
  if (prevOnline.current !== online) {
    // Read the still-live DOM image before this render swaps its source.
    prevOnline.current = online;
    frozenRef.current = online ? null : (freezeFrame(imgRef.current) ?? freezeFrame(videoRef.current));
    if (frozenRef.current) useLive.getState().keepStill(camera.id, frozenRef.current);
  }
  const still = useLive((st) => st.stills[camera.id]);
  const keepStill = useLive((st) => st.keepStill);
  const frozen = frozenRef.current ?? (online ? null : (still ?? null));

  useEffect(() => {
    const el = imgRef.current;
    const video = videoRef;
    const id = camera.id;
    // On unmount (screen change), remember what the tile showed while it was live.
    return () => {
      if (!prevOnline.current) return;
      const f = freezeFrame(el) ?? freezeFrame(video.current);
      if (f) keepStill(id, f);
    };
  }, [camera.id, keepStill, videoRef]);

  useEffect(() => {
    setFailed('none');
    setSession(Date.now());
  }, [online]);

  useEffect(() => {
    if (failed === 'none') return;
    const t = setTimeout(() => {
      setFailed('none');
      setSession(Date.now());
    }, 5000);
    return () => clearTimeout(t);
  }, [failed]);

  const polling = online && transport === 'mjpeg' && (feed === 'poll' || failed === 'stream');
  useEffect(() => {
    if (!polling) return;
    const t = setInterval(() => {
      if (!pending.current) {
        pending.current = true;
        setTick((n) => n + 1);
      }
    }, 1000 / Math.max(0.5, fps));
    return () => clearInterval(t);
  }, [polling, fps]);

  let src: string | null;
  if (online && transport !== 'mjpeg') src = null;
  else if (!online && frozen) src = frozen;
  else if (failed === 'all') src = null;
  else if (online && feed === 'mjpeg' && failed === 'none') src = liveStreamUrl(camera.id, fps, session);
  else src = liveSnapshotUrl(camera.id, online ? tick + session : session);

  return {
    src,
    // While an MJPEG stream connects, a snapshot underneath avoids a black tile.
    poster: online && (transport !== 'mjpeg' || (feed === 'mjpeg' && failed === 'none')) ? liveSnapshotUrl(camera.id, session) : null,
    online,
    imgRef,
    onLoad: () => {
      pending.current = false;
      if (online) frameArrived(camera.id);
    },
    onError: () => {
      pending.current = false;
      setFailed((f) => (f === 'none' && online && feed === 'mjpeg' ? 'stream' : 'all'));
    },
  };
}

export function CameraTile({ camera, fps, feed, now, onOpen, onKeyDown, onDragStart, onDrop }: Props) {
  const live = useLiveTransport(camera.id);
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const img = useTileImage(camera, fps, feed, live.transport, videoRef);
  const [aspect, setAspect] = useState<number | null>(null);
  const frameArrived = useLive((s) => s.frameArrived);
  const playing = img.online && live.transport !== 'mjpeg';
  const keepStill = useLive((s) => s.keepStill);
  // Leaving the screen or going offline: the video's last picture is what the tile keeps, as with the MJPEG image.
  const keepVideoStill = (v: HTMLVideoElement) => {
    const f = freezeFrame(v);
    if (f) keepStill(camera.id, f);
  };
  const onVideoPlaying = () => {
    frameArrived(camera.id);
    const v = videoRef.current;
    if (v?.videoWidth) setAspect(v.videoWidth / v.videoHeight);
  };
  const manual = useLive((s) => !!s.recording[camera.id]);
  const lastSeen = camera.last_seen ? Date.parse(camera.last_seen) : null;
  const recording = manual || (img.online && camera.recording_mode !== 'off');
  const reason = !camera.enabled ? 'Disabled' : camera.status === 'error' ? camera.last_error || 'Worker error' : camera.status === 'offline' ? camera.last_error || 'No signal' : null;
  return (
    <div
      className={`tile ${img.online ? '' : 'dim'}`}
      tabIndex={0}
      role="button"
      aria-label={`${camera.name}, ${camera.status}. Press Enter to open.`}
      data-testid="tile"
      data-camera-id={camera.id}
      data-status={camera.status}
      draggable
      onDoubleClick={onOpen}
      onKeyDown={onKeyDown}
      onDragStart={onDragStart}
      onDragOver={(e) => e.preventDefault()}
      onDrop={onDrop}
    >
      {img.poster && <img className="poster" src={img.poster} alt="" aria-hidden draggable={false} />}
      {playing && live.transport === 'mse' ? (
        <MseVideo ref={videoRef} url={liveMseUrl(camera.id)} testId="tile-video" onUnsupported={live.fail} onPlaying={onVideoPlaying} onRelease={keepVideoStill} />
      ) : playing && live.transport === 'hls' ? (
        <HlsVideo src={liveHlsUrl(camera.id)} live muted controls={false} testId="tile-video" onError={live.fail} onTime={onVideoPlaying} />
      ) : img.src ? (
        <LiveImage ref={img.imgRef} src={img.src} alt={camera.name} draggable={false} onLoad={img.onLoad} onError={img.onError} data-testid="tile-image" />
      ) : (
        <div className="no-image" data-testid="tile-placeholder">
          No image
        </div>
      )}
      {playing && <DetectionOverlay cameraId={camera.id} aspect={aspect} />}
      <div className="tile-top">
        <span className="tile-name">{camera.name}</span>
        <StatusBadge status={camera.status} />
        {recording && (
          <span className={`rec ${manual ? 'manual' : ''}`} title={manual ? 'Manual recording' : `Recording (${camera.recording_mode})`} data-testid="rec-indicator">
            ● REC
          </span>
        )}
      </div>
      <div className="tile-bottom">
        {reason && (
          <span className="tile-reason" data-testid="tile-reason">
            {reason}
          </span>
        )}
        {img.online && live.reason && (
          <span className="tile-fallback" title={live.reason} data-testid="tile-fallback">
            {live.reason}
          </span>
        )}
        <span className="tile-age" title="Time since the last frame">
          {lastSeen ? `${ago(lastSeen, now)} ago` : 'no frame yet'}
        </span>
        {img.online && <span className="tile-fps">{camera.fps.toFixed(1)} fps</span>}
      </div>
    </div>
  );
}

/**
 * The frame currently shown by a tile image as a data: URL, so an offline tile keeps its last live frame even when the
 * server no longer has one. Null when nothing is decoded or the canvas is tainted (cross-origin without CORS).
 */
function freezeFrame(img: HTMLImageElement | HTMLVideoElement | null): string | null {
  if (!img) return null;
  const [w, h] = img instanceof HTMLVideoElement ? [img.videoWidth, img.videoHeight] : [img.naturalWidth, img.naturalHeight];
  if (!w || (img instanceof HTMLImageElement && img.src.startsWith('data:'))) return null;
  try {
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    c.getContext('2d')?.drawImage(img, 0, 0);
    return c.toDataURL('image/jpeg', 0.85);
  } catch {
    return null;
  }
}

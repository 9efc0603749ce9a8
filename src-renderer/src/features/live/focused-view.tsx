// Focused camera: the live stream with sound over MSE (else HLS, else MJPEG), fullscreen, manual recording with a timer,
// snapshot download, and a mini timeline of the last hour.
import { useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import { liveHlsCloseUrl, liveHlsUrl, liveMseUrl, liveSnapshotUrl, liveStreamUrl } from '../../api/media-routes';
import { DetectionOverlay } from '../../components/detection-overlay';
import { HlsVideo } from '../../components/hls-video';
import { LiveImage } from '../../components/live-image';
import { MseVideo } from '../../components/mse-video';
import { StatusBadge } from '../../components/status-badge';
import { navigate } from '../../router';
import { useCameras } from '../../stores/cameras.store';
import { ago, clock, useLive } from '../../stores/live.store';
import { useSession } from '../../stores/session.store';
import { useSettings } from '../../stores/settings.store';
import { TimelineCanvas } from '../timeline/timeline-canvas';
import { HOUR, mergeSpans, type Span } from '../timeline/timeline-math';
import type { EventDto } from '../../stores/events.store';
import type { Activity } from '../../stores/timeline.store';

export function FocusedView({ cameraId }: { cameraId: number }) {
  const camera = useCameras((s) => s.cameras.find((c) => c.id === cameraId));
  const loaded = useCameras((s) => s.loaded);
  const maxFps = useSettings((s) => s.settings?.live_mjpeg_fps ?? 10);
  const hlsEnabled = useSettings((s) => s.settings?.hls_enabled ?? true);
  const { recording, lastClip, startRecording, stopRecording } = useLive();
  const { reportError, toast } = useSession();
  const [mode, setMode] = useState<'mse' | 'mjpeg' | 'hls'>('mse');
  const [fallback, setFallback] = useState<string | null>(null);
  const [aspect, setAspect] = useState<number | null>(null);
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const mseFailed = (why: string) => {
    setFallback(hlsEnabled ? `MSE: ${why}; playing HLS` : `MSE: ${why}; showing MJPEG`);
    setMode(hlsEnabled ? 'hls' : 'mjpeg');
  };
  const [imgFailed, setImgFailed] = useState(false);
  const [now, setNow] = useState(Date.now());
  const stage = useRef<HTMLDivElement>(null);
  const rec = recording[cameraId];
  const clip = lastClip[cameraId];

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 500);
    // Status pushes are change-only: without a refresh "last frame … ago" grows forever on a healthy camera.
    const r = setInterval(() => void useCameras.getState().load().catch(() => undefined), 5000);
    return () => {
      clearInterval(t);
      clearInterval(r);
    };
  }, []);

  useEffect(() => {
    if (mode !== 'hls') return;
    return () => {
      void fetch(liveHlsCloseUrl(cameraId), { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
    };
  }, [mode, cameraId]);

  useEffect(() => setImgFailed(false), [camera?.status]);
  useEffect(() => {
    // A dropped stream (network blip, proxy timeout) must not leave an online camera on "No image" until its status changes.
    if (!imgFailed) return;
    const t = setTimeout(() => setImgFailed(false), 5000);
    return () => clearTimeout(t);
  }, [imgFailed]);

  const toggleRecord = async () => {
    try {
      if (rec) {
        const c = await stopRecording(cameraId);
        toast(`Recording saved (${c.duration.toFixed(1)} s)`);
      } else await startRecording(cameraId);
    } catch (err) {
      reportError(err);
    }
  };
  const fullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else stage.current?.requestFullscreen().catch(reportError);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'Escape' && !document.fullscreenElement) navigate('live');
      else if (e.key === 'f') fullscreen();
      else if (e.key === 'r') void toggleRecord();
      else if (e.key === 'h' && hlsEnabled) setMode((m) => (m === 'hls' ? 'mse' : 'hls'));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (!camera) return <section className="screen">{loaded ? <p>Camera {cameraId} not found. <button onClick={() => navigate('live')}>Back to grid</button></p> : <p>Loading…</p>}</section>;
  const online = camera.status === 'online';
  const snapName = `${camera.name.replace(/[^\w.-]+/g, '_')}-${new Date().toISOString().replace(/[:.]/g, '-')}.jpg`;

  return (
    <section className="screen focused" aria-label={`Camera ${camera.name}`} data-testid="focused-view">
      <div className="toolbar">
        <button onClick={() => navigate('live')} title="Back to the grid (Esc)">
          ← Grid
        </button>
        <h2>{camera.name}</h2>
        <StatusBadge status={camera.status} />
        <span className="muted" data-testid="last-frame">{camera.last_seen ? `last frame ${ago(Date.parse(camera.last_seen), now)} ago` : 'no frame yet'} · {camera.fps.toFixed(1)} fps</span>
        <div className="spacer" />
        <div className="seg" role="group" aria-label="Live mode">
          <button className={mode === 'mse' ? 'active' : ''} aria-pressed={mode === 'mse'} onClick={() => setMode('mse')} title="The camera's own stream with sound, under a second behind" data-testid="mode-mse">
            Live
          </button>
          <button className={mode === 'mjpeg' ? 'active' : ''} aria-pressed={mode === 'mjpeg'} onClick={() => setMode('mjpeg')} data-testid="mode-mjpeg">
            MJPEG
          </button>
          <button className={mode === 'hls' ? 'active' : ''} aria-pressed={mode === 'hls'} disabled={!hlsEnabled} onClick={() => setMode('hls')} title="HLS with sound (H)" data-testid="mode-hls">
            HLS + sound
          </button>
        </div>
        <button onClick={fullscreen} title="Fullscreen (F)">
          Fullscreen
        </button>
        <a className="button" href={liveSnapshotUrl(cameraId, now)} download={snapName} target="_blank" rel="noopener" data-testid="snapshot-download">
          Snapshot
        </a>
        <button className={rec ? 'danger recording' : ''} onClick={() => void toggleRecord()} title="Start/stop manual recording (R)" data-testid="record-button">
          {rec ? `■ Stop ${clock(now - rec.local_start)}` : '● Record'}
        </button>
      </div>
      {clip && !rec && (
        <div className="notice" data-testid="last-clip">
          Last manual recording: {clip.duration.toFixed(1)} s —{' '}
          <a href={`#/events?event=${clip.event_id}`} data-testid="last-clip-link">
            open event #{clip.event_id}
          </a>
        </div>
      )}
      {fallback && mode !== 'mse' && (
        <div className="notice" data-testid="live-fallback">
          {fallback}
        </div>
      )}
      <div className="stage" ref={stage}>
        {mode === 'mse' && online ? (
          <MseVideo
            ref={videoRef}
            url={liveMseUrl(cameraId)}
            controls
            muted={false}
            testId="live-video"
            className="stage-media"
            onUnsupported={mseFailed}
            onPlaying={() => {
              const v = videoRef.current;
              if (v?.videoWidth) setAspect(v.videoWidth / v.videoHeight);
            }}
          />
        ) : mode === 'hls' ? (
          <HlsVideo
            src={liveHlsUrl(cameraId)}
            live
            testId="live-video"
            className="stage-media"
            onError={(m) => {
              if (!fallback) return reportError(new Error(m));
              setFallback(`HLS: ${m}; showing MJPEG`);
              setMode('mjpeg');
            }}
          />
        ) : imgFailed ? (
          <div className="no-image">No image: {camera.last_error ?? camera.status}</div>
        ) : (
          <LiveImage
            className={`stage-media ${online ? '' : 'dim'}`}
            src={online ? liveStreamUrl(cameraId, maxFps) : liveSnapshotUrl(cameraId)}
            alt={`${camera.name} live`}
            onError={() => setImgFailed(true)}
            data-testid="live-image"
          />
        )}
        {mode !== 'mjpeg' && online && <DetectionOverlay cameraId={cameraId} aspect={aspect} />}
        {!online && <div className="stage-reason">{!camera.enabled ? 'Disabled' : camera.last_error ?? 'Offline'}</div>}
      </div>
      <MiniTimeline cameraId={cameraId} name={camera.name} />
    </section>
  );
}

function MiniTimeline({ cameraId, name }: { cameraId: number; name: string }) {
  const [data, setData] = useState<{ coverage: Span[]; events: EventDto[]; activity: Activity | null; from: number; to: number } | null>(null);
  useEffect(() => {
    let stop = false;
    const load = async () => {
      const to = Date.now() + 60_000;
      const from = to - HOUR - 60_000;
      try {
        const [cov, act, ev] = await Promise.all([
          api.call('recordings.coverage', { camera_id: cameraId, from, to, min_gap_ms: 5000 }),
          api.call('recordings.activity', { camera_id: cameraId, from, to, buckets: 240 }),
          api.call('events.list', { camera_id: cameraId, from, to, limit: 200 }),
        ]);
        if (!stop) setData({ coverage: mergeSpans(cov.cameras.find((c) => c.camera_id === cameraId)?.spans ?? []), activity: act, events: ev.items, from, to });
      } catch {
        // The mini timeline is decoration: the full timeline reports errors.
      }
    };
    void load();
    const t = setInterval(load, 15_000);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [cameraId]);
  const to = data?.to ?? Date.now() + 60_000;
  return (
    <div className="mini-timeline" aria-label="Last hour">
      <TimelineCanvas
        testId="mini-timeline"
        lanes={[{ cameraId, name: `${name} — last hour (click to play)` }]}
        view={{ start: to - HOUR - 60_000, end: to }}
        coverage={{ [cameraId]: data?.coverage ?? [] }}
        activity={data?.activity ?? null}
        events={data?.events ?? []}
        playhead={null}
        laneHeight={36}
        onSeek={(cam, t) => navigate(`timeline?camera=${cam}&t=${Math.round(t)}&play=1`)}
      />
    </div>
  );
}

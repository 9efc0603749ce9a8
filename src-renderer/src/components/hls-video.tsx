// <video> for an HLS playlist: native HLS where the browser has it, hls.js elsewhere; reports the wall-clock playing date.
import type Hls from 'hls.js';
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';

export interface HlsVideoHandle {
  video: HTMLVideoElement | null;
  /** Wall-clock time of the current frame (EXT-X-PROGRAM-DATE-TIME), when the playlist carries it. */
  playingDate(): Date | null;
}

interface Props {
  src: string;
  live?: boolean;
  autoPlay?: boolean;
  muted?: boolean;
  controls?: boolean;
  className?: string;
  testId?: string;
  onError?(msg: string): void;
  onTime?(video: HTMLVideoElement): void;
  onEnded?(): void;
  /** Wall-clock instant (epoch ms) to start at, located through the playlist's EXT-X-PROGRAM-DATE-TIME. */
  startAt?: number;
}

export const HlsVideo = forwardRef<HlsVideoHandle, Props>(function HlsVideo({ src, live, autoPlay = true, muted, controls = true, className, testId, onError, onTime, onEnded, startAt }, ref) {
  const video = useRef<HTMLVideoElement>(null);
  const hls = useRef<Hls | null>(null);
  const errRef = useRef(onError);
  errRef.current = onError;

  useImperativeHandle(ref, () => ({
    get video() {
      return video.current;
    },
    playingDate() {
      const h = hls.current;
      if (h) return h.playingDate;
      const v = video.current as (HTMLVideoElement & { getStartDate?: () => Date }) | null;
      const start = v?.getStartDate?.();
      return start && Number.isFinite(start.getTime()) ? new Date(start.getTime() + (v?.currentTime ?? 0) * 1000) : null;
    },
  }));

  useEffect(() => {
    const v = video.current;
    if (!v) return;
    let disposed = false;
    const play = () => {
      if (!autoPlay) return;
      v.play().catch(() => {
        v.muted = true;
        v.play().catch(() => undefined);
      });
    };
    const attach = (Hls: typeof import('hls.js').default) => {
      if (disposed) return;
      // Live playlists are low-latency HLS (parts + blocking reloads): hls.js plays at the server's PART-HOLD-BACK.
      const h = new Hls(live ? { lowLatencyMode: true, manifestLoadingMaxRetry: 6, manifestLoadingRetryDelay: 1000 } : { maxBufferLength: 30 });
      hls.current = h;
      h.on(Hls.Events.MANIFEST_PARSED, play);
      if (startAt !== undefined)
        h.once(Hls.Events.LEVEL_LOADED, (_e, data) => {
          const first = data.details.fragments[0]?.programDateTime;
          if (first) {
            const offset = Math.max(0, (startAt - first) / 1000);
            v.currentTime = offset;
          }
        });
      h.on(Hls.Events.ERROR, (_e, data) => {
        if (!data.fatal) return;
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR) h.recoverMediaError();
        else errRef.current?.(`Playback failed: ${data.details}${data.response?.code ? ` (HTTP ${data.response.code})` : ''}`);
      });
      h.loadSource(src);
      h.attachMedia(v);
    };
    const native = () => {
      v.src = src;
      v.addEventListener(
        'loadedmetadata',
        () => {
          const sd = (v as HTMLVideoElement & { getStartDate?: () => Date }).getStartDate?.();
          if (startAt !== undefined && sd && Number.isFinite(sd.getTime())) v.currentTime = Math.max(0, (startAt - sd.getTime()) / 1000);
          play();
        },
        { once: true },
      );
    };
    const canNative = v.canPlayType('application/vnd.apple.mpegurl') !== '';
    const hasMse = 'MediaSource' in window || 'ManagedMediaSource' in window;
    if (hasMse)
      void import('hls.js').then(
        ({ default: Hls }) => (Hls.isSupported() ? attach(Hls) : canNative ? native() : errRef.current?.('This browser cannot play HLS.')),
        () => (canNative ? native() : errRef.current?.('The HLS player failed to load.')),
      );
    else if (canNative) native();
    else errRef.current?.('This browser cannot play HLS.');
    return () => {
      disposed = true;
      hls.current?.destroy();
      hls.current = null;
      v.removeAttribute('src');
      v.load();
    };
  }, [src, live, autoPlay, startAt]);

  return (
    <video
      ref={video}
      className={className}
      data-testid={testId}
      muted={muted}
      controls={controls}
      playsInline
      onTimeUpdate={(e) => onTime?.(e.currentTarget)}
      onEnded={onEnded}
    />
  );
});

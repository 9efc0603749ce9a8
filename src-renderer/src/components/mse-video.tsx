// <video> fed by Media Source Extensions from the live WebSocket: the camera's own stream, no transcoding, sub-second.
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';

interface Props {
  /** ws:// or wss:// URL of /api/live/{id}/mse (with the media token when one is needed). */
  url: string;
  muted?: boolean;
  controls?: boolean;
  className?: string;
  testId?: string;
  /** The stream's codecs cannot play here (or there is no MediaSource): the caller falls back. */
  onUnsupported(reason: string): void;
  /** The first frame is on screen. */
  onPlaying?(): void;
  /** Called with the element just before it lets go of its stream (unmount, new URL): the last chance to read its picture. */
  onRelease?(video: HTMLVideoElement): void;
}

/** Seconds kept behind the playhead; older media is removed so a long session does not grow without bound. */
const KEEP_BEHIND_S = 10;
/** Further than this behind the newest media, the playhead jumps to it instead of catching up. */
const MAX_LAG_S = 1.5;
/** A connection that brings no codec message in this long has no live stream to play (the caller falls back). */
const FIRST_MESSAGE_MS = 10_000;

type MediaSourceCtor = typeof MediaSource;

/** The MediaSource implementation of this browser (ManagedMediaSource on iOS Safari), or null. */
export function mediaSourceCtor(): MediaSourceCtor | null {
  const w = window as unknown as { ManagedMediaSource?: MediaSourceCtor; MediaSource?: MediaSourceCtor };
  return w.MediaSource ?? w.ManagedMediaSource ?? null;
}

export const MseVideo = forwardRef<HTMLVideoElement | null, Props>(function MseVideo({ url, muted = true, controls = false, className, testId, onUnsupported, onPlaying, onRelease }, ref) {
  const video = useRef<HTMLVideoElement>(null);
  const cb = useRef({ onUnsupported, onPlaying, onRelease });
  cb.current = { onUnsupported, onPlaying, onRelease };
  useImperativeHandle(ref, () => video.current as HTMLVideoElement, []);

  useEffect(() => {
    const v = video.current;
    const MS = mediaSourceCtor();
    if (!v) return;
    if (!MS) {
      cb.current.onUnsupported('this browser has no Media Source Extensions');
      return;
    }
    let disposed = false;
    let ws: WebSocket | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let objectUrl: string | null = null;
    let played = false;

    const connect = () => {
      let ms: MediaSource | null = null;
      let sb: SourceBuffer | null = null;
      const queue: ArrayBuffer[] = [];
      let failed = false;

      const pump = () => {
        if (!sb || sb.updating || !ms || ms.readyState !== 'open') return;
        const next = queue.shift();
        if (next) {
          try {
            sb.appendBuffer(next);
          } catch {
            // QuotaExceeded or a decode error: start over on a fresh connection (it begins at a keyframe).
            restart();
          }
          return;
        }
        const b = sb.buffered;
        if (!b.length) return;
        const end = b.end(b.length - 1);
        if (v.currentTime < b.start(0) || end - v.currentTime > MAX_LAG_S) v.currentTime = Math.max(b.start(0), end - 0.2);
        // A little faster while behind: the browser's own buffering otherwise accumulates latency.
        v.playbackRate = end - v.currentTime > 0.5 ? 1.1 : 1;
        const cut = v.currentTime - KEEP_BEHIND_S;
        if (cut > b.start(0) + 1) sb.remove(b.start(0), cut);
      };

      const open = (mime: string) => {
        if (!MS.isTypeSupported(mime)) {
          failed = true;
          ws?.close();
          cb.current.onUnsupported(`${mime.replace(/^video\/mp4; codecs=/, '').replace(/"/g, '')} is not playable here`);
          return;
        }
        ms = new MS();
        const source = ms;
        if (objectUrl) URL.revokeObjectURL(objectUrl);
        objectUrl = URL.createObjectURL(source);
        v.src = objectUrl;
        source.addEventListener(
          'sourceopen',
          () => {
            if (disposed || ms !== source) return;
            sb = source.addSourceBuffer(mime);
            sb.mode = 'segments';
            sb.addEventListener('updateend', pump);
            pump();
          },
          { once: true },
        );
        // A browser may refuse to start sound without a gesture: play muted rather than not at all.
        v.play().catch(() => {
          v.muted = true;
          v.play().catch(() => undefined);
        });
      };

      const restart = () => {
        if (disposed || failed) return;
        ws?.close();
      };

      const sock = new WebSocket(url);
      ws = sock;
      const silent = setTimeout(() => {
        failed = true;
        sock.close();
        cb.current.onUnsupported('the camera sends no live stream');
      }, FIRST_MESSAGE_MS);
      sock.addEventListener('close', () => clearTimeout(silent));
      sock.binaryType = 'arraybuffer';
      sock.onmessage = (e: MessageEvent<string | ArrayBuffer>) => {
        if (typeof e.data === 'string') {
          let msg: { type?: string; value?: string };
          try {
            msg = JSON.parse(e.data) as { type?: string; value?: string };
          } catch {
            return;
          }
          if (msg.type !== 'mse' || !msg.value) return;
          clearTimeout(silent);
          // A second codec message is a restarted stream: a new MediaSource for its new init segment.
          queue.length = 0;
          sb = null;
          open(msg.value);
          return;
        }
        queue.push(e.data);
        pump();
      };
      sock.onclose = () => {
        if (ws === sock) ws = null;
        if (disposed || failed) return;
        retry = setTimeout(connect, 2000);
      };
    };

    const onPlayingEvent = () => {
      if (played) return;
      played = true;
      cb.current.onPlaying?.();
    };
    v.addEventListener('playing', onPlayingEvent);
    connect();
    return () => {
      if (played) cb.current.onRelease?.(v);
      disposed = true;
      if (retry) clearTimeout(retry);
      v.removeEventListener('playing', onPlayingEvent);
      ws?.close();
      v.removeAttribute('src');
      v.load();
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [url]);

  return <video ref={video} className={className} data-testid={testId} muted={muted} controls={controls} autoPlay playsInline disablePictureInPicture={!controls} />;
});

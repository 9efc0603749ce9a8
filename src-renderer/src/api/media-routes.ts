// Raw media routes the UI loads in <img>/<video>/hls.js; every URL goes through mediaUrl() for the per-launch token.
import { mediaUrl } from './media';
import { toWebSocketUrl } from './ws-url';

export const liveSnapshotUrl = (id: number, bust?: number) => mediaUrl(`/api/live/${id}/snapshot`, { t: bust });
export const liveStreamUrl = (id: number, fps?: number, session?: number) => mediaUrl(`/api/live/${id}/stream`, { fps, s: session });
/** The MSE WebSocket of a camera (ws:// or wss:// of the same server). */
export const liveMseUrl = (id: number) => toWebSocketUrl(mediaUrl(`/api/live/${id}/mse`));
export const liveHlsUrl = (id: number) => mediaUrl(`/api/live/${id}/hls/index.m3u8`);
export const liveHlsCloseUrl = (id: number) => mediaUrl(`/api/live/${id}/hls/close`);

/** Event media: the DTO carries server-relative URLs; fall back to the documented paths. */
export const eventClipUrl = (e: { id: number; clip_url?: string | null }) => mediaUrl(stripQuery(e.clip_url) ?? `/api/events/${e.id}/clip`);
export const eventThumbUrl = (e: { id: number; thumbnail_url?: string | null }) => mediaUrl(stripQuery(e.thumbnail_url) ?? `/api/events/${e.id}/thumbnail`);
export const eventSpriteUrl = (e: { id: number; sprite_url?: string | null }) => mediaUrl(stripQuery(e.sprite_url) ?? `/api/events/${e.id}/sprite`);

/** Continuous playback of a camera's recordings from `from` (epoch ms) as an HLS VOD playlist across segments. */
export const vodUrl = (cameraId: number, from: number, to: number) => mediaUrl(`/api/recordings/${cameraId}/vod.m3u8`, { from: Math.floor(from), to: Math.ceil(to) });
/** A single recorded frame near t (epoch ms) for hover previews; no video is loaded. */
export const frameUrl = (cameraId: number, t: number, width = 160) => mediaUrl(`/api/recordings/${cameraId}/frame.jpg`, { ts: Math.round(t / 1000) * 1000, w: width });
/** Hover-scrub strip: 10 frames of [from, to) (≤ 30 min) in one 1600×90 JPEG. */
export const rangeSpriteUrl = (cameraId: number, from: number, to: number) => mediaUrl(`/api/recordings/${cameraId}/sprite.jpg`, { from: Math.floor(from), to: Math.floor(to) });


function stripQuery(u: string | null | undefined): string | undefined {
  if (!u) return undefined;
  try {
    const parsed = new URL(u, 'http://x');
    return parsed.pathname;
  } catch {
    return undefined;
  }
}

/** A server-relative path from a DTO (file_url etc.) made loadable with the per-launch token. */
export const mediaPath = (path: string) => {
  const u = new URL(path, 'http://x');
  const params: Record<string, string> = {};
  u.searchParams.forEach((v, k) => (params[k] = v));
  return mediaUrl(u.pathname, params);
};

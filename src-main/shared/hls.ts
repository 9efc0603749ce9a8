// Live-HLS names and playlist URI rewriting, shared by the route families that serve the same session.

/** Files of a live low-latency HLS session: segments segNNNNN.m4s, parts segNNNNN.K.m4s, init segments initNNNNN.mp4. */
export const HLS_FILE_RE = /^(seg\d{5}(\.\d{1,4})?\.m4s|init\d{5}\.mp4)$/;

/** Names a session-file route accepts: the session's files and the documented segNNNNN.ts (404 now that segments are fMP4). */
export const HLS_REQUEST_NAME_RE = new RegExp(`${HLS_FILE_RE.source}|^seg\\d{5}\\.ts$`);

/** How long a playlist request waits for a just-started session's first complete segment before answering 503. */
export const PLAYLIST_WAIT_MS = 12_000;

/**
 * A just-started session's playlist once it lists a complete segment, read every 250 ms; null after `waitMs`.
 * `check` runs between reads and may throw to end the wait (the camera was removed meanwhile).
 */
export async function firstPlaylist(read: () => Promise<string | null>, opts: { check?: () => void; now?: () => number; waitMs?: number } = {}): Promise<string | null> {
  const now = opts.now ?? Date.now;
  const deadline = now() + (opts.waitMs ?? PLAYLIST_WAIT_MS);
  for (;;) {
    const text = await read();
    if (text?.includes('#EXTINF')) return text;
    if (now() >= deadline) return null;
    opts.check?.();
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Longest hold of a low-latency client's blocking playlist reload (the spec asks for at least three part targets). */
export const BLOCKING_RELOAD_MS = 6_000;

/** Content type of a session file by its name. */
export const hlsFileType = (name: string): string => (name.endsWith('.m4s') ? 'video/iso.segment' : name.endsWith('.mp4') ? 'video/mp4' : 'video/mp2t');

/** Rewrites every URI of a playlist: the media lines and the URI="…" attributes (EXT-X-MAP, EXT-X-PART, EXT-X-PRELOAD-HINT). */
export function mapPlaylistUris(playlist: string, fn: (uri: string) => string): string {
  return playlist
    .split('\n')
    .map((line) => {
      const t = line.trim();
      if (t === '') return line;
      if (!t.startsWith('#')) return fn(t);
      return line.replace(/URI="([^"]*)"/g, (_m, uri: string) => `URI="${fn(uri)}"`);
    })
    .join('\n');
}

/** Appends a query parameter to a (relative) URI. */
export const withQuery = (uri: string, q: string): string => `${uri}${uri.includes('?') ? '&' : '?'}${q}`;

/**
 * The blocking-reload request of a low-latency client (`_HLS_msn`, `_HLS_part`); null when it asked for none.
 * A malformed value, or a part without a segment, is `invalid` (400 per RFC 8216bis 6.2.5.2).
 */
export function blockingReload(query: Record<string, unknown>): { msn: number; part: number | null } | null | 'invalid' {
  const msn = query._HLS_msn;
  const part = query._HLS_part;
  if (msn === undefined && part === undefined) return null;
  const int = (v: unknown): number | null => (typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : null);
  const m = int(msn);
  if (m === null) return 'invalid';
  if (part === undefined) return { msn: m, part: null };
  const p = int(part);
  return p === null ? 'invalid' : { msn: m, part: p };
}

// Pure live-HLS playlist logic: a sliding window over the ingest's closed segments, named segNNNNN.ts.

export const HLS_SEGMENT_RE = /^seg\d{5}\.ts$/;

export interface HlsEntry {
  /** Media sequence number of the segment in this session. */
  seq: number;
  durationSec: number;
  /** True when the segment does not continue the previous one's timestamps (each -reset_timestamps segment restarts at 0). */
  discontinuity: boolean;
}

export const hlsSegmentName = (seq: number): string => `seg${String(seq % 100_000).padStart(5, '0')}.ts`;

/**
 * The live playlist for the last `window` entries. Every segment restarts its timestamps, so each one is preceded by
 * EXT-X-DISCONTINUITY and the discontinuity sequence advances with the media sequence.
 */
export function buildLivePlaylist(entries: readonly HlsEntry[], window = 4): string {
  const shown = entries.slice(-window);
  const first = shown[0];
  const target = Math.max(1, ...shown.map((e) => Math.ceil(e.durationSec)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`, `#EXT-X-MEDIA-SEQUENCE:${first?.seq ?? 0}`];
  // The first shown segment never carries its tag, so it counts as removed: segment j always gets discontinuity number #tags in 1..j.
  const discSeq = entries.slice(1, entries.length - shown.length + 1).filter((e) => e.discontinuity).length;
  lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${discSeq}`);
  shown.forEach((e, i) => {
    if (e.discontinuity && i > 0) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXTINF:${e.durationSec.toFixed(3)},`, hlsSegmentName(e.seq));
  });
  return lines.join('\n') + '\n';
}

/** Segment names that fell out of the window and can be removed, keeping `keepExtra` behind it for slow clients. */
export function expiredSegments(entries: readonly HlsEntry[], window = 4, keepExtra = 2): string[] {
  const keep = window + keepExtra;
  return entries.slice(0, Math.max(0, entries.length - keep)).map((e) => hlsSegmentName(e.seq));
}

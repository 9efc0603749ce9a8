// Unit: the live HLS playlist over closed segments (sliding window, sequence numbers, discontinuities, names).
import { describe, expect, it } from 'vitest';
import { HLS_SEGMENT_RE, buildLivePlaylist, expiredSegments, hlsSegmentName, type HlsEntry } from '../../src-main/workers/hls-playlist';

const entries = (n: number): HlsEntry[] => Array.from({ length: n }, (_x, seq) => ({ seq, durationSec: seq === 2 ? 4.4 : 4, discontinuity: true }));

describe('live playlist', () => {
  it('shows the last window with the right media and discontinuity sequence', () => {
    const text = buildLivePlaylist(entries(7), 4);
    const lines = text.trim().split('\n');
    expect(lines.slice(0, 5)).toEqual(['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:4', '#EXT-X-MEDIA-SEQUENCE:3', '#EXT-X-DISCONTINUITY-SEQUENCE:3']);
    expect(lines.filter((l) => l.endsWith('.ts'))).toEqual(['seg00003.ts', 'seg00004.ts', 'seg00005.ts', 'seg00006.ts']);
    expect(lines.filter((l) => l === '#EXT-X-DISCONTINUITY')).toHaveLength(3);
    expect(text).not.toContain('ENDLIST');
  });

  it('target duration covers the longest shown segment; a lone segment works', () => {
    expect(buildLivePlaylist(entries(3), 4)).toContain('#EXT-X-TARGETDURATION:5');
    const one = buildLivePlaylist(entries(1), 4);
    expect(one).toContain('#EXT-X-MEDIA-SEQUENCE:0');
    expect(one).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:0');
    expect(one).toContain('#EXTINF:4.000,\nseg00000.ts');
  });

  it('names match the route pattern; expired ones trail the window', () => {
    expect(hlsSegmentName(12)).toBe('seg00012.ts');
    expect(hlsSegmentName(100_003)).toBe('seg00003.ts');
    expect(HLS_SEGMENT_RE.test(hlsSegmentName(99_999))).toBe(true);
    expect(expiredSegments(entries(9), 4, 2)).toEqual(['seg00000.ts', 'seg00001.ts', 'seg00002.ts']);
  });
});

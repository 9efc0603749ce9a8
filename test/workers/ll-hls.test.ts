// Low-latency HLS builder (pure): parts and keyframe-aligned segments from copy-stream fragments, the playlist's
// LL-HLS tags, sliding window and file removal, restarts as discontinuities, blocking-reload positions.
// real: the builder and the playlist URI helpers. mock: nothing (fragments are byte strings with known durations).
import { describe, expect, it } from 'vitest';
import { hasPosition, LlHlsBuilder, tooFarAhead, type HlsChanges } from '../../src-main/workers/ll-hls';
import { blockingReload, firstPlaylist, HLS_FILE_RE, mapPlaylistUris, withQuery } from '../../src-main/shared/hls';

const opts = { partMinSec: 0.2, segmentMinSec: 1, windowSegments: 3, keepExtra: 1 };

/** A camera at 10 fps, one frame per fragment, a keyframe every `gop` frames. */
function feeder(b: LlHlsBuilder, gop = 10) {
  let n = 0;
  const files = new Map<string, Buffer>();
  const apply = (c: HlsChanges) => {
    for (const w of c.write) files.set(w.name, w.data);
    for (const r of c.remove) files.delete(r);
    return c;
  };
  return {
    files,
    apply,
    frames(count: number): HlsChanges[] {
      const out: HlsChanges[] = [];
      for (let i = 0; i < count; i++, n++) out.push(apply(b.fragment({ data: Buffer.from(`f${n};`), key: n % gop === 0, durationSec: 0.1, wallMs: 1_700_000_000_000 + n * 100 })));
      return out;
    },
  };
}

const tags = (text: string, tag: string) => text.split('\n').filter((l) => l.startsWith(tag));
const uris = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));

describe('LlHlsBuilder', () => {
  it('cuts 0.2 s parts into 1 s keyframe segments and lists them with the LL-HLS tags', () => {
    const b = new LlHlsBuilder(opts);
    const f = feeder(b);
    f.apply(b.init(Buffer.from('INIT')));
    f.frames(25);
    const text = b.playlist();
    expect(text.startsWith('#EXTM3U\n')).toBe(true);
    expect(tags(text, '#EXT-X-TARGETDURATION')).toEqual(['#EXT-X-TARGETDURATION:1']);
    expect(tags(text, '#EXT-X-SERVER-CONTROL')[0]).toMatch(/CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=\d+\.\d{3}/);
    const partTarget = Number(/PART-TARGET=([\d.]+)/.exec(text)?.[1]);
    expect(partTarget).toBeGreaterThanOrEqual(0.2);
    expect(tags(text, '#EXT-X-MAP')).toEqual(['#EXT-X-MAP:URI="init00000.mp4"']);
    // Two complete segments of 10 frames (1.000 s each), the third open with its two closed parts.
    expect(tags(text, '#EXTINF')).toEqual(['#EXTINF:1.000,', '#EXTINF:1.000,']);
    expect(uris(text)).toEqual(['seg00000.m4s', 'seg00001.m4s']);
    const parts = tags(text, '#EXT-X-PART:');
    expect(parts).toHaveLength(12);
    expect(parts[0]).toBe('#EXT-X-PART:DURATION=0.200,URI="seg00000.0.m4s",INDEPENDENT=YES');
    expect(parts[1]).toBe('#EXT-X-PART:DURATION=0.200,URI="seg00000.1.m4s"');
    expect(parts.at(-1)).toContain('URI="seg00002.1.m4s"');
    for (const p of parts) expect(Number(/DURATION=([\d.]+)/.exec(p)?.[1])).toBeLessThanOrEqual(partTarget);
    expect(tags(text, '#EXT-X-PROGRAM-DATE-TIME')[0]).toBe(`#EXT-X-PROGRAM-DATE-TIME:${new Date(1_700_000_000_000 - 100).toISOString()}`);
    // Every named file exists, and a segment is exactly its parts back to back.
    for (const name of [...uris(text), ...parts.map((p) => /URI="([^"]+)"/.exec(p)![1]!), 'init00000.mp4']) {
      expect(name).toMatch(HLS_FILE_RE);
      expect(f.files.has(name)).toBe(true);
    }
    const seg0 = [0, 1, 2, 3, 4].map((i) => f.files.get(`seg00000.${i}.m4s`)!.toString()).join('');
    expect(f.files.get('seg00000.m4s')!.toString()).toBe(seg0);
    expect(seg0).toBe('f0;f1;f2;f3;f4;f5;f6;f7;f8;f9;');
    expect(b.position()).toEqual({ openSeq: 2, openParts: 2, lastComplete: 1, lastCompleteParts: 5 });
    expect(b.ready()).toBe(true);
  });

  it('waits for a keyframe, and a long GOP makes longer segments (never a cut between keyframes)', () => {
    const b = new LlHlsBuilder(opts);
    const f = feeder(b, 25);
    expect(b.fragment({ data: Buffer.from('x'), key: true, durationSec: 0.1, wallMs: 0 }).write).toEqual([]);
    f.apply(b.init(Buffer.from('INIT')));
    f.frames(60);
    const text = b.playlist();
    expect(tags(text, '#EXTINF')).toEqual(['#EXTINF:2.500,', '#EXTINF:2.500,']);
    // The target duration covers the longest listed segment, rounded.
    expect(tags(text, '#EXT-X-TARGETDURATION')).toEqual(['#EXT-X-TARGETDURATION:3']);
    // A stream joined mid-GOP: nothing until the next keyframe.
    const late = new LlHlsBuilder(opts);
    late.init(Buffer.from('INIT'));
    expect(late.fragment({ data: Buffer.from('p'), key: false, durationSec: 0.1, wallMs: 0 }).changed).toBe(false);
    expect(late.position()).toEqual({ openSeq: null, openParts: 0, lastComplete: null, lastCompleteParts: 0 });
  });

  it('never lowers the target duration when a long segment slides out of the window', () => {
    const b = new LlHlsBuilder(opts);
    b.init(Buffer.from('INIT'));
    // One 3 s GOP, then 1 s GOPs until the long segment is far behind the 3-segment window.
    for (let n = 0; n < 30 + 80; n++) b.fragment({ data: Buffer.from(`f${n};`), key: n < 30 ? n === 0 : (n - 30) % 10 === 0, durationSec: 0.1, wallMs: n * 100 });
    const text = b.playlist();
    expect(tags(text, '#EXTINF')).toEqual(['#EXTINF:1.000,', '#EXTINF:1.000,', '#EXTINF:1.000,']);
    expect(tags(text, '#EXT-X-TARGETDURATION')).toEqual(['#EXT-X-TARGETDURATION:3']);
  });

  it('slides the window, removes the files of segments behind it, and keeps parts only near the end', () => {
    const b = new LlHlsBuilder(opts);
    const f = feeder(b);
    f.apply(b.init(Buffer.from('INIT')));
    const removed = f.frames(80).flatMap((c) => c.remove);
    const text = b.playlist();
    // Segments 0..6 complete, 7 open: the last 3 complete are listed, one more kept on disk.
    expect(uris(text)).toEqual(['seg00004.m4s', 'seg00005.m4s', 'seg00006.m4s']);
    expect(tags(text, '#EXT-X-MEDIA-SEQUENCE')).toEqual(['#EXT-X-MEDIA-SEQUENCE:4']);
    expect(f.files.has('seg00003.m4s')).toBe(true);
    expect(f.files.has('seg00002.m4s')).toBe(false);
    expect(removed).toEqual(expect.arrayContaining(['seg00000.m4s', 'seg00000.0.m4s', 'seg00000.4.m4s', 'seg00002.m4s']));
    expect(removed).not.toContain('init00000.mp4');
    // Within three target durations (3 s) of the end: the open segment 7 (its 5 parts, 1 s), then 6 and 5.
    const partSegs = new Set(tags(text, '#EXT-X-PART:').map((p) => /seg(\d{5})\./.exec(p)![1]));
    expect([...partSegs]).toEqual(['00005', '00006', '00007']);
  });

  it('an ingest restart (new init) closes the open segment and starts a discontinuity with its own map', () => {
    const b = new LlHlsBuilder(opts);
    const f = feeder(b);
    f.apply(b.init(Buffer.from('INIT-A')));
    f.frames(15);
    f.apply(b.init(Buffer.from('INIT-B')));
    // The restarted stream is joined mid-GOP (frames 15..19 are dropped): its first segment starts on frame 20's keyframe.
    f.frames(25);
    const text = b.playlist();
    expect(uris(text)).toEqual(['seg00000.m4s', 'seg00001.m4s', 'seg00002.m4s']);
    expect(tags(text, '#EXTINF')).toEqual(['#EXTINF:1.000,', '#EXTINF:0.500,', '#EXTINF:1.000,']);
    expect(f.files.get('seg00002.0.m4s')!.toString()).toBe('f20;f21;');
    const lines = text.split('\n');
    const disc = lines.indexOf('#EXT-X-DISCONTINUITY');
    expect(disc).toBeGreaterThan(lines.indexOf('seg00001.m4s'));
    expect(lines[disc + 1]).toBe('#EXT-X-MAP:URI="init00001.mp4"');
    expect(tags(text, '#EXT-X-DISCONTINUITY-SEQUENCE')).toEqual(['#EXT-X-DISCONTINUITY-SEQUENCE:0']);
    // Once the discontinuous segment is the first listed, its tag goes and the sequence counts it.
    f.frames(20);
    const later = b.playlist();
    expect(uris(later)).toEqual(['seg00002.m4s', 'seg00003.m4s', 'seg00004.m4s']);
    expect(tags(later, '#EXT-X-DISCONTINUITY-SEQUENCE')).toEqual(['#EXT-X-DISCONTINUITY-SEQUENCE:1']);
    expect(later.split('\n')).not.toContain('#EXT-X-DISCONTINUITY');
    expect(tags(later, '#EXT-X-MAP')).toEqual(['#EXT-X-MAP:URI="init00001.mp4"']);
    expect(f.files.has('init00000.mp4')).toBe(true);
    // The first init goes with the last segment that used it; the count stays once it has slid out.
    f.frames(20);
    expect(tags(b.playlist(), '#EXT-X-DISCONTINUITY-SEQUENCE')).toEqual(['#EXT-X-DISCONTINUITY-SEQUENCE:1']);
    expect(f.files.has('init00000.mp4')).toBe(false);
    expect(f.files.has('init00001.mp4')).toBe(true);
  });
});

describe('blocking reload positions', () => {
  const p = { openSeq: 7, openParts: 2, lastComplete: 6, lastCompleteParts: 5 };
  const none = { openSeq: null, openParts: 0, lastComplete: null, lastCompleteParts: 0 };
  it('a part of the open segment is there once closed; earlier segments are there; later ones are not', () => {
    expect(hasPosition(p, 7, 1)).toBe(true);
    expect(hasPosition(p, 7, 2)).toBe(false);
    expect(hasPosition(p, 6, 4)).toBe(true);
    expect(hasPosition(p, 5, 9)).toBe(true);
    expect(hasPosition(p, 8, 0)).toBe(false);
    expect(hasPosition(p, 6, null)).toBe(true);
    expect(hasPosition(p, 7, null)).toBe(false);
    expect(hasPosition(none, 0, 0)).toBe(false);
  });
  it('a part past the end of a completed segment means the next segment\'s first part', () => {
    // Segment 6 ended with parts 0..4: asking for its part 5 waits until segment 7 has a part.
    expect(hasPosition(p, 6, 5)).toBe(true);
    expect(hasPosition({ ...p, openParts: 0 }, 6, 5)).toBe(false);
    expect(hasPosition({ ...p, openParts: 0 }, 6, 4)).toBe(true);
    expect(hasPosition({ ...p, openSeq: null, openParts: 0 }, 6, 5)).toBe(false);
  });
  it('more than two segments ahead is refused', () => {
    expect(tooFarAhead(p, 9)).toBe(false);
    expect(tooFarAhead(p, 10)).toBe(true);
    expect(tooFarAhead(none, 2)).toBe(false);
  });
  it('parses _HLS_msn/_HLS_part strictly', () => {
    expect(blockingReload({})).toBeNull();
    expect(blockingReload({ token: 'x' })).toBeNull();
    expect(blockingReload({ _HLS_msn: '12', _HLS_part: '3' })).toEqual({ msn: 12, part: 3 });
    expect(blockingReload({ _HLS_msn: '12' })).toEqual({ msn: 12, part: null });
    for (const bad of [{ _HLS_part: '1' }, { _HLS_msn: '-1' }, { _HLS_msn: '1e3' }, { _HLS_msn: '1', _HLS_part: 'x' }, { _HLS_msn: ['1', '2'] }]) expect(blockingReload(bad)).toBe('invalid');
  });
});

describe('playlist URI rewriting', () => {
  it('reaches media lines and every URI="…" attribute, and leaves the rest alone', () => {
    const text = '#EXTM3U\n#EXT-X-MAP:URI="init00000.mp4"\n#EXT-X-PART:DURATION=0.200,URI="seg00001.0.m4s",INDEPENDENT=YES\n#EXTINF:1.000,\nseg00000.m4s\n';
    const out = mapPlaylistUris(text, (u) => withQuery(`stream/${u}`, 'token=a%2Fb'));
    expect(out).toBe('#EXTM3U\n#EXT-X-MAP:URI="stream/init00000.mp4?token=a%2Fb"\n#EXT-X-PART:DURATION=0.200,URI="stream/seg00001.0.m4s?token=a%2Fb",INDEPENDENT=YES\n#EXTINF:1.000,\nstream/seg00000.m4s?token=a%2Fb\n');
    expect(withQuery('a?x=1', 'y=2')).toBe('a?x=1&y=2');
  });
});

describe('waiting for a new session\'s first playlist', () => {
  it('reads until a segment is listed, gives up at the deadline, and stops when the check throws', async () => {
    const answers = [null, '#EXTM3U\n', '#EXTM3U\n#EXTINF:1.000,\nseg00000.m4s\n'];
    let reads = 0;
    expect(await firstPlaylist(async () => answers[reads++] ?? null)).toContain('seg00000.m4s');
    expect(reads).toBe(3);

    let t = 0;
    reads = 0;
    const none = await firstPlaylist(async () => (reads++, '#EXTM3U\n'), { now: () => (t += 400), waitMs: 1000 });
    expect(none).toBeNull();
    expect(reads).toBe(3);

    await expect(firstPlaylist(async () => null, { check: () => { throw new Error('camera removed'); } })).rejects.toThrow('camera removed');
  });
});

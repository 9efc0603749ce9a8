// Low-latency HLS built from the in-memory copy stream: fMP4 parts (a few fragments each) grouped into keyframe-aligned
// segments, given out as files to write and remove plus a playlist. Pure: no I/O, no clock.

export interface LlHlsOptions {
  /** A part closes once it holds at least this much media (seconds). */
  partMinSec: number;
  /** A segment closes at the first keyframe after this much media (seconds). */
  segmentMinSec: number;
  /** Complete segments listed in the playlist. */
  windowSegments: number;
  /** Complete segments kept behind the window (files on disk) for clients a reload behind. */
  keepExtra: number;
}

export const LL_HLS_DEFAULTS: LlHlsOptions = { partMinSec: 0.2, segmentMinSec: 1, windowSegments: 6, keepExtra: 2 };

export interface HlsFragmentIn {
  data: Buffer;
  /** Starts with a keyframe. */
  key: boolean;
  /** Media duration of the fragment (seconds); 0 when the stream did not say. */
  durationSec: number;
  /** Wall clock when the fragment arrived (epoch ms). */
  wallMs: number;
}

export interface HlsChanges {
  write: { name: string; data: Buffer }[];
  remove: string[];
  /** A part or a segment was added: the playlist changed. */
  changed: boolean;
}

/** Where the playlist ends: the open segment's sequence and closed part count, and the last complete segment's. */
export interface HlsPosition {
  openSeq: number | null;
  openParts: number;
  lastComplete: number | null;
  lastCompleteParts: number;
}

interface Part {
  name: string;
  durationSec: number;
  independent: boolean;
}

interface Segment {
  seq: number;
  init: string;
  discontinuity: boolean;
  /** Wall clock at the segment's first frame (epoch ms). */
  startWallMs: number;
  parts: Part[];
  durationSec: number;
  complete: boolean;
}

/** A fragment whose duration the stream did not carry counts as this much. */
const UNKNOWN_FRAGMENT_SEC = 0.1;

export const hlsSegmentFile = (seq: number): string => `seg${String(seq % 100_000).padStart(5, '0')}.m4s`;
export const hlsPartFile = (seq: number, part: number): string => `seg${String(seq % 100_000).padStart(5, '0')}.${part}.m4s`;
const initFile = (gen: number): string => `init${String(gen % 100_000).padStart(5, '0')}.mp4`;
const secs = (n: number): string => n.toFixed(3);

/**
 * Whether a playlist at `p` satisfies a blocking reload for segment `msn` (part `part` of it, or a later part): a part
 * index past the end of a segment that completed means the next segment's first part (RFC 8216bis 6.2.5.2).
 */
export function hasPosition(p: HlsPosition, msn: number, part: number | null): boolean {
  if (part === null) return p.lastComplete !== null && p.lastComplete >= msn;
  if (p.openSeq !== null && msn >= p.openSeq) return msn === p.openSeq && part < p.openParts;
  if (p.lastComplete === null || msn > p.lastComplete) return false;
  if (msn < p.lastComplete) return true;
  return part < p.lastCompleteParts || (p.openSeq !== null && p.openParts > 0);
}

/** A blocking reload this far past the end is refused (RFC 8216bis 6.2.5.2: more than two segments ahead). */
export function tooFarAhead(p: HlsPosition, msn: number): boolean {
  const next = p.openSeq ?? (p.lastComplete ?? -1) + 1;
  return msn > next + 2;
}

export class LlHlsBuilder {
  private readonly segs: Segment[] = [];
  private open: Segment | null = null;
  private pending: Buffer[] = [];
  private pendingSec = 0;
  private pendingIndependent = false;
  /** Data of the open segment's closed parts, concatenated into the segment file when it completes. */
  private openData: Buffer[] = [];
  private nextSeq = 0;
  private initGen = -1;
  private initName: string | null = null;
  private discontinuityNext = false;
  /** Discontinuities of segments no longer listed (EXT-X-DISCONTINUITY-SEQUENCE). */
  private droppedDiscontinuities = 0;
  private maxPartSec: number;
  /** EXT-X-TARGETDURATION so far: it covers every segment ever listed and never shrinks (RFC 8216bis 4.4.3.1: it must not change). */
  private targetSec = 0;

  constructor(private readonly o: LlHlsOptions = LL_HLS_DEFAULTS) {
    // The declared part target: no part may be longer. A part closes at partMinSec plus at most one fragment.
    this.maxPartSec = o.partMinSec + 0.15;
  }

  /** A (new) init segment: the stream (re)started. What follows is a discontinuity with its own EXT-X-MAP. */
  init(data: Buffer): HlsChanges {
    const ch: HlsChanges = { write: [], remove: [], changed: false };
    this.closeSegment(ch);
    this.initGen++;
    this.initName = initFile(this.initGen);
    ch.write.push({ name: this.initName, data });
    this.discontinuityNext = this.segs.length > 0;
    return ch;
  }

  fragment(f: HlsFragmentIn): HlsChanges {
    const ch: HlsChanges = { write: [], remove: [], changed: false };
    if (!this.initName) return ch;
    const dur = f.durationSec > 0 ? f.durationSec : UNKNOWN_FRAGMENT_SEC;
    if (this.open && f.key && this.open.durationSec + this.pendingSec >= this.o.segmentMinSec) this.closeSegment(ch);
    if (!this.open) {
      // A segment starts on a keyframe: until one comes, there is nothing a player could start from.
      if (!f.key) return ch;
      this.open = { seq: this.nextSeq++, init: this.initName, discontinuity: this.discontinuityNext, startWallMs: f.wallMs - dur * 1000, parts: [], durationSec: 0, complete: false };
      this.discontinuityNext = false;
    }
    if (this.pending.length === 0) this.pendingIndependent = f.key;
    this.pending.push(f.data);
    this.pendingSec += dur;
    if (this.pendingSec >= this.o.partMinSec) this.closePart(ch);
    return ch;
  }

  position(): HlsPosition {
    const last = this.segs.at(-1);
    return { openSeq: this.open?.seq ?? null, openParts: this.open?.parts.length ?? 0, lastComplete: last ? last.seq : null, lastCompleteParts: last?.parts.length ?? 0 };
  }

  /** At least one complete segment is listed: a player without low-latency support can start. */
  ready(): boolean {
    return this.segs.length > 0;
  }

  playlist(): string {
    const complete = this.segs.slice(-this.o.windowSegments);
    const listed = this.open && this.open.parts.length ? [...complete, this.open] : complete;
    const first = listed[0];
    const target = Math.max(this.targetSec, Math.ceil(this.o.segmentMinSec));
    const partTarget = this.maxPartSec;
    const hidden = this.segs.length - complete.length;
    // The first listed segment never carries its discontinuity tag, so it counts with those dropped above it.
    const discSeq = this.droppedDiscontinuities + this.segs.slice(0, hidden).filter((s) => s.discontinuity).length + (first?.discontinuity ? 1 : 0);
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:9',
      `#EXT-X-TARGETDURATION:${target}`,
      `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${secs(partTarget * 3)}`,
      `#EXT-X-PART-INF:PART-TARGET=${secs(partTarget)}`,
      `#EXT-X-MEDIA-SEQUENCE:${first?.seq ?? this.nextSeq}`,
      `#EXT-X-DISCONTINUITY-SEQUENCE:${discSeq}`,
    ];
    // Parts are listed for the segments within three target durations of the end (RFC 8216bis 4.4.4.9).
    let fromEnd = 0;
    const withParts = new Set<Segment>();
    for (let i = listed.length - 1; i >= 0 && fromEnd < 3 * target; i--) {
      withParts.add(listed[i]!);
      fromEnd += listed[i]!.durationSec;
    }
    let map: string | null = null;
    listed.forEach((s, i) => {
      if (s.discontinuity && i > 0) lines.push('#EXT-X-DISCONTINUITY');
      if (s.init !== map) {
        lines.push(`#EXT-X-MAP:URI="${s.init}"`);
        map = s.init;
      }
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.startWallMs).toISOString()}`);
      if (withParts.has(s)) for (const p of s.parts) lines.push(`#EXT-X-PART:DURATION=${secs(p.durationSec)},URI="${p.name}"${p.independent ? ',INDEPENDENT=YES' : ''}`);
      if (s.complete) lines.push(`#EXTINF:${secs(s.durationSec)},`, hlsSegmentFile(s.seq));
    });
    return lines.join('\n') + '\n';
  }

  private closePart(ch: HlsChanges): void {
    const seg = this.open;
    if (!seg || this.pending.length === 0) return;
    const data = Buffer.concat(this.pending);
    const part: Part = { name: hlsPartFile(seg.seq, seg.parts.length), durationSec: this.pendingSec, independent: this.pendingIndependent };
    this.pending = [];
    this.pendingSec = 0;
    seg.parts.push(part);
    seg.durationSec += part.durationSec;
    this.openData.push(data);
    this.maxPartSec = Math.max(this.maxPartSec, Math.ceil(part.durationSec * 1000) / 1000);
    ch.write.push({ name: part.name, data });
    ch.changed = true;
  }

  private closeSegment(ch: HlsChanges): void {
    this.closePart(ch);
    const seg = this.open;
    this.open = null;
    const data = this.openData;
    this.openData = [];
    if (!seg || seg.parts.length === 0) return;
    seg.complete = true;
    this.segs.push(seg);
    // It can only grow when a camera's GOP grows past it, which no target chosen in advance could cover either.
    this.targetSec = Math.max(this.targetSec, Math.round(seg.durationSec));
    ch.write.push({ name: hlsSegmentFile(seg.seq), data: Buffer.concat(data) });
    ch.changed = true;
    while (this.segs.length > this.o.windowSegments + this.o.keepExtra) {
      const old = this.segs.shift()!;
      if (old.discontinuity) this.droppedDiscontinuities++;
      ch.remove.push(hlsSegmentFile(old.seq), ...old.parts.map((p) => p.name));
      const stillUsed = old.init === this.initName || this.segs.some((s) => s.init === old.init);
      if (!stillUsed) ch.remove.push(old.init);
    }
  }
}

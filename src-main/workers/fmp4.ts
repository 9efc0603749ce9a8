// Fragmented-MP4 box reader for the copy live stream: splits ffmpeg's pipe into the init segment and moof+mdat fragments.
import { ChunkQueue } from './chunk-queue';

/** The init segment (ftyp + moov) with the RFC 6381 codec string a MediaSource needs, e.g. `avc1.64001f,mp4a.40.2`. */
export interface Fmp4Init {
  data: Buffer;
  /** Comma-separated codecs of the tracks, video first. */
  codecs: string;
  hasAudio: boolean;
}

/** One moof + mdat pair. */
export interface Fmp4Fragment {
  data: Buffer;
  /** The fragment's first video sample is a sync sample: a decoder (or MediaSource) can start here. */
  key: boolean;
  /** Video samples (frames) in the fragment. */
  videoSamples: number;
  /** Media duration of the fragment's video samples (its first track's when it has no video), in seconds; 0 when unknown. */
  durationSec: number;
}

export type Fmp4Chunk = { type: 'init'; init: Fmp4Init } | { type: 'fragment'; fragment: Fmp4Fragment };

interface Box {
  type: string;
  /** Payload start/end within the buffer it was read from. */
  start: number;
  end: number;
}

/** The boxes laid end to end in buf[from, to). Truncated boxes are left out. */
export function childBoxes(buf: Buffer, from = 0, to = buf.length): Box[] {
  const out: Box[] = [];
  let p = from;
  while (p + 8 <= to) {
    let size = buf.readUInt32BE(p);
    const type = buf.toString('latin1', p + 4, p + 8);
    let header = 8;
    if (size === 1) {
      if (p + 16 > to) break;
      size = Number(buf.readBigUInt64BE(p + 8));
      header = 16;
    } else if (size === 0) size = to - p;
    if (size < header || p + size > to) break;
    out.push({ type, start: p + header, end: p + size });
    p += size;
  }
  return out;
}

const find = (buf: Buffer, boxes: Box[], type: string): Box | undefined => boxes.find((b) => b.type === type);
const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

function avcCodec(buf: Buffer, entry: Box, name: string): string {
  const avcC = find(buf, childBoxes(buf, entry.start + 78, entry.end), 'avcC');
  if (!avcC || avcC.end - avcC.start < 4) return `${name}.42e01e`;
  return `${name}.${hex2(buf[avcC.start + 1]!)}${hex2(buf[avcC.start + 2]!)}${hex2(buf[avcC.start + 3]!)}`;
}

function hevcCodec(buf: Buffer, entry: Box, name: string): string {
  const c = find(buf, childBoxes(buf, entry.start + 78, entry.end), 'hvcC');
  if (!c || c.end - c.start < 13) return `${name}.1.6.L93.B0`;
  const b1 = buf[c.start + 1]!;
  const space = ['', 'A', 'B', 'C'][b1 >> 6] ?? '';
  const tier = (b1 >> 5) & 1 ? 'H' : 'L';
  const profile = b1 & 0x1f;
  // The compatibility flags are written in reverse bit order (ISO/IEC 14496-15 annex E).
  let compat = buf.readUInt32BE(c.start + 2);
  let rev = 0;
  for (let i = 0; i < 32; i++) {
    rev = (rev << 1) | (compat & 1);
    compat >>>= 1;
  }
  const constraints = [...buf.subarray(c.start + 6, c.start + 12)];
  while (constraints.length && constraints.at(-1) === 0) constraints.pop();
  const level = buf[c.start + 12]!;
  return [`${name}`, `${space}${profile}`, (rev >>> 0).toString(16), `${tier}${level}`, ...constraints.map((x) => x.toString(16).toUpperCase())].join('.');
}

function mp4aCodec(buf: Buffer, entry: Box): string {
  const esds = find(buf, childBoxes(buf, entry.start + 28, entry.end), 'esds');
  if (!esds) return 'mp4a.40.2';
  // Walk the descriptors (tag, varint length) down to DecoderConfig (4) and its DecoderSpecificInfo (5).
  let p = esds.start + 4;
  let oti = 0x40;
  const readLen = (): number => {
    let len = 0;
    for (let i = 0; i < 4 && p < esds.end; i++) {
      const b = buf[p++]!;
      len = (len << 7) | (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    return len;
  };
  while (p < esds.end) {
    const tag = buf[p++]!;
    const len = readLen();
    if (tag === 3) p += 3;
    else if (tag === 4) {
      oti = buf[p]!;
      p += 13;
    } else if (tag === 5) {
      if (oti !== 0x40) break;
      const aot = buf[p]! >> 3;
      return `mp4a.40.${aot || 2}`;
    } else p += len;
  }
  return oti === 0x40 ? 'mp4a.40.2' : `mp4a.${hex2(oti)}`;
}

interface TrackInfo {
  id: number;
  handler: string;
  codec: string | null;
  /** trex default_sample_flags. */
  defaultFlags: number;
  /** trex default_sample_duration, in the track's timescale. */
  defaultDuration: number;
  /** mdhd timescale (ticks per second); 0 when absent. */
  timescale: number;
}

/** Track ids, handler types and codec strings from a moov payload. */
export function readMoov(buf: Buffer, moov: Box): TrackInfo[] {
  const inner = childBoxes(buf, moov.start, moov.end);
  const trex = new Map<number, { duration: number; flags: number }>();
  const mvex = find(buf, inner, 'mvex');
  if (mvex)
    for (const t of childBoxes(buf, mvex.start, mvex.end))
      if (t.type === 'trex' && t.end - t.start >= 24) trex.set(buf.readUInt32BE(t.start + 4), { duration: buf.readUInt32BE(t.start + 12), flags: buf.readUInt32BE(t.start + 20) });
  const tracks: TrackInfo[] = [];
  for (const trak of inner.filter((b) => b.type === 'trak')) {
    const tb = childBoxes(buf, trak.start, trak.end);
    const tkhd = find(buf, tb, 'tkhd');
    if (!tkhd) continue;
    const id = buf.readUInt32BE(tkhd.start + (buf[tkhd.start] === 1 ? 20 : 12));
    const mdia = find(buf, tb, 'mdia');
    if (!mdia) continue;
    const mb = childBoxes(buf, mdia.start, mdia.end);
    const hdlr = find(buf, mb, 'hdlr');
    const mdhd = find(buf, mb, 'mdhd');
    // mdhd: version(1) flags(3), then creation/modification times (4 or 8 bytes each), then the timescale.
    const timescale = mdhd && mdhd.end - mdhd.start >= 24 ? buf.readUInt32BE(mdhd.start + (buf[mdhd.start] === 1 ? 20 : 12)) : 0;
    const handler = hdlr ? buf.toString('latin1', hdlr.start + 8, hdlr.start + 12) : '';
    const minf = find(buf, mb, 'minf');
    const stbl = minf && find(buf, childBoxes(buf, minf.start, minf.end), 'stbl');
    const stsd = stbl && find(buf, childBoxes(buf, stbl.start, stbl.end), 'stsd');
    const entry = stsd ? childBoxes(buf, stsd.start + 8, stsd.end)[0] : undefined;
    let codec: string | null = null;
    if (entry) {
      if (entry.type === 'avc1' || entry.type === 'avc3') codec = avcCodec(buf, entry, entry.type);
      else if (entry.type === 'hvc1' || entry.type === 'hev1') codec = hevcCodec(buf, entry, entry.type);
      else if (entry.type === 'mp4a') codec = mp4aCodec(buf, entry);
      else if (entry.type === 'Opus') codec = 'opus';
      else codec = entry.type.trim();
    }
    tracks.push({ id, handler, codec, defaultFlags: trex.get(id)?.flags ?? 0, defaultDuration: trex.get(id)?.duration ?? 0, timescale });
  }
  return tracks;
}

const NON_SYNC = 0x10000;

/**
 * Whether the moof's first video sample is a sync sample, how many video samples it carries and their duration.
 * Without a known video track the first traf is read.
 */
export function readMoof(buf: Buffer, moof: Box, videoTrack: TrackInfo | undefined, tracks: readonly TrackInfo[] = videoTrack ? [videoTrack] : []): { key: boolean; videoSamples: number; durationSec: number } {
  for (const traf of childBoxes(buf, moof.start, moof.end).filter((b) => b.type === 'traf')) {
    const tb = childBoxes(buf, traf.start, traf.end);
    const tfhd = find(buf, tb, 'tfhd');
    if (!tfhd) continue;
    const tfFlags = buf.readUInt32BE(tfhd.start) & 0xffffff;
    const trackId = buf.readUInt32BE(tfhd.start + 4);
    if (videoTrack && trackId !== videoTrack.id) continue;
    const track = videoTrack ?? tracks.find((t) => t.id === trackId);
    let q = tfhd.start + 8;
    if (tfFlags & 0x1) q += 8;
    if (tfFlags & 0x2) q += 4;
    let defaultDuration = track?.defaultDuration ?? 0;
    if (tfFlags & 0x8) {
      defaultDuration = buf.readUInt32BE(q);
      q += 4;
    }
    if (tfFlags & 0x10) q += 4;
    let defaultFlags = track?.defaultFlags ?? 0;
    if (tfFlags & 0x20) defaultFlags = buf.readUInt32BE(q);
    let samples = 0;
    let ticks = 0;
    let first: number | null = null;
    for (const trun of tb.filter((b) => b.type === 'trun')) {
      const flags = buf.readUInt32BE(trun.start) & 0xffffff;
      const count = buf.readUInt32BE(trun.start + 4);
      let p = trun.start + 8;
      if (flags & 0x1) p += 4;
      let firstFlags: number | null = null;
      if (flags & 0x4) {
        firstFlags = buf.readUInt32BE(p);
        p += 4;
      }
      // Per-sample fields in order: duration, size, flags, composition offset.
      const stride = (flags & 0x100 ? 4 : 0) + (flags & 0x200 ? 4 : 0) + (flags & 0x400 ? 4 : 0) + (flags & 0x800 ? 4 : 0);
      if (first === null && count > 0) {
        if (firstFlags !== null) first = firstFlags;
        else if (flags & 0x400) first = buf.readUInt32BE(p + (flags & 0x100 ? 4 : 0) + (flags & 0x200 ? 4 : 0));
        else first = defaultFlags;
      }
      if (flags & 0x100) for (let i = 0; i < count && p + i * stride + 4 <= trun.end; i++) ticks += buf.readUInt32BE(p + i * stride);
      else ticks += count * defaultDuration;
      samples += count;
    }
    const timescale = track?.timescale ?? 0;
    return { key: first !== null && (first & NON_SYNC) === 0, videoSamples: samples, durationSec: timescale > 0 ? ticks / timescale : 0 };
  }
  return { key: false, videoSamples: 0, durationSec: 0 };
}

/**
 * Incremental reader: push pipe data, get whole init segments and fragments out. Pipe chunks are queued as they come
 * and each box is copied at most once (a fragment's moof and mdat straight into one buffer), so a large keyframe
 * arriving in many chunks costs no re-concatenation per chunk.
 */
export class Fmp4Splitter {
  private readonly q = new ChunkQueue();
  private initParts: Buffer[] = [];
  private moof: Buffer | null = null;
  private video: TrackInfo | undefined;
  private tracks: TrackInfo[] = [];
  /** A box larger than this is a broken stream: the reader resets instead of buffering without bound. */
  constructor(private readonly maxBox = 32 * 1024 * 1024) {}

  push(d: Buffer): Fmp4Chunk[] {
    const out: Fmp4Chunk[] = [];
    this.q.push(d);
    while (this.q.size >= 8) {
      const head = this.q.peek(16);
      let size = head.readUInt32BE(0);
      if (size === 1) {
        if (head.length < 16) break;
        size = Number(head.readBigUInt64BE(8));
      }
      if (size < 8 || size > this.maxBox) {
        this.q.clear();
        this.initParts = [];
        this.moof = null;
        return out;
      }
      if (this.q.size < size) break;
      const type = head.toString('latin1', 4, 8);
      if (type === 'mdat' && this.moof) {
        // The fragment is moof + mdat in one buffer, written once.
        const moof = this.moof;
        this.moof = null;
        const data = Buffer.allocUnsafe(moof.length + size);
        moof.copy(data, 0);
        this.q.takeInto(data, moof.length, size);
        this.onFragment(moof, data, out);
      } else {
        this.onBox(this.q.take(size), out);
      }
    }
    return out;
  }

  private onFragment(moof: Buffer, data: Buffer, out: Fmp4Chunk[]): void {
    const info = readMoof(moof, { type: 'moof', start: 8, end: moof.length }, this.video, this.tracks);
    out.push({ type: 'fragment', fragment: { data, key: info.key, videoSamples: info.videoSamples, durationSec: info.durationSec } });
  }

  private onBox(box: Buffer, out: Fmp4Chunk[]): void {
    const type = box.toString('latin1', 4, 8);
    if (type === 'ftyp') {
      this.initParts = [Buffer.from(box)];
      this.moof = null;
    } else if (type === 'moov') {
      const parts = [...this.initParts, Buffer.from(box)];
      this.initParts = [];
      const tracks = readMoov(box, { type, start: 8, end: box.length });
      this.tracks = tracks;
      this.video = tracks.find((t) => t.handler === 'vide');
      const audio = tracks.find((t) => t.handler === 'soun');
      const codecs = [this.video?.codec, audio?.codec].filter((c): c is string => !!c).join(',');
      out.push({ type: 'init', init: { data: Buffer.concat(parts), codecs, hasAudio: !!audio } });
    } else if (type === 'moof') {
      // A copy: the moof may be a view of a pipe chunk that is otherwise done with.
      this.moof = Buffer.from(box);
    }
  }
}

/** The last group of pictures: the fragments since the most recent keyframe, so a new viewer starts on a keyframe. */
export class GopCache<F extends { data: Buffer; key: boolean } = Fmp4Fragment> {
  private frags: F[] = [];
  private bytes = 0;
  constructor(private readonly maxBytes = 16 * 1024 * 1024) {}

  add(f: F): void {
    if (f.key) {
      this.frags = [];
      this.bytes = 0;
    } else if (this.frags.length === 0) return;
    if (this.bytes + f.data.length > this.maxBytes) {
      // A GOP this large is a camera with a very long keyframe interval: wait for the next keyframe instead.
      this.frags = [];
      this.bytes = 0;
      return;
    }
    this.frags.push(f);
    this.bytes += f.data.length;
  }

  clear(): void {
    this.frags = [];
    this.bytes = 0;
  }

  fragments(): readonly F[] {
    return this.frags;
  }

  /** The keyframe fragment that starts the cached GOP, if any. */
  keyframe(): F | null {
    return this.frags[0] ?? null;
  }
}

// Pure stream splitters for the ingest pipes: JPEGs on SOI/EOI, PPM frames by header, text lines.

/** Splits a byte stream of concatenated JPEGs (as written by ffmpeg's mjpeg encoder) into whole images. */
export class JpegSplitter {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Offset up to which the pending data is known not to contain an EOI. */
  private scanned = 0;

  constructor(private readonly maxBytes = 16 * 1024 * 1024) {}

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const out: Buffer[] = [];
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    let start = 0;
    for (;;) {
      const soi = findMarker(buf, 0xd8, start);
      if (soi < 0) {
        start = buf.length > 0 && buf[buf.length - 1] === 0xff ? buf.length - 1 : buf.length;
        this.scanned = 0;
        break;
      }
      const eoi = findMarker(buf, 0xd9, Math.max(soi + 2, start + this.scanned));
      if (eoi < 0) {
        start = soi;
        this.scanned = Math.max(0, buf.length - soi - 1);
        break;
      }
      out.push(Buffer.from(buf.subarray(soi, eoi + 2)));
      start = eoi + 2;
      this.scanned = 0;
    }
    buf = buf.subarray(start);
    if (buf.length > this.maxBytes) {
      buf = Buffer.alloc(0);
      this.scanned = 0;
    }
    this.chunks = buf.length ? [buf] : [];
    this.size = buf.length;
    return out;
  }
}

function findMarker(buf: Buffer, code: number, from: number): number {
  let i = from;
  for (;;) {
    i = buf.indexOf(0xff, i);
    if (i < 0 || i + 1 >= buf.length) return -1;
    if (buf[i + 1] === code) return i;
    i += 1;
  }
}

export interface PpmFrame {
  width: number;
  height: number;
  /** Packed RGB24 pixels. */
  data: Buffer;
}

/** Splits concatenated binary PPM (P6, maxval 255) images, as written by ffmpeg's ppm encoder over image2pipe. */
export class PpmSplitter {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): PpmFrame[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const out: PpmFrame[] = [];
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    let off = 0;
    for (;;) {
      const h = parsePpmHeader(buf, off);
      if (h === 'need-more') break;
      if (h === 'invalid') {
        const next = buf.indexOf('P6', off + 1, 'latin1');
        off = next < 0 ? buf.length : next;
        continue;
      }
      const end = h.dataStart + h.width * h.height * 3;
      if (buf.length < end) break;
      out.push({ width: h.width, height: h.height, data: Buffer.from(buf.subarray(h.dataStart, end)) });
      off = end;
    }
    buf = buf.subarray(off);
    this.chunks = buf.length ? [buf] : [];
    this.size = buf.length;
    return out;
  }
}

const isSpace = (b: number | undefined): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

function parsePpmHeader(buf: Buffer, off: number): { width: number; height: number; dataStart: number } | 'need-more' | 'invalid' {
  if (buf.length - off < 2) return 'need-more';
  if (buf[off] !== 0x50 || buf[off + 1] !== 0x36) return 'invalid';
  const nums: number[] = [];
  let i = off + 2;
  while (nums.length < 3) {
    while (i < buf.length && isSpace(buf[i])) i++;
    if (i >= buf.length) return 'need-more';
    if (buf[i] === 0x23) {
      const nl = buf.indexOf(0x0a, i);
      if (nl < 0) return 'need-more';
      i = nl + 1;
      continue;
    }
    let n = 0;
    let digits = 0;
    while (i < buf.length && buf[i]! >= 0x30 && buf[i]! <= 0x39) {
      n = n * 10 + (buf[i]! - 0x30);
      i++;
      digits++;
      if (digits > 6) return 'invalid';
    }
    if (i >= buf.length) return 'need-more';
    if (digits === 0 || !isSpace(buf[i])) return 'invalid';
    nums.push(n);
  }
  const [width, height, maxval] = nums as [number, number, number];
  if (maxval !== 255 || width <= 0 || height <= 0) return 'invalid';
  return { width, height, dataStart: i + 1 };
}

/** Splits a text stream into complete lines. */
export class LineSplitter {
  private rest = '';

  push(chunk: Buffer | string): string[] {
    this.rest += chunk.toString();
    const parts = this.rest.split(/\r?\n|\r/);
    this.rest = parts.pop() ?? '';
    if (this.rest.length > 64 * 1024) this.rest = '';
    return parts.filter((l) => l.length > 0);
  }
}

export interface SegmentListEntry {
  file: string;
  startSec: number;
  endSec: number;
}

/** Parse one line of ffmpeg's segment list in CSV form: `name,start,end` (name quoted when it has commas or quotes). */
export function parseSegmentListLine(line: string): SegmentListEntry | null {
  const m = /^(?:"((?:[^"]|"")*)"|([^,]*)),([-\d.eE+]+),([-\d.eE+]+)\s*$/.exec(line.trim());
  if (!m) return null;
  const file = m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? '');
  const startSec = Number(m[3]);
  const endSec = Number(m[4]);
  if (!file || !Number.isFinite(startSec) || !Number.isFinite(endSec)) return null;
  return { file, startSec, endSec };
}

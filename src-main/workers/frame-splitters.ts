// Pure stream splitters for the ingest pipes: JPEGs on SOI/EOI, PPM frames by header, text lines.
import { ChunkQueue } from './chunk-queue';

/**
 * Splits a byte stream of concatenated JPEGs (as written by ffmpeg's mjpeg encoder) into whole images.
 * Each byte is scanned once and each image copied once, however many pipe chunks it spans.
 */
export class JpegSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private inImage = false;
  /** The last byte seen was 0xFF (a marker may straddle two chunks). */
  private prevFF = false;

  constructor(private readonly maxBytes = 16 * 1024 * 1024) {}

  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (!this.inImage) {
        if (this.prevFF && pos === 0 && chunk[0] === 0xd8) {
          this.parts = [Buffer.from([0xff, 0xd8])];
          this.size = 2;
          this.inImage = true;
          pos = 1;
          this.prevFF = false;
          continue;
        }
        const soi = findMarker(chunk, 0xd8, pos);
        if (soi < 0) {
          this.prevFF = chunk[chunk.length - 1] === 0xff;
          return out;
        }
        this.inImage = true;
        this.parts = [];
        this.size = 0;
        this.prevFF = false;
        const eoi = findMarker(chunk, 0xd9, soi + 2);
        if (eoi >= 0) {
          out.push(Buffer.from(chunk.subarray(soi, eoi + 2)));
          this.inImage = false;
          pos = eoi + 2;
          continue;
        }
        this.append(chunk.subarray(soi));
        this.prevFF = chunk[chunk.length - 1] === 0xff;
        return out;
      }
      let end = -1;
      if (this.prevFF && pos === 0 && chunk[0] === 0xd9) end = 1;
      else {
        const eoi = findMarker(chunk, 0xd9, pos);
        if (eoi >= 0) end = eoi + 2;
      }
      if (end < 0) {
        this.append(chunk.subarray(pos));
        this.prevFF = chunk[chunk.length - 1] === 0xff;
        return out;
      }
      this.append(chunk.subarray(pos, end));
      out.push(Buffer.concat(this.parts, this.size));
      this.parts = [];
      this.size = 0;
      this.inImage = false;
      this.prevFF = false;
      pos = end;
    }
    return out;
  }

  private append(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
    if (this.size > this.maxBytes) {
      this.parts = [];
      this.size = 0;
      this.inImage = false;
    }
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
  private readonly q = new ChunkQueue();
  private frame: { width: number; height: number; dataStart: number; end: number } | null = null;

  push(chunk: Buffer): PpmFrame[] {
    this.q.push(chunk);
    const out: PpmFrame[] = [];
    for (;;) {
      if (!this.frame) {
        if (this.q.size === 0) break;
        const head = this.q.peek(64);
        const h = parsePpmHeader(head, 0);
        if (h === 'need-more') {
          if (head.length >= 64) this.resync(head);
          else break;
          continue;
        }
        if (h === 'invalid') {
          this.resync(head);
          continue;
        }
        this.frame = { ...h, end: h.dataStart + h.width * h.height * 3 };
      }
      const f = this.frame;
      if (this.q.size < f.end) break;
      // One copy per frame, whatever the number of pipe chunks it came in: the pixels go straight into their own buffer
      // (whole, so the analysis worker can take it by transfer), and only the tail after the frame stays queued.
      const data = Buffer.allocUnsafeSlow(f.end - f.dataStart);
      this.q.skip(f.dataStart);
      this.q.takeInto(data, 0, data.length);
      out.push({ width: f.width, height: f.height, data });
      this.frame = null;
    }
    return out;
  }

  /** Drops bytes up to the next "P6" after the start (or the whole header window when there is none). */
  private resync(head: Buffer): void {
    const next = head.indexOf('P6', 1, 'latin1');
    this.q.skip(next < 0 ? head.length : next);
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

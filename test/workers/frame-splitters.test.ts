// Unit: JPEG (SOI/EOI), PPM and segment-list splitting of the ingest pipes, with arbitrary chunk boundaries.
import { describe, expect, it } from 'vitest';
import { JpegSplitter, LineSplitter, PpmSplitter, parseSegmentListLine } from '../../src-main/workers/frame-splitters';

const jpeg = (n: number, len: number): Buffer => {
  const body = Buffer.alloc(len, n);
  body[3] = 0xff;
  body[4] = 0x00;
  return Buffer.concat([Buffer.from([0xff, 0xd8]), body, Buffer.from([0xff, 0xd9])]);
};

function chop(buf: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  let i = 0;
  while (off < buf.length) {
    const n = sizes[i++ % sizes.length]!;
    out.push(buf.subarray(off, off + n));
    off += n;
  }
  return out;
}

describe('JpegSplitter', () => {
  it('recovers every image whatever the chunking, skipping junk between images', () => {
    const imgs = [jpeg(1, 100), jpeg(2, 5), jpeg(3, 3000)];
    const stream = Buffer.concat([Buffer.from([0x00, 0x12]), imgs[0]!, imgs[1]!, Buffer.from([0x55]), imgs[2]!]);
    for (const sizes of [[1], [2], [7, 1, 3], [stream.length]]) {
      const s = new JpegSplitter();
      const got = chop(stream, sizes).flatMap((c) => s.push(c));
      expect(got.map((g) => g.toString('hex'))).toEqual(imgs.map((g) => g.toString('hex')));
    }
  });

  it('holds an incomplete image until its EOI arrives', () => {
    const s = new JpegSplitter();
    const img = jpeg(9, 50);
    expect(s.push(img.subarray(0, img.length - 1))).toEqual([]);
    expect(s.push(img.subarray(img.length - 1))).toHaveLength(1);
  });
});

describe('PpmSplitter', () => {
  it('parses P6 headers (with comments) and yields whole frames', () => {
    const frame = (w: number, h: number, v: number) => Buffer.concat([Buffer.from(`P6\n# c\n${w} ${h}\n255\n`), Buffer.alloc(w * h * 3, v)]);
    const stream = Buffer.concat([frame(4, 2, 1), frame(3, 3, 2)]);
    for (const sizes of [[1], [5, 13], [stream.length]]) {
      const s = new PpmSplitter();
      const got = chop(stream, sizes).flatMap((c) => s.push(c));
      expect(got.map((f) => [f.width, f.height, f.data.length, f.data[0]])).toEqual([
        [4, 2, 24, 1],
        [3, 3, 27, 2],
      ]);
    }
  });

  it('copies every pixel byte in order across chunk boundaries, into a buffer of its own (transferable)', () => {
    const px = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_x, i) => (i * 7 + seed) % 256));
    const a = px(5 * 3 * 3, 1);
    const b = px(2 * 2 * 3, 9);
    const stream = Buffer.concat([Buffer.from('P6 5 3 255\n'), a, Buffer.from('P6\n2 2\n255\n'), b]);
    for (const sizes of [[1], [3, 7], [11, 30, 2], [stream.length]]) {
      const s = new PpmSplitter();
      const got = chop(stream, sizes).flatMap((c) => s.push(c));
      expect(got.map((f) => f.data)).toEqual([a, b]);
      for (const f of got) expect([f.data.byteOffset, f.data.buffer.byteLength]).toEqual([0, f.data.length]);
    }
  });
});

describe('segment list', () => {
  it('splits lines and parses CSV entries', () => {
    const l = new LineSplitter();
    expect(l.push('a.ts,0.0,4.0\nb.t')).toEqual(['a.ts,0.0,4.0']);
    expect(l.push('s,4.000000,8.040000\n')).toEqual(['b.ts,4.000000,8.040000']);
    expect(parseSegmentListLine('r1-1-000002.ts,8.000000,12.040000')).toEqual({ file: 'r1-1-000002.ts', startSec: 8, endSec: 12.04 });
    expect(parseSegmentListLine('"a,""b"".ts",1,2')).toEqual({ file: 'a,"b".ts', startSec: 1, endSec: 2 });
    expect(parseSegmentListLine('garbage')).toBeNull();
  });
});

describe('splitters under random chunking', () => {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };

  it('JPEG: byte-stuffed bodies and fill bytes survive any chunk boundary', () => {
    const imgs = Array.from({ length: 30 }, () => {
      const body: number[] = [];
      const len = 1 + rand(300);
      for (let i = 0; i < len; i++) {
        const b = rand(256);
        body.push(b);
        if (b === 0xff) body.push(rand(2) ? 0x00 : 0xd0 + rand(8));
      }
      return Buffer.from([0xff, 0xd8, ...body, 0xff, 0xff, 0xd9]);
    });
    const stream = Buffer.concat(imgs);
    for (let round = 0; round < 20; round++) {
      const s = new JpegSplitter();
      const got: Buffer[] = [];
      let off = 0;
      while (off < stream.length) {
        const n = 1 + rand(round < 10 ? 4 : 400);
        got.push(...s.push(stream.subarray(off, off + n)));
        off += n;
      }
      expect(got.length).toBe(imgs.length);
      expect(Buffer.concat(got).equals(stream)).toBe(true);
    }
  });

  it('PPM: headers split across small chunks', () => {
    const frames = Array.from({ length: 10 }, (_x, i) => Buffer.concat([Buffer.from(`P6\n${2 + i} ${3 + i}\n255\n`), Buffer.alloc((2 + i) * (3 + i) * 3, i)]));
    const stream = Buffer.concat(frames);
    for (let round = 0; round < 20; round++) {
      const s = new PpmSplitter();
      const got = [];
      let off = 0;
      while (off < stream.length) {
        const n = 1 + rand(round < 10 ? 3 : 200);
        got.push(...s.push(stream.subarray(off, off + n)));
        off += n;
      }
      expect(got.map((f) => [f.width, f.height, f.data.length])).toEqual(frames.map((_f, i) => [2 + i, 3 + i, (2 + i) * (3 + i) * 3]));
    }
  });
});

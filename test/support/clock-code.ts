// A machine-readable wall-clock overlay for test cameras: ffmpeg draws epoch milliseconds as black/white blocks, a reader decodes them.
/**
 * Layout: CLOCK_BITS cells carry bits of floor(epoch ms) mod 2^CLOCK_BITS (cell i = bit i), and as many cells after them
 * carry the complement of each bit, so a frame whose blocks are blurred, half-updated or covered decodes to null instead
 * of a wrong time. Cells run left to right, CLOCK_COLS per row, from (x, y) in the frame's own pixels.
 */
export interface ClockLayout {
  x: number;
  y: number;
  cell: number;
  cols: number;
}

export const CLOCK_BITS = 24;
/** 2^24 ms is about 4.7 h: any latency under half of that is unambiguous. */
export const CLOCK_MODULO = 2 ** CLOCK_BITS;
export const CLOCK_CELLS = CLOCK_BITS * 2;
/** 8 x 6 cells of 40 px: a 320 x 240 patch in the top-left corner of a 1280x720 (or 640x360) frame. */
export const CLOCK_LAYOUT: ClockLayout = { x: 16, y: 16, cell: 40, cols: 8 };

const cellX = (l: ClockLayout, i: number): number => l.x + (i % l.cols) * l.cell;
const cellY = (l: ClockLayout, i: number): number => l.y + Math.floor(i / l.cols) * l.cell;
export const clockRows = (l: ClockLayout = CLOCK_LAYOUT): number => Math.ceil(CLOCK_CELLS / l.cols);

/**
 * The ffmpeg filters that draw the code from the frame's timestamp `t` (seconds): a black patch, then one white drawbox per
 * set bit, switched by its timeline `enable` expression. The caller stamps the frames with the wall clock before these
 * (settb=AVTB,setpts=RTCTIME/(TB*1000000)), so `t` is the epoch in seconds and floor(t*1000) the epoch milliseconds.
 */
export function clockCodeFilters(l: ClockLayout = CLOCK_LAYOUT): string[] {
  const ms = 'floor(t*1000)';
  const out = [`drawbox=x=${l.x - 8}:y=${l.y - 8}:w=${l.cols * l.cell + 16}:h=${clockRows(l) * l.cell + 16}:color=black:t=fill`];
  for (let i = 0; i < CLOCK_CELLS; i++) {
    const bit = i % CLOCK_BITS;
    const set = `gte(mod(${ms},${2 ** (bit + 1)}),${2 ** bit})`;
    const on = i < CLOCK_BITS ? set : `not(${set})`;
    out.push(`drawbox=x=${cellX(l, i)}:y=${cellY(l, i)}:w=${l.cell}:h=${l.cell}:color=white:t=fill:enable='${on}'`);
  }
  return out;
}

/**
 * The in-page (or Node) reader, as plain JavaScript source so a browser can run exactly what the unit test runs:
 * `(rgba, stride, layout) => number[]`, the mean grey level of the inner half of every cell. `rgba` holds RGBA pixels of a
 * region starting at (layout.x, layout.y) of the frame, `stride` pixels wide.
 */
export const CLOCK_CELL_MEANS_JS = `(function clockCellMeans(rgba, stride, layout) {
  var means = [];
  var q = Math.floor(layout.cell / 4);
  for (var i = 0; i < ${CLOCK_CELLS}; i++) {
    var cx = (i % layout.cols) * layout.cell, cy = Math.floor(i / layout.cols) * layout.cell;
    var sum = 0, n = 0;
    for (var y = cy + q; y < cy + layout.cell - q; y++) {
      for (var x = cx + q; x < cx + layout.cell - q; x++) {
        var o = (y * stride + x) * 4;
        sum += rgba[o] + rgba[o + 1] + rgba[o + 2];
        n += 3;
      }
    }
    means.push(n ? sum / n : 0);
  }
  return means;
})`;

export type CellMeans = (rgba: ArrayLike<number>, stride: number, layout: ClockLayout) => number[];

/** The reader above, compiled for Node. */
export const clockCellMeans = (): CellMeans => new Function(`return ${CLOCK_CELL_MEANS_JS}`)() as CellMeans;

/** Below this grey level a cell is black, above WHITE white; in between it is unreadable. */
const BLACK = 96;
const WHITE = 160;

/** The stamped value (epoch ms mod CLOCK_MODULO) from the cell means, or null when any cell is unclear or fails its complement. */
export function decodeClockCells(means: readonly number[]): number | null {
  if (means.length < CLOCK_CELLS) return null;
  let v = 0;
  for (let bit = 0; bit < CLOCK_BITS; bit++) {
    const a = means[bit]!;
    const b = means[bit + CLOCK_BITS]!;
    const on = a > WHITE && b < BLACK;
    const off = a < BLACK && b > WHITE;
    if (on === off) return null;
    if (on) v += 2 ** bit;
  }
  return v;
}

/** How long before `nowMs` the decoded stamp was taken (ms); the nearest candidate, so a clock a little ahead gives a small negative number. */
export function clockAge(value: number, nowMs: number): number {
  const d = (((nowMs - value) % CLOCK_MODULO) + CLOCK_MODULO) % CLOCK_MODULO;
  return d > CLOCK_MODULO / 2 ? d - CLOCK_MODULO : d;
}

export interface ClockFeed {
  width: number;
  height: number;
  fps: number;
  /** Keyframe interval in frames. */
  gop: number;
  /** Frames' capture stamp in microseconds, an ffmpeg setpts expression; the wall clock by default (tests pin it). */
  stampUs?: string;
}

/**
 * A live clock camera as ffmpeg input and encode arguments: testsrc2 paced in real time, every frame stamped with the wall
 * clock at its creation and carrying that stamp as blocks, then given ordinary constant-rate timestamps and encoded the
 * way a camera does (libx264 ultrafast zerolatency, fixed GOP, SPS/PPS on every keyframe).
 * One slice per frame (-threads 1): zerolatency's sliced threads would cut each frame into slices, and the test RTSP
 * server's h264parse (config-interval=-1) then repeats SPS/PPS before every IDR slice. That splits each keyframe into
 * several access units for a strict decoder: Chromium then shows only the last slice of every picture over MSE.
 */
export function clockFeedArgs(f: ClockFeed): string[] {
  const vf = ['realtime', 'settb=AVTB', `setpts=${f.stampUs ?? 'RTCTIME'}/(TB*1000000)`, ...clockCodeFilters(), `settb=1/${f.fps}`, 'setpts=N'].join(',');
  return [
    '-f', 'lavfi', '-i', `testsrc2=size=${f.width}x${f.height}:rate=${f.fps}`,
    '-vf', vf,
    '-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-threads', '1', '-pix_fmt', 'yuv420p',
    '-g', String(f.gop), '-keyint_min', String(f.gop), '-sc_threshold', '0', '-x264-params', 'repeat-headers=1',
  ];
}

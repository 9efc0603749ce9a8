// Pairs a detecting camera's JPEG stills with its analysis frames, so a still carries the time of the frame it shows.
//
// One ffmpeg writes both outputs from the same decoded frames through the same deterministic rate filter (ingest-args'
// rateLimitFilter at the analysis rate), so the n-th still and the n-th analysis frame of a run are the same picture.
// Their pipes are read independently, though: on a loaded machine one runs hundreds of ms behind the other, and
// stamping each on arrival made "the still nearest the analysed frame" a different moment (or none at all). Pairing by
// index is exact whatever the load.

export interface PairedStill {
  jpeg: Buffer;
  ts_ms: number;
}

/** Stills waiting for their analysis frame beyond this many are let go with their own arrival time (that pipe is stuck). */
const MAX_HELD = 8;
/** Analysis times remembered for stills still to come (a still pipe far behind is unusual; beyond it a still keeps its own time). */
const MAX_TIMES = 64;

export class StillPairer {
  private analysisN = 0;
  private stillN = 0;
  /** Analysis frame index → its time, for stills that arrive after their frame. */
  private readonly times = new Map<number, number>();
  /** Still index → the still, for stills that arrive before their frame. */
  private readonly held = new Map<number, PairedStill>();

  /** An analysis frame arrived at `ts`; returns the held still(s) it releases, stamped with `ts`. */
  analysis(ts: number): PairedStill[] {
    const n = this.analysisN++;
    const still = this.held.get(n);
    if (still) {
      this.held.delete(n);
      return [{ jpeg: still.jpeg, ts_ms: ts }];
    }
    this.times.set(n, ts);
    if (this.times.size > MAX_TIMES) this.times.delete(n - MAX_TIMES);
    return [];
  }

  /** A still arrived at `ts`; returns it stamped with its frame's time, or nothing while that frame is still to come. */
  still(jpeg: Buffer, ts: number): PairedStill[] {
    const n = this.stillN++;
    const at = this.times.get(n);
    if (at !== undefined) {
      this.times.delete(n);
      return [{ jpeg, ts_ms: at }];
    }
    if (n < this.analysisN) return [{ jpeg, ts_ms: ts }]; // its frame's time was forgotten: the best left is its own
    this.held.set(n, { jpeg, ts_ms: ts });
    if (this.held.size <= MAX_HELD) return [];
    const oldest = Math.min(...this.held.keys());
    const s = this.held.get(oldest) as PairedStill;
    this.held.delete(oldest);
    return [s];
  }
}

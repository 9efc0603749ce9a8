// A byte queue over pipe chunks as they came: the splitters read whole boxes and frames out of it, each byte copied at
// most once however many chunks it spans (no re-concatenation of the pending bytes per chunk).

export class ChunkQueue {
  private parts: Buffer[] = [];
  private queued = 0;

  /** Bytes queued. */
  get size(): number {
    return this.queued;
  }

  push(d: Buffer): void {
    if (d.length === 0) return;
    this.parts.push(d);
    this.queued += d.length;
  }

  clear(): void {
    this.parts = [];
    this.queued = 0;
  }

  /** The first n queued bytes (at least n when they sit in the first chunk: that chunk itself), copied only when they span chunks. */
  peek(n: number): Buffer {
    const first = this.parts[0];
    if (!first) return Buffer.alloc(0);
    if (first.length >= n) return first;
    const out = Buffer.allocUnsafe(Math.min(n, this.queued));
    let o = 0;
    for (const p of this.parts) {
      o += p.copy(out, o, 0, Math.min(p.length, out.length - o));
      if (o === out.length) break;
    }
    return out;
  }

  /** The next n bytes (n <= size): a view when they sit in one chunk, else one copy. */
  take(n: number): Buffer {
    const first = this.parts[0]!;
    if (first.length >= n) {
      this.skip(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    this.takeInto(out, 0, n);
    return out;
  }

  /** Copies the next n bytes (n <= size) into `target` at `offset`. */
  takeInto(target: Buffer, offset: number, n: number): void {
    this.consume(n, (p, k, at) => p.copy(target, offset + at, 0, k));
  }

  /** Drops the next n bytes (n <= size). */
  skip(n: number): void {
    this.consume(n, () => undefined);
  }

  /** Takes n bytes off the front, handing each chunk's share (its first `count` bytes, landing at `at`) to `each`. */
  private consume(n: number, each: (part: Buffer, count: number, at: number) => void): void {
    let o = 0;
    while (o < n) {
      const p = this.parts[0]!;
      const k = Math.min(p.length, n - o);
      each(p, k, o);
      o += k;
      if (k === p.length) this.parts.shift();
      else this.parts[0] = p.subarray(k);
    }
    this.queued -= n;
  }
}

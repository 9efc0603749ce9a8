// Pure fair scheduler for analysis frames: newest frame wins per camera, cameras served round-robin, bounded in flight, a global rate budget and a per-camera minimum interval.

/** Token arithmetic in floating point: 0.4 + 0.4 + 0.2 must count as one whole frame. */
const EPS = 1e-9;

export interface SchedulerOptions {
  /** Frames out at once across cameras (the model's max_batch). */
  maxInFlight: number;
  /** Analysed frames per second across all cameras; null for no budget. */
  budgetFps: number | null;
  /** Frames the budget lets out back to back after an idle spell; defaults to maxInFlight. */
  burst?: number;
}

export interface Dispatch<T> {
  key: number;
  item: T;
  /** When the item was offered. */
  since: number;
}

export interface SlotStats {
  offered: number;
  dispatched: number;
  /** Replaced by a newer item before dispatch. */
  dropped: number;
  pending: boolean;
  inFlight: boolean;
}

interface Slot<T> {
  pending: T | null;
  since: number;
  minIntervalMs: number;
  lastDispatch: number | null;
  /** The item out for this key, if any. */
  busy: T | null;
  offered: number;
  dispatched: number;
  dropped: number;
}

export class FairScheduler<T> {
  private readonly slots = new Map<number, Slot<T>>();
  /** The key served last; the next round starts after it. */
  private cursor: number | null = null;
  private inFlight = 0;
  private maxInFlight: number;
  private budgetFps: number | null;
  private readonly burst: number;
  private tokens: number;
  private refilledAt: number | null = null;

  constructor(o: SchedulerOptions) {
    this.maxInFlight = Math.max(1, Math.floor(o.maxInFlight));
    this.budgetFps = o.budgetFps !== null && o.budgetFps > 0 ? o.budgetFps : null;
    this.burst = Math.max(1, o.burst ?? this.maxInFlight);
    this.tokens = this.burst;
  }

  /** Changes the global budget from the next frame on (null: none). */
  setBudget(fps: number | null): void {
    this.budgetFps = fps !== null && fps > 0 ? fps : null;
    this.tokens = Math.min(this.tokens, this.burst);
  }

  setMaxInFlight(n: number): void {
    this.maxInFlight = Math.max(1, Math.floor(n));
  }

  /** Keeps `item` as the key's pending item; returns the item it replaced (now dropped), if any. */
  offer(key: number, item: T, now: number, minIntervalMs = 0): T | null {
    let s = this.slots.get(key);
    if (!s) this.slots.set(key, (s = { pending: null, since: now, minIntervalMs, lastDispatch: null, busy: null, offered: 0, dispatched: 0, dropped: 0 }));
    const replaced = s.pending;
    if (replaced !== null) s.dropped++;
    s.pending = item;
    s.since = now;
    s.minIntervalMs = Math.max(0, minIntervalMs);
    s.offered++;
    return replaced;
  }

  /** The items that may go out now, round-robin from after the last served key; each key at most once and never while its previous item is out. */
  take(now: number): Dispatch<T>[] {
    this.refill(now);
    const out: Dispatch<T>[] = [];
    const keys = [...this.slots.keys()];
    if (!keys.length) return out;
    const start = this.cursor === null ? 0 : keys.indexOf(this.cursor) + 1;
    for (let n = 0; n < keys.length; n++) {
      if (this.inFlight >= this.maxInFlight) break;
      if (this.budgetFps !== null && this.tokens < 1 - EPS) break;
      const key = keys[(start + n) % keys.length] as number;
      const s = this.slots.get(key) as Slot<T>;
      if (!this.eligible(s, now)) continue;
      out.push({ key, item: s.pending as T, since: s.since });
      s.busy = s.pending;
      s.pending = null;
      s.lastDispatch = now;
      s.dispatched++;
      this.inFlight++;
      if (this.budgetFps !== null) this.tokens -= 1;
      this.cursor = key;
    }
    return out;
  }

  /** The key's dispatched item came back (analysed or failed); an item of a key removed meanwhile is ignored. */
  done(key: number, item: T): void {
    const s = this.slots.get(key);
    if (s?.busy !== item || item === null) return;
    s.busy = null;
    this.inFlight--;
  }

  /** Forgets a key; returns its pending item, if any. An item still out is released as if done. */
  remove(key: number): T | null {
    const s = this.slots.get(key);
    if (!s) return null;
    if (s.busy !== null) this.inFlight--;
    this.slots.delete(key);
    if (this.cursor === key) this.cursor = null;
    return s.pending;
  }

  /** Removes and returns every pending item. */
  drain(): Dispatch<T>[] {
    const out: Dispatch<T>[] = [];
    for (const [key, s] of this.slots) {
      if (s.pending !== null) out.push({ key, item: s.pending, since: s.since });
      s.pending = null;
    }
    return out;
  }

  /**
   * When a held item next becomes eligible (interval or budget), so the caller can set one timer; null when nothing
   * waits on time (no pending items, or the in-flight limit is what holds them: done() frees it).
   */
  wakeAt(now: number): number | null {
    if (this.inFlight >= this.maxInFlight) return null;
    this.refill(now);
    const budgetAt = this.budgetFps === null || this.tokens >= 1 - EPS ? now : now + Math.ceil(((1 - this.tokens) * 1000) / this.budgetFps);
    let best: number | null = null;
    for (const s of this.slots.values()) {
      if (s.pending === null || s.busy !== null) continue;
      const at = Math.max(budgetAt, s.lastDispatch === null ? now : s.lastDispatch + s.minIntervalMs);
      if (best === null || at < best) best = at;
    }
    return best;
  }

  stats(key: number): SlotStats | null {
    const s = this.slots.get(key);
    return s ? { offered: s.offered, dispatched: s.dispatched, dropped: s.dropped, pending: s.pending !== null, inFlight: s.busy !== null } : null;
  }

  get outstanding(): number {
    return this.inFlight;
  }

  private eligible(s: Slot<T>, now: number): boolean {
    if (s.pending === null || s.busy !== null) return false;
    return s.lastDispatch === null || now - s.lastDispatch >= s.minIntervalMs || now < s.lastDispatch;
  }

  private refill(now: number): void {
    if (this.budgetFps === null) return;
    if (this.refilledAt !== null && now > this.refilledAt) this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.budgetFps) / 1000);
    this.refilledAt = now;
  }
}

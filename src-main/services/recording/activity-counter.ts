// Per-minute motion activity (frames analysed, frames with motion, largest area) behind the timeline's activity histogram.
import type { EventsRepository } from '../../repositories/events.repository';

interface Acc {
  minute: number;
  frames: number;
  motion: number;
  max: number;
}

export class ActivityCounter {
  private readonly acc = new Map<number, Acc>();

  constructor(private readonly events: Pick<EventsRepository, 'addActivity'>) {}

  count(cameraId: number, ts: number, motion: boolean, area: number): void {
    const minute = Math.floor(ts / 60_000) * 60_000;
    let a = this.acc.get(cameraId);
    if (a && a.minute !== minute) {
      if (a.frames) this.events.addActivity(cameraId, a.minute, a.frames, a.motion, a.max);
      a = undefined;
    }
    if (!a) {
      a = { minute, frames: 0, motion: 0, max: 0 };
      this.acc.set(cameraId, a);
    }
    a.frames++;
    if (motion) a.motion++;
    a.max = Math.max(a.max, area);
  }

  /** Persists what has accumulated (called every second, so the histogram stays current). */
  flush(): void {
    for (const [cam, a] of this.acc) {
      if (a.frames === 0) continue;
      this.events.addActivity(cam, a.minute, a.frames, a.motion, a.max);
      this.acc.set(cam, { minute: a.minute, frames: 0, motion: 0, max: 0 });
    }
  }

  forget(cameraId: number): void {
    this.acc.delete(cameraId);
  }
}

// Cooperative time slicing: long loops on the main thread ask, now and then, whether it is time to let other work run.

/** Returns a promise when the loop should yield now, else null (cheap enough to call every few hundred iterations). */
export type Yielder = () => Promise<void> | null;

export const neverYield: Yielder = () => null;

/** Yields through `yieldLoop` whenever more than `sliceMs` has passed on `now` since the last yield. */
export function timeSlicer(now: () => number, yieldLoop: () => Promise<void>, sliceMs: number): Yielder {
  let since = now();
  return () => {
    if (now() - since < sliceMs) return null;
    return yieldLoop().then(() => {
      since = now();
    });
  };
}

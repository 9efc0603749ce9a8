// In-process fan-out of push events to whichever transports are attached (IPC, SSE, later webhooks/MQTT).
import type { PushEventMap, PushEventName, PushMessage } from '../shared/push-events';
import type { PushSink } from '../ports/push.port';

export type PushListener = (msg: PushMessage) => void;

export class PushBus implements PushSink {
  private readonly listeners = new Set<PushListener>();

  emit<N extends PushEventName>(name: N, payload: PushEventMap[N]): void {
    const msg = { name, payload } as PushMessage;
    for (const l of this.listeners) {
      try {
        l(msg);
      } catch {
        // One broken transport must not stop the others from hearing the event.
      }
    }
  }

  subscribe(listener: PushListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }
}

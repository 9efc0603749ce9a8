// The push port: what a producer outside services/ (a camera worker) needs to broadcast a push event.
import type { PushEventMap, PushEventName } from '../shared/push-events';

export interface PushSink {
  emit<N extends PushEventName>(name: N, payload: PushEventMap[N]): void;
}

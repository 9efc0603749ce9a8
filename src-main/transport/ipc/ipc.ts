// Contract → ipcMain.handle: one channel per operation, input validated at the boundary, errors returned as data.
import { opNames } from '../../shared/contract';
import { ApiError, type IpcResult } from '../../shared/errors';
import { INVOKE_CHANNEL_PREFIX, PUSH_CHANNEL } from '../../shared/push-events';
import type { PushBus } from '../../services/push-bus';
import type { Logger } from '../../repositories/logger';
import type { Dispatcher } from '../dispatch';

/** The slice of Electron's ipcMain this needs; typed structurally so the module never imports electron. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface WebContentsLike {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

const LOCAL = { principal: { email: null, name: 'desktop', via: 'local' as const, role: 'admin' as const } };

export function registerIpc(ipc: IpcMainLike, dispatcher: Dispatcher, log: Logger): () => void {
  for (const name of opNames) {
    ipc.handle(INVOKE_CHANNEL_PREFIX + name, async (_event, input): Promise<IpcResult> => {
      try {
        return { ok: true, data: await dispatcher.call(name, input, LOCAL) };
      } catch (err) {
        if (err instanceof ApiError) return { ok: false, status: err.status, detail: err.detail, ...(err.data ? { data: err.data } : {}) };
        log.error({ err, op: name }, 'ipc handler failed');
        return { ok: false, status: 500, detail: 'Internal server error' };
      }
    });
  }
  return () => opNames.forEach((n) => ipc.removeHandler(INVOKE_CHANNEL_PREFIX + n));
}

export function forwardPush(bus: PushBus, target: () => WebContentsLike | null): () => void {
  return bus.subscribe((msg) => {
    const wc = target();
    if (wc && !wc.isDestroyed()) wc.send(PUSH_CHANNEL, msg);
  });
}

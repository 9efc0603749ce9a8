// Sandboxed preload: exposes exactly the contract's channels (plus the push subscription) as window.vigil.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { opNames } from '../src-main/shared/contract';
import { INVOKE_CHANNEL_PREFIX, PUSH_CHANNEL, type PushMessage } from '../src-main/shared/push-events';
import type { IpcResult } from '../src-main/shared/errors';

const allowed = new Set<string>(opNames);

const api = {
  channels: [...allowed],
  invoke(name: string, input: unknown): Promise<IpcResult> {
    if (!allowed.has(name)) return Promise.reject(new Error(`not a contract channel: ${name}`));
    return ipcRenderer.invoke(INVOKE_CHANNEL_PREFIX + name, input) as Promise<IpcResult>;
  },
  onPush(listener: (msg: PushMessage) => void): () => void {
    const wrapped = (_e: IpcRendererEvent, msg: PushMessage) => listener(msg);
    ipcRenderer.on(PUSH_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(PUSH_CHANNEL, wrapped);
  },
};

export type VigilBridge = typeof api;
contextBridge.exposeInMainWorld('vigil', api);

// The typed contract client: the same calls over Electron IPC or HTTP fetch, with errors carrying the server's detail.
import { contract, type OpInput, type OpName, type OpOutput } from '../../../src-main/shared/contract';
import type { ErrorDetail, IpcResult } from '../../../src-main/shared/errors';
import type { PushEventMap, PushEventName, PushMessage } from '../../../src-main/shared/push-events';

export class ClientError extends Error {
  constructor(
    readonly status: number,
    readonly detail: ErrorDetail,
    /** Fields the server sent next to `detail` (e.g. a retention preview awaiting confirmation). */
    readonly data: Record<string, unknown> = {},
  ) {
    super(typeof detail === 'string' ? detail : detail.map((d) => `${d.loc.join('.')}: ${d.msg}`).join('; '));
    this.name = 'ClientError';
  }
}

export interface Bridge {
  channels: string[];
  invoke(name: string, input: unknown): Promise<IpcResult>;
  onPush(listener: (msg: PushMessage) => void): () => void;
}

declare global {
  interface Window {
    vigil?: Bridge;
  }
}

export interface Transport {
  readonly kind: 'ipc' | 'http';
  call(name: OpName, input: unknown): Promise<unknown>;
  subscribe(listener: (msg: PushMessage) => void, onConnection?: (up: boolean) => void): () => void;
}

export function ipcTransport(bridge: Bridge): Transport {
  return {
    kind: 'ipc',
    async call(name, input) {
      const r = await bridge.invoke(name, input ?? {});
      if (!r.ok) throw new ClientError(r.status, r.detail, r.data);
      return r.data;
    },
    subscribe(listener, onConnection) {
      onConnection?.(true);
      return bridge.onPush(listener);
    },
  };
}

/** Builds method + URL + body for an operation: path params substituted, the rest in query (GET/DELETE) or body. */
export function httpRequestFor(name: OpName, input: Record<string, unknown>): { method: string; url: string; body?: string } {
  const def = contract[name];
  const rest: Record<string, unknown> = { ...input };
  const path = def.path.replace(/\{(\w+)\}/g, (_m, key: string) => {
    const v = rest[key];
    delete rest[key];
    return encodeURIComponent(String(v));
  });
  if (def.method === 'GET' || def.method === 'DELETE') {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(rest)) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) v.forEach((x) => qs.append(k, String(x)));
      else qs.set(k, String(v));
    }
    const q = qs.toString();
    return { method: def.method, url: q ? `${path}?${q}` : path };
  }
  return { method: def.method, url: path, body: JSON.stringify(rest) };
}

let unauthorized: (() => void) | null = null;
/** Called whenever an HTTP call answers 401: the session ended (server restart, key regenerated elsewhere, expiry). */
export function setUnauthorizedHandler(fn: (() => void) | null): void {
  unauthorized = fn;
}

export function httpTransport(base = ''): Transport {
  return {
    kind: 'http',
    async call(name, input) {
      const req = httpRequestFor(name, (input ?? {}) as Record<string, unknown>);
      let res: Response;
      try {
        res = await fetch(base + req.url, {
          method: req.method,
          credentials: 'same-origin',
          headers: req.body !== undefined ? { 'Content-Type': 'application/json' } : {},
          body: req.body,
        });
      } catch {
        throw new ClientError(0, 'Cannot reach the Vigil server.');
      }
      if (res.status === 204) return undefined;
      const text = await res.text();
      let json: unknown = undefined;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (!res.ok) {
        if (res.status === 401) unauthorized?.();
        const { detail, ...data } = (json && typeof json === 'object' ? json : {}) as { detail?: ErrorDetail } & Record<string, unknown>;
        throw new ClientError(res.status, detail ?? `${res.status} ${res.statusText}`, data);
      }
      return json;
    },
    subscribe(listener, onConnection) {
      let es: EventSource | null = null;
      let closed = false;
      let retry: ReturnType<typeof setTimeout> | null = null;
      const names = Object.keys(PUSH_NAMES) as PushEventName[];
      const open = () => {
        es = new EventSource(base + '/api/push');
        es.onopen = () => onConnection?.(true);
        es.onerror = () => {
          onConnection?.(false);
          es?.close();
          if (!closed) retry = setTimeout(open, 2000);
        };
        for (const n of names) {
          es.addEventListener(n, (ev) => listener({ name: n, payload: JSON.parse((ev as MessageEvent<string>).data) } as PushMessage));
        }
      };
      open();
      return () => {
        closed = true;
        if (retry) clearTimeout(retry);
        es?.close();
      };
    },
  };
}

const PUSH_NAMES: Record<PushEventName, true> = {
  'settings.changed': true,
  'worker.state': true,
  'camera.added': true,
  'camera.updated': true,
  'camera.removed': true,
  'camera.status': true,
  'event.created': true,
  'event.updated': true,
  'event.deleted': true,
  'export.progress': true,
  'export.deleted': true,
  detections: true,
  'face.recognized': true,
  'system.alert': true,
  'pipeline.status': true,
  'capture.added': true,
  'capture.removed': true,
  'archive.changed': true,
};

/** An input type with no required fields accepts this, so such calls may omit the argument. */
type NoFields = Record<never, never>;

export interface Client {
  readonly transport: Transport;
  call<N extends OpName>(name: N, ...input: NoFields extends OpInput<N> ? [OpInput<N>?] : [OpInput<N>]): Promise<OpOutput<N>>;
  on<N extends PushEventName>(name: N, fn: (payload: PushEventMap[N]) => void): () => void;
  connect(onConnection?: (up: boolean) => void): () => void;
}

export function createClient(transport: Transport): Client {
  const listeners = new Map<PushEventName, Set<(p: unknown) => void>>();
  return {
    transport,
    call: (async (name: OpName, input?: unknown) => transport.call(name, input ?? {})) as Client['call'],
    on(name, fn) {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(fn as (p: unknown) => void);
      return () => set.delete(fn as (p: unknown) => void);
    },
    connect(onConnection) {
      return transport.subscribe((msg) => listeners.get(msg.name)?.forEach((fn) => fn(msg.payload)), onConnection);
    },
  };
}

export const api: Client = createClient(typeof window !== 'undefined' && window.vigil ? ipcTransport(window.vigil) : httpTransport());

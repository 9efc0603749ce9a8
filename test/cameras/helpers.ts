// Shared helpers for the cameras/live integration tests: polling with deadlines, JSON requests, SSE capture.
import type { TestApp } from '../foundation/app-harness';

export const JSON_HEADERS = { 'content-type': 'application/json' };
export const API_KEY = 'cameras-it-key-0123456789';

export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 30_000, stepMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export async function call<T = unknown>(t: TestApp, method: string, path: string, body?: unknown): Promise<{ status: number; body: T; text: string; headers: Headers }> {
  const res = await t.req(path, { method, headers: body === undefined ? {} : JSON_HEADERS, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

export const isJpeg = (b: Buffer): boolean => b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;

/** Reads SSE frames (`event:` + JSON `data:`) from a response into an array until stop(); text() is everything read. */
export function readSse(res: Response): { events: { event: string; data: Record<string, unknown> }[]; text: () => string; stop: () => Promise<void> } {
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let all = '';
  let buf = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const s = decoder.decode(value, { stream: true });
        all += s;
        buf += s;
        let sep: number;
        while ((sep = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, sep);
          buf = buf.slice(sep + 2);
          const event = /^event: (.+)$/m.exec(frame)?.[1];
          const data = /^data: (.+)$/m.exec(frame)?.[1];
          if (event && data !== undefined) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
        }
      }
    } catch {
      // cancelled or aborted
    }
  })();
  return {
    events,
    text: () => all,
    stop: async () => {
      await reader.cancel().catch(() => undefined);
      await pump;
    },
  };
}

/** Collects SSE push events from /api/push into an array until stop(). */
export async function capturePush(t: TestApp): Promise<{ events: { event: string; data: unknown }[]; stop: () => Promise<void> }> {
  const ac = new AbortController();
  const sse = readSse(await t.req('/api/push', { signal: ac.signal }));
  return {
    events: sse.events,
    stop: async () => {
      ac.abort();
      await sse.stop();
    },
  };
}

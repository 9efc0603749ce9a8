// Sends one webhook POST with a deadline; a slow or dead receiver costs at most the timeout, never a hang.
export interface WebhookSender {
  post(url: string, body: string, headers: Record<string, string>, timeoutMs: number, cancel?: AbortSignal): Promise<{ ok: boolean; status: number | null; error: string | null }>;
}

export const fetchWebhookSender: WebhookSender = {
  async post(url, body, headers, timeoutMs, cancel) {
    try {
      const signal = cancel ? AbortSignal.any([AbortSignal.timeout(timeoutMs), cancel]) : AbortSignal.timeout(timeoutMs);
      const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal, redirect: 'manual' });
      await res.body?.cancel().catch(() => undefined);
      return { ok: res.status >= 200 && res.status < 300, status: res.status, error: res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}` };
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string } };
      const error = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : e.name === 'AbortError' ? 'cancelled: Vigil stopped' : (e.cause?.code ?? e.message ?? 'request failed');
      return { ok: false, status: null, error };
    }
  },
};

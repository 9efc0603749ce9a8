// Media URLs (<img>, <video>): same-origin with the session cookie in a browser; base URL + per-launch token in Electron.
import { api } from './client';

let access: { base: string; token: string | null } = { base: '', token: null };

export async function initMediaAccess(): Promise<void> {
  if (api.transport.kind !== 'ipc') return;
  const a = await api.call('auth.mediaAccess');
  access = { base: a.base_url, token: a.token };
}

export function mediaUrl(path: string, params: Record<string, string | number | undefined> = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) qs.set(k, String(v));
  if (access.token) qs.set('token', access.token);
  const q = qs.toString();
  return `${access.base}${path}${q ? `?${q}` : ''}`;
}

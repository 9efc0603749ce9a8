// Session: whether this browser is logged in, the connection banner, and non-blocking error toasts.
import { create } from 'zustand';
import { api, ClientError, setUnauthorizedHandler } from '../api/client';

export interface Toast {
  id: number;
  text: string;
  kind: 'error' | 'info';
}

interface SessionState {
  status: 'checking' | 'login' | 'ready';
  connected: boolean;
  loginError: string | null;
  toasts: Toast[];
  /** True while this tab replaces the API key and signs itself in again; 401s in that window are expected. */
  rekeying: boolean;
  check(): Promise<void>;
  /** Regenerates the key and, in a browser, signs this session in with the new one. Returns the new key. */
  regenerateKey(): Promise<string>;
  login(key: string): Promise<void>;
  logout(): Promise<void>;
  setConnected(up: boolean): void;
  toast(text: string, kind?: Toast['kind']): void;
  dismiss(id: number): void;
  reportError(err: unknown): void;
}

let nextToast = 1;

export const useSession = create<SessionState>((set, get) => ({
  status: 'checking',
  connected: true,
  loginError: null,
  toasts: [],
  rekeying: false,
  async regenerateKey() {
    set({ rekeying: true });
    try {
      const k = await api.call('auth.regenerateKey');
      // Regenerating revokes every session, this one included: sign in again before anything else sees a 401.
      if (api.transport.kind === 'http') await get().login(k.api_key);
      return k.api_key;
    } finally {
      set({ rekeying: false });
    }
  },
  async check() {
    try {
      await api.call('system.get');
      set({ status: 'ready' });
    } catch (err) {
      if (err instanceof ClientError && err.status === 401) set({ status: 'login' });
      else {
        set({ status: 'login', loginError: err instanceof Error ? err.message : String(err) });
      }
    }
  },
  async login(key) {
    set({ loginError: null });
    const res = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ api_key: key.trim() }),
      credentials: 'same-origin',
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { detail?: unknown };
      set({ loginError: typeof body.detail === 'string' ? body.detail : `Login failed (${res.status})` });
      return;
    }
    await get().check();
  },
  async logout() {
    await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' });
    set({ status: 'login' });
  },
  setConnected(up) {
    if (get().connected !== up) set({ connected: up });
  },
  toast(text, kind = 'info') {
    const id = nextToast++;
    set({ toasts: [...get().toasts, { id, text, kind }] });
    setTimeout(() => get().dismiss(id), kind === 'error' ? 8000 : 4000);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
  reportError(err) {
    get().toast(err instanceof Error ? err.message : String(err), 'error');
  },
}));

/** A 401 once signed in means the session is gone: show the login screen instead of failing (or reconnecting) forever. */
setUnauthorizedHandler(() => {
  const s = useSession.getState();
  if (s.status === 'ready' && !s.rekeying) useSession.setState({ status: 'login', loginError: 'Your session has ended (server restarted or API key changed). Log in again.' });
});

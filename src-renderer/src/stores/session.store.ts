// Session: whether this browser is logged in, the connection banner, and non-blocking error toasts.
import { create } from 'zustand';
import { api, ClientError, setUnauthorizedHandler } from '../api/client';
import { ROLES, type Role } from '../../../src-main/shared/access';

/** A button on a toast (e.g. Undo); pressing it dismisses the toast and runs `run`. */
export interface ToastAction {
  label: string;
  run(): void;
}

export interface Toast {
  id: number;
  text: string;
  kind: 'error' | 'info';
  action?: ToastAction;
}

/** How long a toast stays: errors longer, and a toast with an action long enough to reach its button. */
export const TOAST_MS = { info: 4000, error: 8000, action: 12_000 } as const;

interface SessionState {
  status: 'checking' | 'login' | 'ready';
  /** The signed-in user's role; null for the desktop app and admin credentials (the API key): everything. */
  role: Role | null;
  connected: boolean;
  loginError: string | null;
  toasts: Toast[];
  /** True while this tab replaces the API key and signs itself in again; 401s in that window are expected. */
  rekeying: boolean;
  check(): Promise<void>;
  /** Regenerates the key and, in a browser, signs this session in with the new one. Returns the new key. */
  regenerateKey(): Promise<string>;
  login(key: string): Promise<void>;
  /** Signs in as a user (role admin, operator or viewer). */
  loginUser(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
  setConnected(up: boolean): void;
  toast(text: string, kind?: Toast['kind'], action?: ToastAction): void;
  dismiss(id: number): void;
  reportError(err: unknown): void;
}

/**
 * The public route that tells a browser whether its session cookie is valid and never answers 4xx, so the login screen
 * decides without a failing request (a 401 is logged as a console error by the browser). Electron asks nothing: IPC is
 * always signed in. Should the route be missing or answer oddly, check() falls back to asking /api/system.
 */
export const SESSION_PROBE_PATH: string | null = '/api/auth/session';

export interface SessionProbe {
  /** This browser's cookie (or SSO header, or auth being off) gives access to the API. */
  authenticated: boolean;
  auth_required: boolean;
  role: Role | null;
}

/** Asks SESSION_PROBE_PATH whether this browser is signed in; null when there is no such route, in Electron, or on any unexpected answer. */
export async function probeSessionQuietly(path: string | null = SESSION_PROBE_PATH): Promise<SessionProbe | null> {
  if (path === null || api.transport.kind !== 'http') return null;
  try {
    const res = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
    if (!res.ok) return null;
    const body = (await res.json()) as { authenticated?: unknown; auth_required?: unknown; role?: unknown } | null;
    if (typeof body?.authenticated !== 'boolean') return null;
    const role = ROLES.find((r) => r === body.role) ?? null;
    // An admin sees everything, like the API key: only the narrower roles restrict the UI.
    return { authenticated: body.authenticated, auth_required: body.auth_required !== false, role: role === 'admin' ? null : role };
  } catch {
    return null;
  }
}

let nextToast = 1;

/** Exchanges an API key or a user's password for a session cookie, then re-checks the session. */
async function signIn(credentials: { api_key: string } | { username: string; password: string }): Promise<void> {
  useSession.setState({ loginError: null });
  const res = await fetch('/api/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(credentials), credentials: 'same-origin' });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { detail?: unknown };
    useSession.setState({ loginError: typeof body.detail === 'string' ? body.detail : `Login failed (${res.status})` });
    return;
  }
  await useSession.getState().check();
}

export const useSession = create<SessionState>((set, get) => ({
  status: 'checking',
  role: null,
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
    const probe = await probeSessionQuietly();
    if (probe) {
      set(probe.authenticated ? { status: 'ready', role: probe.role } : { status: 'login', role: null });
      return;
    }
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
    await signIn({ api_key: key.trim() });
  },
  async loginUser(username, password) {
    await signIn({ username: username.trim(), password });
  },
  async logout() {
    await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' });
    set({ status: 'login', role: null });
  },
  setConnected(up) {
    if (get().connected !== up) set({ connected: up });
  },
  toast(text, kind = 'info', action) {
    const id = nextToast++;
    set({ toasts: [...get().toasts, action ? { id, text, kind, action } : { id, text, kind }] });
    setTimeout(() => get().dismiss(id), action ? TOAST_MS.action : TOAST_MS[kind]);
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

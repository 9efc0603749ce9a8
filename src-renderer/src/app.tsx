// App shell: login gate, navigation, connection banner and toasts; screens live under features/.
import { useEffect, useState } from 'react';
import { api } from './api/client';
import { initMediaAccess } from './api/media';
import { LoginScreen } from './features/login/login-screen';
import { SystemScreen } from './features/system/system-screen';
import { useSession } from './stores/session.store';

const SCREENS = [{ id: 'system', label: 'System', render: () => <SystemScreen /> }] as const;
type ScreenId = (typeof SCREENS)[number]['id'];

export function App() {
  const { status, connected, toasts, check, setConnected, dismiss, reportError } = useSession();
  const [screen, setScreen] = useState<ScreenId>('system');

  useEffect(() => {
    void check();
  }, [check]);

  useEffect(() => {
    if (status !== 'ready') return;
    initMediaAccess().catch(reportError);
    return api.connect(setConnected);
  }, [status, setConnected, reportError]);

  if (status === 'checking') return <div className="splash">Vigil</div>;
  if (status === 'login') return <LoginScreen />;
  const current = SCREENS.find((s) => s.id === screen) ?? SCREENS[0];
  return (
    <div className="shell">
      <nav className="nav" aria-label="Main">
        <span className="brand">Vigil</span>
        {SCREENS.map((s) => (
          <button key={s.id} className={s.id === screen ? 'active' : ''} aria-current={s.id === screen ? 'page' : undefined} onClick={() => setScreen(s.id)}>
            {s.label}
          </button>
        ))}
      </nav>
      {!connected && (
        <div className="banner" role="status">
          Connection to the server lost — reconnecting…
        </div>
      )}
      <main className="content">{current.render()}</main>
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} onClick={() => dismiss(t.id)}>
            {t.text}
          </div>
        ))}
      </div>
    </div>
  );
}

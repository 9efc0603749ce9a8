// App shell: login gate, navigation, connection banner and toasts; screens live under features/.
import { useEffect, useRef, useState } from 'react';
import { api } from './api/client';
import { initMediaAccess } from './api/media';
import { CamerasScreen } from './features/cameras/cameras-screen';
import { EventsScreen } from './features/events-browser/events-screen';
import { FocusedView } from './features/live/focused-view';
import { LiveGrid } from './features/live/live-grid';
import { LoginScreen } from './features/login/login-screen';
import { PeopleScreen } from './features/people/people-screen';
import { FaceGroupsScreen } from './features/face-groups/face-groups-screen';
import { AnalyticsScreen } from './features/analytics/analytics-screen';
import { IdentitiesScreen } from './features/identities/identities-screen';
import { StreamsScreen } from './features/streams/streams-screen';
import { ShortcutsHelp } from './components/shortcuts-help';
import { SystemScreen } from './features/system/system-screen';
import { TimelineScreen } from './features/timeline/timeline-screen';
import { navigate, setLanding, useRoute } from './router';
import { canOpen, landingFor } from './roles';
import { useCameras } from './stores/cameras.store';
import { useEvents } from './stores/events.store';
import { usePeople } from './stores/people.store';
import { bindPushEvents } from './stores/push-wiring';
import { useSession } from './stores/session.store';
import { useSettings } from './stores/settings.store';
import { useTimeline } from './stores/timeline.store';

const SCREENS = [
  { id: 'live', label: 'Live', key: '1' },
  { id: 'timeline', label: 'Timeline', key: '2' },
  { id: 'events', label: 'Events', key: '3' },
  { id: 'cameras', label: 'Cameras', key: '4' },
  { id: 'system', label: 'System', key: '5' },
  { id: 'people', label: 'People', key: '6' },
  { id: 'identities', label: 'Identities', key: '7' },
  { id: 'face-groups', label: 'Face groups', key: '8' },
  { id: 'analytics', label: 'Analytics', key: '9' },
  { id: 'streams', label: 'Streams', key: '0' },
] as const;

function Screen() {
  const route = useRoute();
  const role = useSession((s) => s.role);
  if (!canOpen(route.screen, role)) {
    return (
      <section className="screen" aria-label="Not allowed" data-testid="not-allowed">
        <p>Your account ({role}) cannot open this screen. Ask an administrator for a role that includes it.</p>
      </section>
    );
  }
  switch (route.screen) {
    case 'live':
      return route.param ? <FocusedView key={route.param} cameraId={Number(route.param)} /> : <LiveGrid />;
    case 'timeline':
      return <TimelineScreen />;
    case 'events':
      return <EventsScreen />;
    case 'cameras':
      return <CamerasScreen />;
    case 'people':
      return <PeopleScreen />;
    case 'identities':
      return <IdentitiesScreen />;
    case 'face-groups':
      return <FaceGroupsScreen />;
    case 'analytics':
      return <AnalyticsScreen />;
    case 'streams':
      return <StreamsScreen />;
    default:
      return <SystemScreen />;
  }
}

/** Loads the stores once the session is ready, binds push events, and reloads after a reconnect (pushes were missed). */
function useDataWiring(ready: boolean) {
  const { setConnected, reportError } = useSession();
  const wasDown = useRef(false);
  useEffect(() => {
    if (!ready) return;
    const loadAll = () => {
      useCameras.getState().load().catch(reportError);
      // Settings are the system resource: a viewer or operator session would only get a 403.
      if (canOpen('system', useSession.getState().role)) useSettings.getState().load().catch(reportError);
    };
    initMediaAccess()
      .catch(reportError)
      .finally(loadAll);
    const unbind = bindPushEvents();
    const disconnect = api.connect((up) => {
      setConnected(up);
      // The push stream cannot tell a dead session from a dead server; a plain call can (a 401 ends the session).
      if (!up && api.transport.kind === 'http') void api.call('system.get').catch(() => undefined);
      if (!up) wasDown.current = true;
      else if (wasDown.current) {
        wasDown.current = false;
        loadAll();
        void useEvents.getState().load().catch(() => undefined);
        if (usePeople.getState().loaded) void usePeople.getState().load().catch(() => undefined);
        useTimeline.getState().eventChanged();
      }
    });
    return () => {
      disconnect();
      unbind();
    };
  }, [ready, setConnected, reportError]);
}

export function App() {
  const { status, connected, toasts, check, dismiss, role } = useSession();
  const hasCameras = useCameras((s) => s.loaded && s.cameras.length > 0);
  const screens = SCREENS.filter((s) => canOpen(s.id, role));
  setLanding(landingFor(role, screens.map((s) => s.id), hasCameras ? 'live' : 'system'));
  const route = useRoute();
  const [help, setHelp] = useState(false);

  useEffect(() => {
    void check();
  }, [check]);
  useDataWiring(status === 'ready');

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
      if (e.key === '?' && !typing) {
        setHelp((h) => !h);
        return;
      }
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const s = SCREENS.find((x) => x.key === e.key && canOpen(x.id, useSession.getState().role));
      if (s) {
        e.preventDefault();
        navigate(s.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (status === 'checking') return <div className="splash">Vigil</div>;
  if (status === 'login') return <LoginScreen />;
  return (
    <div className="shell">
      <nav className="nav" aria-label="Main">
        <span className="brand">Vigil</span>
        {screens.map((s) => (
          <button
            key={s.id}
            className={s.id === route.screen ? 'active' : ''}
            aria-current={s.id === route.screen ? 'page' : undefined}
            title={`${s.label} (Alt+${s.key})`}
            onClick={() => navigate(s.id)}
            data-testid={`nav-${s.id}`}
          >
            {s.label}
          </button>
        ))}
        <div className="spacer" />
        <CameraSummary />
        <button onClick={() => setHelp(true)} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">
          ?
        </button>
        {api.transport.kind === 'http' && (
          <button onClick={() => void useSession.getState().logout()} title="Log out of this browser">
            Log out
          </button>
        )}
      </nav>
      {!connected && (
        <div className="banner" role="status">
          Connection to the server lost — reconnecting…
        </div>
      )}
      <main className="content">
        <Screen />
      </main>
      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'} onClick={() => dismiss(t.id)}>
            {t.text}
            {t.action && (
              <button
                className="toast-action"
                onClick={(e) => {
                  e.stopPropagation();
                  dismiss(t.id);
                  t.action?.run();
                }}
              >
                {t.action.label}
              </button>
            )}
          </div>
        ))}
      </div>
    </div>
  );
}

function CameraSummary() {
  const cameras = useCameras((s) => s.cameras);
  const online = cameras.filter((c) => c.status === 'online').length;
  const errors = cameras.filter((c) => c.status === 'error').length;
  return (
    <span className="summary" data-testid="camera-summary" title="Cameras online / total">
      <span className="dot ok" /> {online}/{cameras.length} online
      {errors > 0 && (
        <>
          {' '}
          <span className="dot err" /> {errors} error
        </>
      )}
    </span>
  );
}

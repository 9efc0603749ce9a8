// Hash routing: #/screen/param?query — deep links for the focused view, the timeline at an instant and an event.
import { useSyncExternalStore } from 'react';

export interface Route {
  screen: string;
  param: string | null;
  query: URLSearchParams;
}

/** Parses the hash; with no screen in it, `fallback` is the landing screen. */
export function parseRoute(hash: string, fallback = 'live'): Route {
  const h = hash.replace(/^#\/?/, '');
  const [path = '', qs = ''] = h.split('?');
  const [screen = '', param = null] = path.split('/');
  return { screen: screen || fallback, param: param || null, query: new URLSearchParams(qs) };
}

const subscribe = (fn: () => void) => {
  window.addEventListener('hashchange', fn);
  return () => window.removeEventListener('hashchange', fn);
};

let landing = 'live';
/** The screen shown at the bare URL (Live when there are cameras to watch, System otherwise). */
export function setLanding(screen: string): void {
  landing = screen;
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash, () => '');
  return parseRoute(hash, landing);
}

export function navigate(path: string): void {
  window.location.hash = path.startsWith('#') ? path : `#/${path.replace(/^\//, '')}`;
}

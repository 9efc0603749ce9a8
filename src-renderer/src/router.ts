// Hash routing: #/screen/param?query — deep links for the focused view, the timeline at an instant and an event.
import { useSyncExternalStore } from 'react';

export interface Route {
  screen: string;
  param: string | null;
  query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const [path = '', qs = ''] = h.split('?');
  const [screen = '', param = null] = path.split('/');
  return { screen: screen || 'live', param: param || null, query: new URLSearchParams(qs) };
}

const subscribe = (fn: () => void) => {
  window.addEventListener('hashchange', fn);
  return () => window.removeEventListener('hashchange', fn);
};

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash, () => '');
  return parseRoute(hash);
}

export function navigate(path: string): void {
  window.location.hash = path.startsWith('#') ? path : `#/${path.replace(/^\//, '')}`;
}

// Pure camera-URL rules: source kind from the scheme, the same-host credential rule and the update-echo rule.
import { splitCredentials, type SplitUrl } from '../../shared/credentials';
import type { SourceKind } from '../../shared/contract/cameras.contract';

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i;

export function schemeOf(url: string): string | null {
  const m = SCHEME.exec(url.trim());
  return m ? (m[1] as string).toLowerCase() : null;
}

/** The source kind a URL implies; http(s) gives 'http' (a probe may refine it to 'mjpeg'). Null when unsupported. */
export function deriveKind(url: string): SourceKind | null {
  const u = url.trim();
  const scheme = schemeOf(u);
  if (scheme === null) return u.startsWith('/') || /^[a-z]:[\\/]/i.test(u) ? 'file' : null;
  if (scheme === 'rtsp' || scheme === 'rtsps') return 'rtsp';
  if (scheme === 'http' || scheme === 'https') return 'http';
  if (scheme === 'file') return 'file';
  if (scheme === 'pattern') return 'pattern';
  return null;
}

/** Heuristic used when an http URL cannot be probed: typical MJPEG endpoints. */
export function looksLikeMjpeg(url: string): boolean {
  return /mjpe?g|video\.cgi|\/stream|faststream|videostream/i.test(url);
}

/** Is this kind compatible with the URL's scheme? */
export function kindMatchesUrl(kind: SourceKind, url: string): boolean {
  const derived = deriveKind(url);
  if (derived === null) return false;
  if (derived === 'http') return kind === 'http' || kind === 'mjpeg';
  return derived === kind;
}

/** The host (and port) a URL points at, for display and for the same-host credential rule; '' for file paths. */
export function hostOf(url: string): string {
  const m = AUTHORITY.exec(splitCredentials(url).url);
  if (!m) return '';
  return (m[2] as string).toLowerCase();
}

/** Iris's update-echo rule: a blank value or one containing *** means "keep what is stored". */
export function isEcho(value: string | undefined | null): boolean {
  return value === undefined || value === null || value.trim() === '' || value.includes('***');
}

export interface StoredSource extends SplitUrl {
  kind: SourceKind;
}

export interface SourceUpdate {
  rtsp_url?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

/**
 * Applies an update to a stored source.
 * - rtsp_url blank or containing *** keeps the stored URL; a real URL replaces it (its userinfo, if any, becomes the credentials).
 * - a new URL without userinfo keeps the stored credentials only when it points at the same host (never send them elsewhere).
 * - username: given → replaces ('' clears the credentials); password: blank or *** keeps, otherwise replaces.
 * `repointed` is true when the camera now points at a different source (credentials aside).
 */
export function applySourceUpdate(stored: SplitUrl, u: SourceUpdate): { next: SplitUrl; repointed: boolean; changed: boolean } {
  let next: SplitUrl = { ...stored };
  if (!isEcho(u.rtsp_url)) {
    const s = splitCredentials(u.rtsp_url as string);
    if (s.username !== null) next = s;
    else if (hostOf(s.url) === hostOf(stored.url) && hostOf(s.url) !== '') next = { url: s.url, username: stored.username, password: stored.password };
    else next = { url: s.url, username: null, password: null };
  }
  if (u.username !== undefined) {
    const user = u.username.trim();
    next = user === '' ? { ...next, username: null, password: null } : { ...next, username: user };
  }
  if (u.password !== undefined && !isEcho(u.password) && next.username !== null) next = { ...next, password: u.password };
  const repointed = next.url !== stored.url;
  const changed = repointed || next.username !== stored.username || next.password !== stored.password;
  return { next, repointed, changed };
}

/** Normalises a create request's URL + separate credentials (the separate fields win over userinfo). */
export function sourceFromInput(rawUrl: string, username?: string, password?: string): SplitUrl {
  const s = splitCredentials(rawUrl);
  const user = username !== undefined && username.trim() !== '' ? username.trim() : s.username;
  const pass = password !== undefined && password !== '' ? password : s.password;
  return { url: s.url, username: user, password: user ? pass : null };
}

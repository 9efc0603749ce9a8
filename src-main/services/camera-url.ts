// Pure camera-URL rules: source kind from the scheme, credential split/merge, masking and the update-echo rule.
import type { SourceKind } from '../workers/camera-worker.types';

export interface Credentials {
  username: string | null;
  password: string | null;
}

/** A URL with its credentials taken out: what is stored (sealed) and what the rest of the app reasons about. */
export interface SplitUrl extends Credentials {
  /** The URL without userinfo. */
  url: string;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
/** scheme://userinfo@rest — userinfo may itself contain '@' only when percent-encoded, so the last '@' before the path wins. */
const AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i;

export const PATTERN_SOURCES = ['testsrc', 'testsrc2', 'smptebars', 'smptehdbars', 'rgbtestsrc', 'yuvtestsrc', 'mandelbrot', 'life', 'cellauto'] as const;

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

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Takes the userinfo out of a URL (decoded). URLs without a scheme (file paths) are returned unchanged. */
export function splitCredentials(raw: string): SplitUrl {
  const url = raw.trim();
  const m = AUTHORITY.exec(url);
  if (!m) return { url, username: null, password: null };
  const [, prefix, authority, rest] = m as unknown as [string, string, string, string];
  const at = authority.lastIndexOf('@');
  if (at < 0) return { url, username: null, password: null };
  const userinfo = authority.slice(0, at);
  const host = authority.slice(at + 1);
  const colon = userinfo.indexOf(':');
  const username = safeDecode(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const password = colon < 0 ? null : safeDecode(userinfo.slice(colon + 1));
  return { url: `${prefix}${host}${rest}`, username: username === '' ? null : username, password: password === '' ? null : password };
}

/** Puts credentials back into a URL's userinfo (percent-encoded). No-op for URLs without a scheme or without a username. */
export function mergeCredentials(url: string, c: Credentials): string {
  if (!c.username) return url;
  const m = AUTHORITY.exec(url);
  if (!m) return url;
  const [, prefix, authority, rest] = m as unknown as [string, string, string, string];
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  const userinfo = encodeURIComponent(c.username) + (c.password ? `:${encodeURIComponent(c.password)}` : '');
  return `${prefix}${userinfo}@${host}${rest}`;
}

/** The host (and port) a URL points at, for display and for the same-host credential rule; '' for file paths. */
export function hostOf(url: string): string {
  const m = AUTHORITY.exec(splitCredentials(url).url);
  if (!m) return '';
  return (m[2] as string).toLowerCase();
}

/** The only form of a URL that ever leaves the server: userinfo replaced by ***. */
export function maskUrl(url: string, hasCredentials = false): string {
  const s = splitCredentials(url);
  if (!s.username && !s.password && !hasCredentials) return s.url;
  const m = AUTHORITY.exec(s.url);
  if (!m) return s.url;
  return `${m[1]}***@${m[2]}${m[3]}`;
}

/** Iris's update-echo rule: a blank value or one containing *** means "keep what is stored". */
export function isEcho(value: string | undefined | null): boolean {
  return value === undefined || value === null || value.trim() === '' || value.includes('***');
}

/** Replaces every occurrence of the secret parts of a URL in free text (error messages, command lines). */
export function redactSecrets(text: string, secrets: (string | null | undefined)[]): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@'"]*@/gi, '$1***@');
  for (const s of secrets) {
    if (!s || s.length < 3) continue;
    out = out.split(s).join('***');
    const enc = encodeURIComponent(s);
    if (enc !== s) out = out.split(enc).join('***');
  }
  return out;
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

/** A file-source URL (file:///x or a bare path) as a filesystem path. */
export function filePathOf(url: string): string {
  if (schemeOf(url) !== 'file') return url;
  return safeDecode(url.replace(/^file:\/\//i, ''));
}

/** pattern://testsrc2 → 'testsrc2' when allow-listed, else null. */
export function patternOf(url: string): string | null {
  if (schemeOf(url) !== 'pattern') return null;
  const name = url.replace(/^pattern:\/\//i, '').split(/[/?#]/)[0]?.toLowerCase() ?? '';
  return (PATTERN_SOURCES as readonly string[]).includes(name) ? name : null;
}

// The one owner of camera credentials in URLs and text: split, merge, resolve, mask and redact (pure, no runtime imports).

export interface Credentials {
  username: string | null;
  password: string | null;
}

/** A URL with its credentials taken out: what is stored (sealed) and what the rest of the app reasons about. */
export interface SplitUrl extends Credentials {
  /** The URL without userinfo. */
  url: string;
}

/** scheme://userinfo@rest — userinfo may itself contain '@' only when percent-encoded, so the last '@' before the path wins. */
const AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i;
const USERINFO_IN_TEXT = /([a-z][a-z0-9+.-]*:\/\/)[^/\s@'"]*@/gi;
const AUTH_HEADER_IN_TEXT = /((?:proxy-)?authorization:\s*)(basic|bearer|digest)?\s*[^\r\n]*/gi;
/** Shorter secrets would mangle ordinary words; they are never put in text in the first place. */
const MIN_REDACTED_SECRET = 3;

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

/**
 * Puts credentials into a URL's userinfo (percent-encoded). No-op for URLs without a scheme or without a username.
 * Only for storage (sealed at rest): a URL built here must never reach a process argument, a log or a reply.
 */
export function mergeCredentials(url: string, c: Credentials): string {
  if (!c.username) return url;
  const m = AUTHORITY.exec(url);
  if (!m) return url;
  const [, prefix, authority, rest] = m as unknown as [string, string, string, string];
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  const userinfo = encodeURIComponent(c.username) + (c.password ? `:${encodeURIComponent(c.password)}` : '');
  return `${prefix}${userinfo}@${host}${rest}`;
}

/** A source's clean URL and its effective credentials: separate credentials win over any userinfo in the URL. */
export function resolveCredentials(url: string, username: string | null, password: string | null): SplitUrl {
  const s = splitCredentials(url);
  if (username) return { url: s.url, username, password: password ?? null };
  return s.username ? s : { url: s.url, username: null, password: null };
}

export function hasCredentials(c: Credentials): c is { username: string; password: string | null } {
  return c.username !== null && c.username !== '';
}

/** The only form of a URL that ever leaves the server: userinfo replaced by ***. */
export function maskUrl(url: string, hasSecret = false): string {
  const s = splitCredentials(url);
  if (!s.username && !s.password && !hasSecret) return s.url;
  const m = AUTHORITY.exec(s.url);
  if (!m) return s.url;
  return `${m[1]}***@${m[2]}${m[3]}`;
}

/**
 * Free text (error messages, ffmpeg output, command lines) made safe to log or show: any URL userinfo and any
 * Authorization header value become ***, and so does every given secret, raw or percent-encoded.
 */
export function redact(text: string, secrets: readonly (string | null | undefined)[] = []): string {
  let out = text
    .replace(USERINFO_IN_TEXT, '$1***@')
    .replace(AUTH_HEADER_IN_TEXT, (_m, header: string, scheme?: string) => `${header}${scheme ? scheme + ' ' : ''}***`);
  for (const s of secrets) {
    if (!s || s.length < MIN_REDACTED_SECRET) continue;
    out = out.split(s).join('***');
    const enc = encodeURIComponent(s);
    if (enc !== s) out = out.split(enc).join('***');
  }
  return out;
}

/** A command line as it may be logged: quoted where needed, then redacted. */
export function redactArgs(args: readonly string[], secrets: readonly (string | null | undefined)[] = []): string {
  return redact(args.map((a) => (/[\s'"]/.test(a) ? JSON.stringify(a) : a)).join(' '), secrets);
}

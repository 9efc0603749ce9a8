// Loopback recognition for bind addresses and Host headers: 127.0.0.0/8 and ::1 literals (strictly parsed) plus `localhost`.
const V4 = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

function v4Loopback(h: string): boolean {
  const m = V4.exec(h);
  if (!m) return false;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) && parts[0] === 127;
}

function v6Loopback(h: string): boolean {
  if (!/^[0-9a-f:.]+$/i.test(h) || !h.includes(':')) return false;
  let norm: string;
  try {
    norm = new URL(`http://[${h}]/`).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (norm === '[::1]') return true;
  // IPv4-mapped (::ffff:127.x.y.z), which the URL parser renders as two hex groups.
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(norm);
  return mapped !== null && parseInt(mapped[1] as string, 16) >> 8 === 127;
}

/** A bind address or host name that only this machine can reach. Anything unparsable is not loopback. */
export function isLoopbackAddress(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h === 'localhost') return true;
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  return v4Loopback(h) || v6Loopback(h);
}

/** The host part of a Host header (`name[:port]`, `[v6][:port]`), or null when malformed. */
export function hostOfHeader(header: string): string | null {
  const v = header.trim();
  const bracket = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(v);
  if (bracket) return bracket[1] as string;
  const plain = /^([^:[\]]+)(?::(\d{1,5}))?$/.exec(v);
  return plain ? (plain[1] as string) : null;
}

/** A Host header naming this machine (defeats DNS rebinding while Vigil is bound to loopback). */
export function isLoopbackHostHeader(header: string | undefined): boolean {
  const h = header === undefined ? null : hostOfHeader(header);
  return h !== null && isLoopbackAddress(h);
}

// A media URL (http[s]://… or a server-relative path) as the WebSocket URL of the same resource.

export function toWebSocketUrl(url: string): string {
  const u = new URL(url, window.location.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

// fetch with camera credentials: waits for the server's challenge, answers it with Basic or Digest, then pre-authorises.
import { AuthSession, type AuthCredentials } from './http-auth';

export interface HttpAuthClient {
  /**
   * GET-style fetch of a credential-free URL. On a 401 with a usable challenge the request is retried once with
   * credentials; later calls send them up front. The final response is returned as is (a 401 means refused).
   */
  fetch(url: string, init?: Omit<RequestInit, 'body'>): Promise<Response>;
  /** True when the last response was a 401 although credentials were sent. */
  refused(): boolean;
}

/** The request-target Digest signs: path and query as sent. */
function requestTarget(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

export class FetchAuthClient implements HttpAuthClient {
  private readonly session: AuthSession | null;
  private lastRefused = false;

  constructor(creds: AuthCredentials | null) {
    this.session = creds ? new AuthSession(creds) : null;
  }

  refused(): boolean {
    return this.lastRefused;
  }

  async fetch(url: string, init: Omit<RequestInit, 'body'> = {}): Promise<Response> {
    const method = (init.method ?? 'GET').toUpperCase();
    const target = requestTarget(url);
    const send = (authorization: string | null): Promise<Response> => {
      const headers = new Headers(init.headers);
      headers.delete('authorization');
      if (authorization) headers.set('authorization', authorization);
      return fetch(url, { ...init, headers });
    };
    let auth = this.session?.authorization(method, target) ?? null;
    let res = await send(auth);
    for (let attempt = 0; attempt < 2 && res.status === 401 && this.session; attempt++) {
      const retry = this.session.accept(res.headers.get('www-authenticate')?.split(/\n/) ?? [], auth !== null);
      if (!retry) break;
      await res.body?.cancel().catch(() => undefined);
      auth = this.session.authorization(method, target);
      res = await send(auth);
    }
    this.lastRefused = res.status === 401 && auth !== null;
    return res;
  }
}

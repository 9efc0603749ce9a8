// Camera network access that keeps credentials inside this process: loopback auth relays for ffmpeg/ffprobe and an auth-aware fetch.
import type { Logger } from '../logger';
import type { AuthCredentials } from './http-auth';
import { FetchAuthClient, type HttpAuthClient } from './http-auth-client';
import { openHttpAuthRelay } from './http-auth-relay';
import { openRtspAuthRelay } from './rtsp-auth-relay';

export type { AuthCredentials } from './http-auth';
export type { HttpAuthClient } from './http-auth-client';

/** Why the relay could not serve the camera, in words safe to show (no credentials, no relay token). */
export interface RelayFailure {
  kind: 'auth' | 'unreachable' | 'timeout';
  message: string;
}

/** One loopback relay for one ffmpeg/ffprobe run. */
export interface AuthRelay {
  /** What the child opens: 127.0.0.1, a random port and a random path token that changes on every open; no credentials. */
  readonly url: string;
  /** The last upstream failure (connect, TLS, refused credentials), cleared by a later success. */
  failure(): RelayFailure | null;
  /** Stops listening and closes every client and upstream connection. */
  close(): Promise<void>;
}

export interface RelayOptions {
  /** The camera URL without userinfo: rtsp://, rtsps://, http:// or https://. */
  upstream: string;
  credentials: AuthCredentials;
  log: Logger;
  connectTimeoutMs?: number;
  /** Concurrent client connections (default 4); more are refused. */
  maxClients?: number;
}

export interface CameraNetRepository {
  /** An RTSP relay adding Basic/Digest to requests toward the camera; RTP interleaved over TCP passes untouched. */
  rtspRelay(o: RelayOptions): Promise<AuthRelay>;
  /** An HTTP relay for one camera URL (MJPEG and other ffmpeg-read HTTP sources). */
  httpRelay(o: RelayOptions): Promise<AuthRelay>;
  /** fetch that answers Basic/Digest challenges with these credentials (none: plain fetch). */
  httpClient(creds: AuthCredentials | null): HttpAuthClient;
}

export class NodeCameraNetRepository implements CameraNetRepository {
  rtspRelay(o: RelayOptions): Promise<AuthRelay> {
    return openRtspAuthRelay(o);
  }

  httpRelay(o: RelayOptions): Promise<AuthRelay> {
    return openHttpAuthRelay(o, this.httpClient(o.credentials));
  }

  httpClient(creds: AuthCredentials | null): HttpAuthClient {
    return new FetchAuthClient(creds);
  }
}

/** A connect error as a short, secret-free reason that the supervisor's classifier recognises. */
export function describeConnectError(err: unknown): RelayFailure {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const text: Record<string, [RelayFailure['kind'], string]> = {
    ECONNREFUSED: ['unreachable', 'Connection refused'],
    EHOSTUNREACH: ['unreachable', 'No route to host'],
    ENETUNREACH: ['unreachable', 'Network is unreachable'],
    ENOTFOUND: ['unreachable', 'Name or service not known'],
    EAI_AGAIN: ['unreachable', 'Name or service not known'],
    ECONNRESET: ['unreachable', 'Connection reset by peer'],
    ETIMEDOUT: ['timeout', 'Connection timed out'],
    UND_ERR_CONNECT_TIMEOUT: ['timeout', 'Connection timed out'],
    ABORT_ERR: ['timeout', 'Connection timed out'],
  };
  const known = text[code];
  if (known) return { kind: known[0], message: known[1] };
  const message = (e.cause?.message ?? e.message ?? String(err)).replace(/[a-z][a-z0-9+.-]*:\/\/\S*/gi, '<url>').slice(0, 200);
  return { kind: 'unreachable', message: code ? `${code}: ${message}` : message };
}

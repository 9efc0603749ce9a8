// Fetches one JPEG from an HTTP snapshot camera, answering its Basic or Digest challenge; bounded in time and size.
import { FetchAuthClient } from './http-auth-client';

const MAX_BYTES = 20 * 1024 * 1024;

export class SnapshotFetchError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export async function fetchSnapshot(url: string, creds: { username: string; password: string } | null, timeoutMs = 10_000): Promise<Buffer> {
  const client = new FetchAuthClient(creds);
  let res: Response;
  try {
    res = await client.fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string }; message?: string };
    throw new SnapshotFetchError(e.name === 'TimeoutError' ? `the camera did not answer within ${timeoutMs} ms` : `the camera could not be reached (${e.cause?.code ?? e.message ?? 'error'})`, null);
  }
  if (res.status === 401 || res.status === 403) throw new SnapshotFetchError('the camera refused the credentials', res.status);
  if (res.status !== 200) throw new SnapshotFetchError(`the camera answered HTTP ${res.status}`, res.status);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_BYTES) throw new SnapshotFetchError('the snapshot is too large', res.status);
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.length > MAX_BYTES) throw new SnapshotFetchError('the snapshot is too large', res.status);
  if (buf[0] !== 0xff || buf[1] !== 0xd8) throw new SnapshotFetchError('the camera did not answer with a JPEG', res.status);
  return buf;
}

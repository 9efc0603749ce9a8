// Enrolment photo upload: the bytes over IPC in Electron, multipart in a browser; an over-limit file is refused before sending.
import { api, ClientError } from './client';
import { FACE_UPLOAD_MAX_BYTES } from '../../../src-main/shared/contract/people.contract';
import type { OpOutput } from '../../../src-main/shared/contract';
import type { ErrorDetail } from '../../../src-main/shared/errors';

export type EnrollResult = OpOutput<'people.enrollPhoto'>;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Enrols the largest face of `file` for person `personId`; errors are ClientErrors with the server's status and detail. */
export async function enrolPhoto(personId: number, file: File): Promise<EnrollResult> {
  if (file.size > FACE_UPLOAD_MAX_BYTES) {
    // The server closes the connection on an oversized upload without reading it, which a browser reports as a network error.
    throw new ClientError(413, `${file.name} is ${mib(file.size)}, over the ${FACE_UPLOAD_MAX_BYTES / 1024 / 1024} MiB limit.`, { code: 'upload_too_large' });
  }
  if (api.transport.kind === 'ipc') {
    return api.call('people.enrollPhoto', { id: personId, type: file.type, data: new Uint8Array(await file.arrayBuffer()) });
  }
  const body = new FormData();
  body.append('file', file, file.name);
  let res: Response;
  try {
    res = await fetch(`/api/people/${encodeURIComponent(String(personId))}/faces`, { method: 'POST', credentials: 'same-origin', body });
  } catch {
    throw new ClientError(0, 'Cannot reach the Vigil server.');
  }
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    // A plain call lets the client's own 401 handling end the session.
    if (res.status === 401) void api.call('system.get').catch(() => undefined);
    const { detail, ...data } = (json && typeof json === 'object' ? json : {}) as { detail?: ErrorDetail } & Record<string, unknown>;
    throw new ClientError(res.status, detail ?? `${res.status} ${res.statusText}`, data);
  }
  return json as EnrollResult;
}

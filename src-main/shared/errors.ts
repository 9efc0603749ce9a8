// Errors that cross every transport as data: an HTTP status, a stable code and a `detail` (FastAPI/Iris shape).
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export type ErrorDetail = string | ValidationIssue[];

/** The stable code a status gets unless the thrower names a more precise one (Flex's table uses these names). */
export function codeForStatus(status: number): string {
  const known: Record<number, string> = {
    400: 'VALIDATION_ERROR',
    401: 'UNAUTHORIZED',
    402: 'LICENSE_ERROR',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    405: 'METHOD_NOT_ALLOWED',
    409: 'CONFLICT',
    410: 'GONE',
    413: 'PAYLOAD_TOO_LARGE',
    414: 'URI_TOO_LONG',
    415: 'UNSUPPORTED_MEDIA_TYPE',
    416: 'RANGE_NOT_SATISFIABLE',
    422: 'VALIDATION_ERROR',
    429: 'RATE_LIMITED',
    501: 'NOT_IMPLEMENTED',
    502: 'BAD_GATEWAY',
    503: 'UNAVAILABLE',
    504: 'TIMEOUT',
  };
  return known[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
}

export interface ApiErrorExtra {
  /** Stable machine-readable code; defaults to the status's (codeForStatus). Iris does not render it. */
  code?: string;
  /** Extra fields rendered next to `detail`, e.g. the preview a confirmation needs. */
  data?: Record<string, unknown>;
}

/** Every error any service or route throws: {status, code, detail}; each route family renders it in its own shape. */
export class ApiError extends Error {
  readonly code: string;
  readonly data: Record<string, unknown> | undefined;

  constructor(
    readonly status: number,
    readonly detail: ErrorDetail,
    readonly headers: Record<string, string> = {},
    extra: ApiErrorExtra = {},
  ) {
    super(typeof detail === 'string' ? detail : 'Validation error');
    this.name = 'ApiError';
    this.code = extra.code ?? codeForStatus(status);
    this.data = extra.data;
  }
}

export const badRequest = (detail: string): ApiError => new ApiError(400, detail);
export const notFound = (detail = 'Not found'): ApiError => new ApiError(404, detail);
export const conflict = (detail: string): ApiError => new ApiError(409, detail);
export const unavailable = (detail: string): ApiError => new ApiError(503, detail);
export const unprocessable = (loc: (string | number)[], msg: string): ApiError =>
  new ApiError(422, [{ loc, msg, type: 'value_error' }]);

/** What an IPC call resolves to: Electron drops custom error fields, so errors travel as values. */
export type IpcResult = { ok: true; data: unknown } | { ok: false; status: number; detail: ErrorDetail; data?: Record<string, unknown> };

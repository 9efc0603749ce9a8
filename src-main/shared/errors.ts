// Errors that cross every transport as data: an HTTP status plus a `detail` (FastAPI/Iris shape).
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

export type ErrorDetail = string | ValidationIssue[];

export interface ApiErrorExtra {
  /** Stable machine-readable code (families that document one render it; Iris ignores it). */
  code?: string;
  /** Extra fields rendered next to `detail`, e.g. the preview a confirmation needs. */
  data?: Record<string, unknown>;
}

export class ApiError extends Error {
  readonly code: string | undefined;
  readonly data: Record<string, unknown> | undefined;

  constructor(
    readonly status: number,
    readonly detail: ErrorDetail,
    readonly headers: Record<string, string> = {},
    extra: ApiErrorExtra = {},
  ) {
    super(typeof detail === 'string' ? detail : 'Validation error');
    this.name = 'ApiError';
    this.code = extra.code;
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

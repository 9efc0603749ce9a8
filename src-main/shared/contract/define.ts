// The shape of one contract operation and the types every transport derives from it.
import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface OperationDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  /** REST method. GET/DELETE read input from path + query; POST/PUT from path + JSON body. */
  method: HttpMethod;
  /** REST path with `{param}` placeholders, e.g. `/api/cameras/{id}`. */
  path: string;
  input: I;
  output: O;
  /** One line that also becomes the OpenAPI description. */
  doc: string;
  /** Success status (default 200). A 204 operation's output must be z.void(). */
  status?: 200 | 201 | 202 | 204;
  tag: string;
  /** `ipc`: only the desktop shell may call it (owner-level, e.g. which ffmpeg runs); no REST route, not in OpenAPI. */
  transport?: 'ipc';
}

export const op = <I extends z.ZodType, O extends z.ZodType>(def: OperationDef<I, O>): OperationDef<I, O> => def;

/** Who made a call. IPC calls from the desktop shell are `local`. */
export interface Principal {
  email: string | null;
  name: string;
  via: 'api_key' | 'sso' | 'session' | 'anonymous' | 'local' | 'media_token';
}

export interface CallContext {
  principal: Principal;
}

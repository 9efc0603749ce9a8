// The shape of one contract operation and the types every transport derives from it.
import type { z } from 'zod';
import type { Permission, Role } from '../access';

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
  /** Who may call it over REST; by default derived from its tag and method (see contractAccess). */
  access?: 'public' | 'user' | Permission;
}

export const op = <I extends z.ZodType, O extends z.ZodType>(def: OperationDef<I, O>): OperationDef<I, O> => def;

/** Who made a call. IPC calls from the desktop shell are `local` (an admin). */
export interface Principal {
  email: string | null;
  name: string;
  via: 'api_key' | 'sso' | 'session' | 'anonymous' | 'local' | 'media_token' | 'user_key';
  /** What it may do; the Iris API key, SSO, the desktop shell and a login link are admins. */
  role: Role;
  /** The user it acts as, when it is one of the users (password session or per-user API key). */
  user_id?: number;
}

export interface CallContext {
  principal: Principal;
}

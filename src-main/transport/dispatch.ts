// Validates a call against the contract, runs its handler and validates what it returns; shared by IPC and REST.
import type { z } from 'zod';
import { contract, type CallContext, type Handlers, type OpName } from '../shared/contract';
import { ApiError, type ValidationIssue } from '../shared/errors';

export type InputSource = 'body' | 'query' | 'path';

export function zodIssues(error: z.ZodError, locate: (key: string) => InputSource | null): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const first = path[0];
    const source = typeof first === 'string' ? locate(first) : null;
    return { loc: source ? [source, ...path] : path, msg: issue.message, type: issue.code };
  });
}

export class Dispatcher {
  constructor(private readonly handlers: Handlers) {}

  async call(name: OpName, rawInput: unknown, ctx: CallContext, locate: (key: string) => InputSource | null = () => 'body'): Promise<unknown> {
    const def = contract[name];
    const parsed = def.input.safeParse(rawInput ?? {});
    if (!parsed.success) throw new ApiError(422, zodIssues(parsed.error, locate));
    const handler = this.handlers[name] as (input: unknown, ctx: CallContext) => unknown;
    const result = await handler(parsed.data, ctx);
    if (def.status === 204) return undefined;
    // Output parsing strips unknown keys, so a field that is not in the contract (a secret) can never leak.
    const out = def.output.safeParse(result);
    if (!out.success) throw new Error(`contract violation in ${name} output: ${out.error.message}`);
    return out.data;
  }
}

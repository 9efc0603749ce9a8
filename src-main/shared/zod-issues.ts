// zod issues as FastAPI-style validation issues, located in the body unless a caller says where a key came from.
import type { z } from 'zod';
import type { ValidationIssue } from './errors';

export function zodIssues(error: z.ZodError, locate: (key: string) => 'body' | 'query' | 'path' | null = () => 'body'): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const first = path[0];
    const source = typeof first === 'string' ? locate(first) : 'body';
    return { loc: source ? [source, ...path] : path, msg: issue.message, type: issue.code };
  });
}

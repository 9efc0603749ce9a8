// Time inputs: ISO-8601 strings (Iris routes) or epoch milliseconds (timeline routes), normalised to epoch ms.
import { z } from 'zod';

export const zTimeMs = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .min(1)
    .transform((s, ctx) => {
      const n = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
      if (!Number.isFinite(n)) {
        ctx.addIssue({ code: 'custom', message: 'Expected an ISO-8601 time or epoch milliseconds' });
        return z.NEVER;
      }
      return n;
    }),
]);

export const isoTime = z.string().describe('ISO-8601 UTC time');

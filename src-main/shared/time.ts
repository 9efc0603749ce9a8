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

/**
 * A positive integer id from a path or query string: plain decimal digits only. z.coerce.number() also read "0x1",
 * "+1", " 1" and "1e0" as 1, so DELETE /api/cameras/0x1 deleted camera 1.
 */
export const zId = z.union([
  z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  z
    .string()
    .regex(/^[1-9]\d{0,14}$/, 'Expected a positive integer')
    .transform(Number),
]);

import { z } from 'zod';

/** Longest path the kernel hands out (PATH_MAX). */
export const PATH_MAX = 4096;
/** One argument of a command line; real ones (inline scripts) run long. */
export const ARG_MAX = 32 * 1024;

export const text = (max: number) => z.string().max(max);
export const count = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32);

/** An ISO 8601 instant with a zone, returned in the store's fixed-width UTC form. */
export const instant = z
  .string()
  .max(40)
  .refine((value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)), {
    message: 'must be an ISO 8601 time with a zone, e.g. 2025-01-31T12:00:00.000Z',
  })
  .transform((value) => new Date(value).toISOString());

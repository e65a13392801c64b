import type { z } from 'zod';
import { ValidationError } from '../../core/errors.js';

/** Checks request input against a schema; the error names the first field at fault. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, where: 'body' | 'query' | 'params'): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  const message = field ? `${where}.${field}: ${issue.message}` : `${where}: ${issue.message}`;
  throw new ValidationError(message, { field: field || where });
}

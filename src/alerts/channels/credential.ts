import { ValidationError } from '../../core/errors.js';

/**
 * A credential or name a service takes in a header or path: required (unless optional), within its
 * length, printable ASCII without spaces, so it cannot break the header or request line it goes in.
 */
export function checkToken(
  value: unknown,
  field: string,
  what: string,
  options: { optional?: boolean; pattern?: RegExp; max?: number } = {},
): string | undefined {
  if (value === undefined || value === '') {
    if (options.optional) return undefined;
    throw new ValidationError(`${field} is required: ${what}`, { field });
  }
  const max = options.max ?? 512;
  if (typeof value !== 'string' || value.length > max || !/^[\x21-\x7e]+$/.test(value) || (options.pattern && !options.pattern.test(value))) {
    throw new ValidationError(`${field} must be ${what} (printable characters without spaces, at most ${max})`, { field });
  }
  return value;
}

/** The text lists show for a stored credential. */
export const SET = 'set (never shown)';

import type { ArgOperator, BinaryOperator } from './model.js';

/**
 * Operator names as Tetragon accepts them: the canonical spelling, any letter case, and the
 * short forms its parser knows (eq, neq).
 */

export const ARG_OPERATORS: readonly ArgOperator[] = ['Equal', 'NotEqual', 'Prefix', 'NotPrefix', 'Postfix', 'NotPostfix', 'Mask'];
export const PATH_OPERATORS: readonly ArgOperator[] = ['Equal', 'NotEqual', 'Prefix', 'NotPrefix', 'Postfix', 'NotPostfix'];
export const INT_OPERATORS: readonly ArgOperator[] = ['Equal', 'NotEqual', 'Mask'];

export const BINARY_OPERATORS: readonly BinaryOperator[] = ['In', 'NotIn', 'Prefix', 'NotPrefix', 'Postfix', 'NotPostfix'];
export const PID_OPERATORS = ['In', 'NotIn'] as const;

const ALIASES: Record<string, string> = { eq: 'Equal', neq: 'NotEqual' };

/** The canonical name in `allowed` that `written` spells, or undefined. */
export function canonicalName<T extends string>(written: string, allowed: readonly T[]): T | undefined {
  const lower = written.toLowerCase();
  const aliased = ALIASES[lower] ?? written;
  return allowed.find((name) => name.toLowerCase() === aliased.toLowerCase());
}

/** Integer values as Tetragon reads them: decimal, 0x hexadecimal or 0-prefixed octal. */
export function parseIntegerValue(text: string): number | undefined {
  const match = /^(-?)(0x[0-9a-f]+|0[0-7]+|0|[1-9][0-9]*)$/i.exec(text.trim());
  if (!match) return undefined;
  const digits = match[2]!;
  const radix = /^0x/i.test(digits) ? 16 : digits.length > 1 && digits.startsWith('0') ? 8 : 10;
  const magnitude = Number.parseInt(radix === 16 ? digits.slice(2) : digits, radix);
  const value = match[1] ? -magnitude : magnitude;
  return Number.isSafeInteger(value) ? value : undefined;
}

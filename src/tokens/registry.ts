import { ValidationError } from '../core/errors.js';
import { httpTokenKind } from './http.js';
import type { TokenKind } from './kind.js';

const kinds = new Map<string, TokenKind>([[httpTokenKind.kind, httpTokenKind]]);

export function tokenKinds(): TokenKind[] {
  return [...kinds.values()];
}

export function tokenKind(kind: string): TokenKind {
  const found = kinds.get(kind);
  if (!found) {
    throw new ValidationError(`unknown token kind "${kind}"; known kinds: ${[...kinds.keys()].join(', ')}`, {
      field: 'kind',
    });
  }
  return found;
}

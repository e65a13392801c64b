import { ValidationError } from '../core/errors.js';
import type { ArtifactContext, TokenOptions } from './kind.js';

/**
 * Reads one kind-specific string option. Values end up inside generated files (YAML, INI, URLs),
 * so each kind names the narrow pattern it can write safely.
 */
export function stringOption(input: TokenOptions, field: string, pattern: RegExp, shape: string): string | undefined {
  const value = input.options?.[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ValidationError(`options.${field} must be ${shape}`, { field: `options.${field}` });
  }
  return value;
}

/** The server's public URL, parsed: credential files need its parts (host, port, path). */
export function publicUrlOf(context: ArtifactContext): URL {
  return new URL(context.publicUrl || 'http://127.0.0.1');
}

/** A URL under the public URL, keeping any path prefix the public URL has. */
export function publicUrlWith(context: ArtifactContext, path: string): string {
  return `${context.publicUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

export function configString(config: Record<string, unknown>, field: string, fallback: string): string {
  const value = config[field];
  return typeof value === 'string' ? value : fallback;
}

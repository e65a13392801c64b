import { TriplineError } from '../../core/errors.js';

/** The kernel sensor cannot do what was asked: addon missing, fanotify refused, path unusable. */
export class SensorError extends TriplineError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, 'sensor_error', 500, context, { cause });
  }
}

/** errno code of a Node or addon error ("ENOENT"), or undefined. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

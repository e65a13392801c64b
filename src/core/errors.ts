/**
 * Every error Tripline raises on purpose is a TriplineError: it carries a stable code, the HTTP
 * status a request that caused it should get, and the context needed to act on it at 3 a.m.
 */
export class TriplineError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that does not meet the contract: a 400 with the field at fault. */
export class ValidationError extends TriplineError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, 'invalid_input', 400, context);
  }
}

export class NotFoundError extends TriplineError {
  constructor(what: string, id: string) {
    super(`${what} ${id} not found`, 'not_found', 404, { what, id });
  }
}

export class AuthError extends TriplineError {
  constructor(message = 'a valid API key is required (Authorization: Bearer <key>)') {
    super(message, 'unauthorized', 401);
  }
}

export class ForbiddenError extends TriplineError {
  constructor(message: string) {
    super(message, 'forbidden', 403);
  }
}

export class ConflictError extends TriplineError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, 'conflict', 409, context);
  }
}

/** The store could not be reached or refused an operation. */
export class StoreError extends TriplineError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, 'store_unavailable', 503, context, { cause });
  }
}

/** A setting (flag, environment variable) that cannot work. */
export class ConfigError extends TriplineError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super(message, 'bad_config', 500, context);
  }
}

/** Too many requests from one source; it may try again after `retryAfterSeconds`. */
export class RateLimitedError extends TriplineError {
  constructor(message: string, retryAfterSeconds: number) {
    super(message, 'rate_limited', 429, { retryAfterSeconds });
  }
}

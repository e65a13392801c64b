import { TriplineError } from '../core/errors.js';

/** The agent cannot do what it was set up to do: a policy directory it cannot read, a spool it
 * cannot write. Problems with single policies or decoys are reported, not thrown. */
export class AgentError extends TriplineError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, 'agent_error', 500, context, { cause });
  }
}

import { normalizeAddress } from './client-address.js';
import { newTokenId } from '../core/ids.js';
import { candidateTokenIds } from './trigger/find-token-id.js';
import type { TriggerFront } from './tls/trigger-front.js';

/** How long a probe waits for its request; `tripline doctor` polls for seconds. */
const PROBE_TTL_MS = 120_000;
/** Probes open at once; more are refused, so the map stays small whatever the API is asked. */
const MAX_OPEN = 32;

export interface ProbeArrival {
  source: string;
  listener: 'http' | 'https';
  at: string;
}

/**
 * Proof that the public URL reaches this server: `tripline doctor` asks for a fresh random id,
 * requests it through the public URL, and asks whether it arrived here. The id is no token, so
 * the trigger answers it like any unknown id; the front only notes the arrival. It looks at
 * paths only while a probe is open.
 */
export class ReachProbes {
  private readonly open = new Map<string, { expires: number; arrival?: ProbeArrival }>();

  create(): string | undefined {
    this.sweep();
    if (this.open.size >= MAX_OPEN) return undefined;
    const id = newTokenId();
    this.open.set(id, { expires: Date.now() + PROBE_TTL_MS });
    return id;
  }

  /** undefined: no such probe (never made, or expired); null: not arrived yet. */
  arrival(id: string): ProbeArrival | null | undefined {
    this.sweep();
    const probe = this.open.get(id);
    return probe ? (probe.arrival ?? null) : undefined;
  }

  front(listener: 'http' | 'https'): TriggerFront {
    return (request) => {
      if (this.open.size === 0) return false;
      for (const id of candidateTokenIds(request.url ?? '/')) {
        const probe = this.open.get(id);
        if (probe && !probe.arrival) probe.arrival = { source: normalizeAddress(request.socket.remoteAddress), listener, at: new Date().toISOString() };
      }
      return false;
    };
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, probe] of this.open) if (probe.expires <= now) this.open.delete(id);
  }
}

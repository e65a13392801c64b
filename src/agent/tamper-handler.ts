/**
 * A watched file deleted, renamed away or replaced, or its path broken (a directory on it renamed,
 * deleted or mounted over): logged, and reported to the server once for
 * every labelled policy that watches the path, as a hit of that policy's token.
 */
import type { Logger } from 'pino';
import type { DecoyTamperEvent } from '../core/file-event.js';
import { newRowId } from '../core/ids.js';
import { policiesWatching, TOKEN_LABEL, type PolicySet } from '../policy/index.js';
import type { OutputSink } from './output/access-output.js';

export interface TamperHandlerDeps {
  policies: () => PolicySet;
  /** Where reports go (the output thread); null when the agent reports to no server. */
  reports: OutputSink | null;
  nodeName: string;
  log: Logger;
}

export class TamperHandler {
  constructor(private readonly deps: TamperHandlerDeps) {}

  handle(event: DecoyTamperEvent): void {
    const { log, reports } = this.deps;
    const message = event.change === 'unreachable' ? `decoy no longer reachable at ${event.path}` : 'watched file tampered with';
    log.warn({ path: event.path, change: event.change, pid: event.process?.pid ?? null, binary: event.process?.binary ?? null }, message);
    if (!reports) return;
    for (const policy of policiesWatching(this.deps.policies().policies, event.path)) {
      const tokenId = policy.labels[TOKEN_LABEL];
      if (!tokenId) continue;
      reports.submit({ id: newRowId(), tokenId, node: this.deps.nodeName, policy: policy.name, hook: null, actions: [], tamper: event });
    }
  }
}

/**
 * The agent's log line per access, folded: the first access of a kind (policy, decoy, process
 * execution, access) gets its full line at once; repeats within the window are counted and
 * logged as one "accessed again" line with the count when the window ends. A process reading a
 * decoy 2,000 times makes two lines, not 2,000: logs stay readable at 3 a.m., and a storm does
 * not fill the disk or hold the output thread on a full stderr pipe. The export and the reports
 * to the server keep every access.
 */
import type { Logger } from 'pino';
import type { FileAccessEvent } from '../../core/file-event.js';
import type { Match } from '../../policy/index.js';
import { reportedName } from '../actions/action-names.js';

export interface AccessLogOptions {
  /** How long repeats are folded before their count is logged. Default 10 s. */
  windowMs?: number;
  /** Kinds tracked at once; beyond it new kinds are logged in full, unfolded. Default 10,000. */
  maxKinds?: number;
}

interface Folded {
  fields: Record<string, unknown>;
  repeats: number;
}

export class AccessLog {
  private kinds = new Map<string, Folded>();
  private readonly timer: NodeJS.Timeout;
  private readonly maxKinds: number;
  private readonly windowMs: number;

  constructor(
    private readonly log: Logger,
    options: AccessLogOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 10_000;
    this.maxKinds = options.maxKinds ?? 10_000;
    this.timer = setInterval(() => this.flush(), this.windowMs);
    this.timer.unref();
  }

  accessed(event: FileAccessEvent, decoy: string, match: Match, actions: string[]): void {
    if (!this.log.isLevelEnabled('info')) return;
    const key = `${match.policy}\0${decoy}\0${event.process.execId}\0${event.access}\0${event.held === true}`;
    const seen = this.kinds.get(key);
    if (seen) {
      seen.repeats++;
      return;
    }
    const fields = {
      policy: match.policy,
      hook: match.hook,
      access: event.access,
      path: event.path,
      decoy,
      ...(event.decoyCopy ? { copy: `${event.decoyCopy.pod.namespace}/${event.decoyCopy.pod.name}` } : {}),
      pid: event.process.pid,
      binary: event.process.binary,
      binaryFile: event.process.binaryFile ?? null,
      uid: event.process.uid,
      ...(event.held ? { held: 'open since before the watch began' } : {}),
      actions,
      ...(match.suppressed.length > 0 ? { suppressed: match.suppressed.map((a) => reportedName(a.action)) } : {}),
    };
    this.log.info(fields, 'watched file accessed');
    if (this.kinds.size < this.maxKinds) this.kinds.set(key, { fields, repeats: 0 });
  }

  /** Logs the repeats counted so far and starts a new window. */
  flush(): void {
    const kinds = this.kinds;
    this.kinds = new Map();
    for (const { fields, repeats } of kinds.values()) {
      if (repeats > 0) this.log.info({ ...fields, repeats, withinMs: this.windowMs }, 'watched file accessed again');
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

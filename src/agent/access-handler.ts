/**
 * One access to a watched file, from the sensor's request to everything the policies ask for.
 * The verdict comes first and is given synchronously: the accessor waits for nothing but the
 * decision. GetUrl/DnsLookup are queued; the log line, export and report go to the output thread.
 */
import { statSync } from 'node:fs';
import type { Match, PolicySet, PostRateLimiter } from '../policy/index.js';
import { reportedName } from './actions/action-names.js';
import type { OutboundActions } from './actions/outbound.js';
import { applyVerdict, decideVerdict, isPlainAllow } from './actions/verdict.js';
import type { PlantedCopy } from './containers/container-watches.js';
import type { AccessRecord, OutputSink } from './output/access-output.js';
import type { AccessRequest } from './sensors/access-request.js';
import type { WatchSync } from './watch-sync.js';

export interface AccessHandlerDeps {
  policies: () => PolicySet;
  /** The token a policy reports for (its tripline/token label), or null. */
  tokenOf: (match: Match) => string | null;
  watches: WatchSync;
  limiter: PostRateLimiter;
  outbound: OutboundActions;
  /** The log line, export and reports of each match (the output thread). */
  output: OutputSink;
  /** Matches are reported to a server (GetUrl of its own trigger URLs becomes a report). */
  reporting: boolean;
  /** The planted container decoy copy watched at this path with this inode, or null (containers/container-watches.ts). */
  decoyCopy?: (watched: string, ino: number) => PlantedCopy | null;
  /** The web-bug token when a GetUrl URL is a trigger URL of the agent's own server (own-trigger.ts). */
  ownTrigger?: (url: string) => string | null;
}

/** A listed binary's identity, looked up at each access: an upgrade replacing it counts at once.
 * stat opens nothing, so it raises no fanotify event; it costs about 2 µs a listed binary. */
function fileIdentity(path: string): { dev: number; ino: number } | null {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    return st ? { dev: st.dev, ino: st.ino } : null;
  } catch {
    return null;
  }
}

export class AccessHandler {
  constructor(private readonly deps: AccessHandlerDeps) {}

  handle(request: AccessRequest): void {
    const { event } = request;
    let matches: Match[];
    const planted = this.deps.decoyCopy?.(request.decoy, event.ino) ?? null;
    if (planted) event.decoyCopy = planted.copy;
    try {
      const paths = this.deps.watches.names(request.decoy, event.dev, event.ino);
      const policies = this.deps.policies();
      matches = policies.evaluate(event, { paths, fileIdentity, ...(planted ? { copyPod: planted.pod } : {}) });
      const verdict = decideVerdict(matches);
      // Nothing watching this file can ever do more than report: the addon may let this
      // execution's next reads and opens of it through before asking (native/README.md).
      if (request.blocking && isPlainAllow(verdict) && policies.onlyMonitors([...paths, event.path])) request.allowRepeats();
      else applyVerdict(request, verdict);
    } finally {
      // Whatever went wrong above, the process must not wait for the reply timeout.
      if (!request.answered) request.allow();
    }
    for (const match of matches) this.follow(request, match);
  }

  private follow(request: AccessRequest, match: Match): void {
    const { event } = request;
    const { limiter, outbound, output } = this.deps;
    const posting = match.actions.some((a) => a.action === 'Post');
    // A rate-limited Post folds the repeat away entirely, as Tetragon drops the event in the
    // kernel before its userspace actions (GetUrl, DnsLookup) could run.
    if (posting && !limiter.allow(match, event)) return;
    const reports: AccessRecord['reports'] = [];
    const reported = new Set<string>();
    for (const action of match.actions) {
      if (action.action === 'GetUrl') {
        const own = this.deps.reporting ? (this.deps.ownTrigger?.(action.argUrl) ?? null) : null;
        // Reported with the event instead of fetched: one hit, with the process that caused it.
        if (own && !reported.has(own)) {
          reported.add(own);
          reports.push({ tokenId: own, getUrl: action.argUrl });
        } else if (!own) outbound.enqueue({ kind: 'geturl', target: action.argUrl, policy: match.policy });
      }
      if (action.action === 'DnsLookup') outbound.enqueue({ kind: 'dnslookup', target: action.argFqdn, policy: match.policy });
    }
    const tokenId = posting && this.deps.reporting ? this.deps.tokenOf(match) : null;
    if (tokenId && !reported.has(tokenId.toLowerCase())) reports.push({ tokenId });
    output.access({
      event,
      decoy: request.decoy,
      match,
      actions: match.actions.map((a) => reportedName(a.action)),
      exported: posting ? { mode: this.deps.watches.mode(request.decoy) } : null,
      reports,
    });
  }
}

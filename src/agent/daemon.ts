/**
 * The agent, wired: policy directory → watched inodes → sensor → verdict and actions → export
 * and report. Everything that can be missing is optional: without --server it runs standalone
 * (export and actions only), without --export it exports nothing.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { newRowId } from '../core/ids.js';
import type { DecoyTamperEvent } from '../core/file-event.js';
import { policiesWatching, policyKey, PostRateLimiter, TOKEN_LABEL, type CompiledPolicy, type Match } from '../policy/index.js';
import { AccessHandler } from './access-handler.js';
import { dnsLookup } from './actions/dns-lookup.js';
import { getUrl } from './actions/get-url.js';
import { OutboundActions } from './actions/outbound.js';
import { openExportSink, type ExportSink } from './export/export-sink.js';
import { PolicyDirectory } from './policy-dir.js';
import type { Heartbeat, WatchReport } from '../core/agent-protocol.js';
import { AgentApi } from './report/agent-api.js';
import { HeartbeatSender } from './report/heartbeat.js';
import { Reporter } from './report/reporter.js';
import { Spool } from './report/spool.js';
import { FanotifySensor } from './sensors/fanotify-sensor.js';
import { AGENT_VERSION } from './version.js';
import { WatchSync } from './watch-sync.js';

export interface AgentOptions {
  policyDir: string;
  nodeName: string;
  log: Logger;
  server?: { url: string; key: string; spoolDir: string; heartbeatMs: number };
  export?: { target: string; maxBytes: number; keep: number };
  /** How often the policy directory and the watched paths are looked at again. */
  rescanMs: number;
  /** Permission events left unanswered this long are allowed by the sensor. */
  replyTimeoutMs?: number;
  /** GetUrl / DnsLookup: time allowed per attempt. */
  outboundTimeoutMs?: number;
}

interface Reporting {
  spool: Spool;
  reporter: Reporter;
  heartbeat: HeartbeatSender;
}

export class Agent extends EventEmitter<{ fatal: [Error] }> {
  private readonly startedAt = new Date().toISOString();
  private tokens = new Map<string, string | null>();
  private readonly unlabeled = new Set<string>();
  private rescanTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  private constructor(
    private readonly options: AgentOptions,
    private readonly sensor: FanotifySensor,
    private readonly policies: PolicyDirectory,
    private readonly watches: WatchSync,
    private readonly outbound: OutboundActions,
    private readonly exporter: ExportSink | null,
    private readonly reporting: Reporting | null,
  ) {
    super();
  }

  static async start(options: AgentOptions): Promise<Agent> {
    const { log } = options;
    const exporter = options.export ? await openExportSink(options.export.target, options.export, log) : null;
    const reporting = options.server ? await startReporting(options.server, options, () => agent.heartbeat()) : null;
    const sensor = new FanotifySensor({ nodeName: options.nodeName, replyTimeoutMs: options.replyTimeoutMs });
    const outbound = new OutboundActions({ perform: { geturl: getUrl, dnslookup: dnsLookup() }, log, timeoutMs: options.outboundTimeoutMs });
    const agent: Agent = new Agent(
      options, sensor, new PolicyDirectory(options.policyDir, log, { rescanMs: options.rescanMs }),
      new WatchSync(sensor, log), outbound, exporter, reporting,
    );
    try {
      await agent.run();
    } catch (err) {
      await agent.stop();
      throw err;
    }
    return agent;
  }

  /** Allows whatever waits, unmarks everything, and leaves unsent events in the spool. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    this.policies.close();
    await this.sensor.close();
    this.outbound.stop();
    if (this.reporting) {
      await this.reporting.heartbeat.stop();
      await this.reporting.reporter.stop();
      await this.reporting.spool.close();
    }
    await this.exporter?.close();
  }

  private async run(): Promise<void> {
    const { log } = this.options;
    const handler = new AccessHandler({
      policies: () => this.policies.policies,
      tokenOf: (match) => this.tokenOf(match),
      watches: this.watches,
      limiter: new PostRateLimiter(),
      outbound: this.outbound,
      exporter: this.exporter,
      reporter: this.reporting?.reporter ?? null,
      nodeName: this.options.nodeName,
      log,
    });
    this.sensor.on('access', (request) => handler.handle(request));
    this.sensor.on('tamper', (event) => this.onTamper(event));
    this.sensor.on('warning', (warning) => log.warn(warning, `sensor: ${warning.message}`));
    this.sensor.on('error', (err) => this.emit('fatal', err));
    await this.policies.start();
    await this.refresh();
    this.policies.on('change', () => {
      this.refresh().catch((err: unknown) => log.error({ err }, 'applying the policy change failed'));
    });
    // Prefix targets gain files and missing decoys appear; the policy files may not change.
    this.rescanTimer = setInterval(() => {
      this.watches.apply(this.policies.policies.watches()).catch((err: unknown) => log.error({ err }, 'rescanning watched paths failed'));
    }, this.options.rescanMs);
    this.rescanTimer.unref();
    this.reporting?.heartbeat.start();
    this.reporting?.reporter.kick();
    const watched = this.sensor.watched().length;
    log.info({
      policies: this.policies.policies.policies.map((p) => p.name), watched,
      server: this.options.server?.url ?? null, preContent: this.sensor.capabilities.preContent,
    }, 'agent ready');
  }

  /** After the policies changed: new token labels, new marks, and a heartbeat saying so. */
  private async refresh(): Promise<void> {
    const policies = this.policies.policies.policies;
    this.tokens = new Map(policies.map((p) => [policyKey(p), p.labels[TOKEN_LABEL] ?? null]));
    for (const policy of policies) this.noteUnlabeled(policy);
    await this.watches.apply(this.policies.policies.watches());
    this.reporting?.heartbeat.now();
  }

  private noteUnlabeled(policy: CompiledPolicy): void {
    if (!this.options.server || policy.labels[TOKEN_LABEL] || this.unlabeled.has(policyKey(policy))) return;
    this.unlabeled.add(policyKey(policy));
    this.options.log.info({ policy: policy.name, file: policy.file },
      `policy has no ${TOKEN_LABEL} label: its matches are exported and its actions run, but they are not reported to the server as hits`);
  }

  private tokenOf(match: Match): string | null {
    return this.tokens.get(policyKey({ name: match.policy, namespace: match.namespace })) ?? null;
  }

  private onTamper(event: DecoyTamperEvent): void {
    const { log } = this.options;
    log.warn({ path: event.path, change: event.change, pid: event.process?.pid ?? null, binary: event.process?.binary ?? null }, 'watched file tampered with');
    const reporter = this.reporting?.reporter;
    if (!reporter) return;
    for (const policy of policiesWatching(this.policies.policies.policies, event.path)) {
      const tokenId = policy.labels[TOKEN_LABEL];
      if (!tokenId) continue;
      void reporter.submit({ id: newRowId(), tokenId, node: this.options.nodeName, policy: policy.name, hook: null, actions: [], tamper: event })
        .catch((err: unknown) => log.error({ err, policy: policy.name }, 'could not queue the tamper event for the server'));
    }
  }

  private heartbeat(): Heartbeat {
    const watched = new Map<string, WatchReport>();
    for (const policy of this.policies.policies.policies) {
      const tokenId = policy.labels[TOKEN_LABEL] ?? null;
      for (const target of policy.watches) {
        watched.set(`${target.path}\0${tokenId}`, { path: target.path, tokenId, ...this.watches.status(target) });
      }
    }
    return {
      node: this.options.nodeName,
      version: AGENT_VERSION,
      startedAt: this.startedAt,
      policies: this.policies.reports(),
      watched: [...watched.values()],
    };
  }
}

async function startReporting(server: NonNullable<AgentOptions['server']>, options: AgentOptions, status: () => Heartbeat): Promise<Reporting> {
  const api = new AgentApi({ server: server.url, key: server.key });
  const spool = await Spool.open(server.spoolDir, options.log);
  const heartbeat = new HeartbeatSender(api, status, server.heartbeatMs, options.log);
  // The server takes events only for tokens named in the agent's last heartbeat.
  const reporter = new Reporter(api, spool, options.log, { beforeSend: (batch) => heartbeat.covering(batch.map((e) => e.tokenId)) });
  return { spool, reporter, heartbeat };
}

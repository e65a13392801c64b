/**
 * The agent, wired: policy directory → watched inodes → sensor → verdict and actions → export
 * and report. Everything that can be missing is optional: without --server it runs standalone
 * (export and actions only), without --export it exports nothing.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { PostRateLimiter } from '../policy/index.js';
import { AccessHandler } from './access-handler.js';
import { dnsLookup } from './actions/dns-lookup.js';
import { getUrl } from './actions/get-url.js';
import { OutboundActions } from './actions/outbound.js';
import { openExportSink, type ExportSink } from './export/export-sink.js';
import { PolicyDirectory } from './policy-dir.js';
import type { Heartbeat } from '../core/agent-protocol.js';
import { AgentApi } from './report/agent-api.js';
import { HeartbeatSender } from './report/heartbeat.js';
import { Reporter } from './report/reporter.js';
import { Spool } from './report/spool.js';
import { FanotifySensor } from './sensors/fanotify-sensor.js';
import { TamperHandler } from './tamper-handler.js';
import { TokenLabels } from './token-labels.js';
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
  private readonly labels: TokenLabels;
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
    this.labels = new TokenLabels(options.log, options.server !== undefined);
  }

  static async start(options: AgentOptions): Promise<Agent> {
    const { log } = options;
    const exporter = options.export ? await openExportSink(options.export.target, options.export, log) : null;
    const reporting = options.server ? await startReporting(options.server, options, () => agent.heartbeat()) : null;
    const sensor = new FanotifySensor({ nodeName: options.nodeName, replyTimeoutMs: options.replyTimeoutMs });
    const outbound = new OutboundActions({ perform: { geturl: getUrl, dnslookup: dnsLookup() }, log, timeoutMs: options.outboundTimeoutMs });
    const agent: Agent = new Agent(
      options,
      sensor,
      new PolicyDirectory(options.policyDir, log, { rescanMs: options.rescanMs }),
      new WatchSync(sensor, log),
      outbound,
      exporter,
      reporting,
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
      tokenOf: (match) => this.labels.tokenOf(match),
      watches: this.watches,
      limiter: new PostRateLimiter(),
      outbound: this.outbound,
      exporter: this.exporter,
      reporter: this.reporting?.reporter ?? null,
      nodeName: this.options.nodeName,
      log,
    });
    this.sensor.on('access', (request) => handler.handle(request));
    const tampers = new TamperHandler({
      policies: () => this.policies.policies,
      reporter: this.reporting?.reporter ?? null,
      nodeName: this.options.nodeName,
      log,
    });
    this.sensor.on('tamper', (event) => {
      tampers.handle(event);
      // The watch status changed (gone, unreachable, back): the server hears it now.
      this.reporting?.heartbeat.now();
    });
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
      // Mounts over a decoy's path raise no event: the rescan is when they are noticed.
      this.sensor.recheckAll();
    }, this.options.rescanMs);
    this.rescanTimer.unref();
    this.reporting?.heartbeat.start();
    this.reporting?.reporter.kick();
    const watched = this.sensor.watched().length;
    log.info(
      {
        policies: this.policies.policies.policies.map((p) => p.name),
        watched,
        server: this.options.server?.url ?? null,
        preContent: this.sensor.capabilities.preContent,
      },
      'agent ready',
    );
  }

  /** After the policies changed: new token labels, new marks, a heartbeat saying so, and the
   * decoys someone already held open. */
  private async refresh(): Promise<void> {
    this.labels.update(this.policies.policies.policies);
    await this.watches.apply(this.policies.policies.watches());
    this.reporting?.heartbeat.now();
    // Descriptors opened before a decoy was marked raise no events: look for them instead.
    const held = await this.sensor.reportHeld();
    if (held > 0) this.options.log.warn({ held }, 'decoys held open since before the watch began were reported');
  }

  private heartbeat(): Heartbeat {
    return {
      node: this.options.nodeName,
      version: AGENT_VERSION,
      startedAt: this.startedAt,
      policies: this.policies.reports(),
      watched: this.watches.reports(this.policies.policies.policies),
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

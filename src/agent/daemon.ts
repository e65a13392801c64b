/**
 * The agent, wired: policy directory → watched inodes → sensor → verdict and actions → (output
 * thread) log, export and report. Everything that can be missing is optional: without --server
 * it runs standalone (export and actions only), without --export it exports nothing.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { PostRateLimiter } from '../policy/index.js';
import { AccessHandler } from './access-handler.js';
import { dnsLookup } from './actions/dns-lookup.js';
import { getUrl } from './actions/get-url.js';
import { OutboundActions } from './actions/outbound.js';
import { CentralPolicies } from './central-policies.js';
import { OwnTriggerUrls } from './own-trigger.js';
import { PolicyDirectory } from './policy-dir.js';
import { PolicySources, type PolicySource } from './policy-sources.js';
import type { Heartbeat } from '../core/agent-protocol.js';
import { AgentApi } from './report/agent-api.js';
import { HeartbeatSender } from './report/heartbeat.js';
import type { LogDestination } from './output/log-destination.js';
import { OutputThread } from './output/output-thread.js';
import { FanotifySensor } from './sensors/fanotify-sensor.js';
import { withPod } from './containers/attribute.js';
import { CriClient } from './containers/cri-client.js';
import { ContainerWatches } from './containers/container-watches.js';
import { PodDirectory } from './containers/pod-directory.js';
import { TamperHandler } from './tamper-handler.js';
import { TokenLabels } from './token-labels.js';
import { AGENT_VERSION } from './version.js';
import { WatchSync } from './watch-sync.js';

export interface AgentOptions {
  policyDir: string;
  nodeName: string;
  log: Logger;
  /** The destination `log` writes to: handed to the output thread while it runs. */
  logDestination?: LogDestination;
  server?: { url: string; key: string; spoolDir: string; heartbeatMs: number; stateDir?: string };
  export?: { target: string; maxBytes: number; keep: number };
  /** How often the policy directory and the watched paths are looked at again. */
  rescanMs: number;
  /** Permission events left unanswered this long are allowed by the sensor. */
  replyTimeoutMs?: number;
  /** GetUrl / DnsLookup: time allowed per attempt. */
  outboundTimeoutMs?: number;
  /** The node's CRI socket, for pod attribution; null: none (pods known by cgroup uid only). */
  criSocket?: string | null;
}

interface Reporting {
  api: AgentApi;
  ownTrigger: OwnTriggerUrls;
  heartbeat: HeartbeatSender;
}

export class Agent extends EventEmitter<{ fatal: [Error] }> {
  private readonly startedAt = new Date().toISOString();
  private readonly labels: TokenLabels;
  private readonly pods: PodDirectory;
  private readonly containers: ContainerWatches;
  private rescanTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Set by a clean stop: the last heartbeat says so, and the server alerts "stopped", not "silent". */
  private stopping = false;

  private constructor(
    private readonly options: AgentOptions,
    private readonly sensor: FanotifySensor,
    private readonly policies: PolicySource,
    private readonly watches: WatchSync,
    private readonly outbound: OutboundActions,
    private readonly output: OutputThread,
    private readonly reporting: Reporting | null,
  ) {
    super();
    this.labels = new TokenLabels(options.log, options.server !== undefined);
    this.pods = new PodDirectory(options.criSocket ? new CriClient(options.criSocket) : null, options.log);
    this.containers = new ContainerWatches(this.pods, options.nodeName, options.log);
  }

  static async start(options: AgentOptions): Promise<Agent> {
    const { log } = options;
    let output: OutputThread | undefined;
    const reporting = options.server
      ? startReporting(
          options.server,
          options,
          () => agent.heartbeat(),
          (tokenIds) => output?.tokensReported(tokenIds),
        )
      : null;
    output = await OutputThread.start({
      setup: {
        nodeName: options.nodeName,
        ...(options.server ? { server: { url: options.server.url, key: options.server.key, spoolDir: options.server.spoolDir } } : {}),
        ...(options.export ? { export: options.export } : {}),
      },
      log,
      // The server takes events only for tokens named in the agent's last heartbeat.
      covering: (tokenIds) => reporting?.heartbeat.covering(tokenIds) ?? Promise.resolve(),
    });
    let sensor: FanotifySensor;
    try {
      sensor = new FanotifySensor({ nodeName: options.nodeName, replyTimeoutMs: options.replyTimeoutMs });
    } catch (err) {
      await output.close();
      throw err;
    }
    const outbound = new OutboundActions({ perform: { geturl: getUrl, dnslookup: dnsLookup() }, log, timeoutMs: options.outboundTimeoutMs });
    const agent: Agent = new Agent(options, sensor, policySource(options, reporting), new WatchSync(sensor, log), outbound, output, reporting);
    options.logDestination?.forwardTo((line) => output?.log(line));
    output.on('lost', (err) => {
      options.logDestination?.forwardTo(null);
      agent.emit('fatal', err);
    });
    try {
      await agent.run();
    } catch (err) {
      await agent.stop();
      throw err;
    }
    return agent;
  }

  /**
   * Allows whatever waits, unmarks everything, and leaves unsent events in the spool. `clean`
   * (SIGTERM, SIGINT) tells the server in a last heartbeat that the agent was stopped, not lost.
   */
  async stop(clean = false): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (clean && this.reporting) {
      this.stopping = true;
      await this.reporting.heartbeat.last();
    }
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    this.containers.stop();
    await this.policies.close();
    await this.sensor.close();
    this.pods.close();
    this.outbound.stop();
    await this.reporting?.heartbeat.stop();
    // Lines logged from here on are written directly; those handed over go out first.
    this.options.logDestination?.forwardTo(null);
    await this.output.close();
  }

  private async run(): Promise<void> {
    const { log } = this.options;
    const handler = new AccessHandler({
      policies: () => this.policies.policies,
      tokenOf: (match) => this.labels.tokenOf(match),
      watches: this.watches,
      limiter: new PostRateLimiter(),
      outbound: this.outbound,
      output: this.output,
      reporting: this.reporting !== null,
      decoyCopy: (watched, ino) => this.containers.copyAt(watched, ino),
      ...(this.reporting ? { ownTrigger: this.reporting.ownTrigger.tokenOf.bind(this.reporting.ownTrigger) } : {}),
    });
    this.sensor.on('access', (request) => withPod(request.event, request.decoy, this.pods, log, () => handler.handle(request)));
    const tampers = new TamperHandler({
      policies: () => this.policies.policies,
      reports: this.reporting ? this.output : null,
      nodeName: this.options.nodeName,
      log,
    });
    this.sensor.on('tamper', (event) =>
      withPod({ process: event.process, parent: null }, event.path, this.pods, log, () => {
        tampers.handle(event);
        // The watch status changed (gone, unreachable, back): the server hears it now.
        this.reporting?.heartbeat.now();
      }),
    );
    this.sensor.on('warning', (warning) => log.warn(warning, `sensor: ${warning.message}`));
    this.sensor.on('error', (err) => this.emit('fatal', err));
    await this.policies.start();
    await this.refresh();
    this.policies.on('change', () => {
      // At once, before anything is awaited: no read may be let through on the old policies' word.
      this.sensor.forgetRepeats();
      this.refresh().catch((err: unknown) => log.error({ err }, 'applying the policy change failed'));
    });
    // Prefix targets gain files and missing decoys appear; the policy files may not change.
    this.rescanTimer = setInterval(() => {
      this.watches.apply(this.targets()).catch((err: unknown) => log.error({ err }, 'rescanning watched paths failed'));
      // Mounts over a decoy's path raise no event: the rescan is when they are noticed.
      this.sensor.recheckAll();
    }, this.options.rescanMs);
    this.rescanTimer.unref();
    this.containers.start(
      () => this.policies.policies,
      () => this.applyTargets(),
    );
    this.reporting?.heartbeat.start();
    if (this.reporting) this.output.kick();
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
    await this.containers.sync(this.policies.policies).catch((err: unknown) => this.options.log.warn({ err }, 'syncing containers failed'));
    await this.applyTargets();
  }

  /** Marks for the policies' host paths and for what is watched inside containers. */
  private async applyTargets(): Promise<void> {
    await this.watches.apply(this.targets());
    this.reporting?.heartbeat.now();
    // Descriptors opened before a decoy was marked raise no events: look for them instead.
    const held = await this.sensor.reportHeld();
    if (held > 0) this.options.log.warn({ held }, 'decoys held open since before the watch began were reported');
  }

  private targets() {
    return [...this.policies.policies.watches(), ...this.containers.watches()];
  }

  private heartbeat(): Heartbeat {
    return {
      node: this.options.nodeName,
      version: AGENT_VERSION,
      startedAt: this.startedAt,
      policies: this.policies.reports(),
      watched: this.watches.reports(this.policies.policies.policies),
      ...(this.pods.connected ? { containerDecoys: this.containers.reports() } : {}),
      ...(this.options.server ? { intervalMs: this.options.server.heartbeatMs } : {}),
      ...(this.stopping ? { stopping: true } : {}),
    };
  }
}

/** The verdict thread's part of reporting: heartbeats and the central policies' API; events
 * themselves are spooled and sent by the output thread. */
function startReporting(
  server: NonNullable<AgentOptions['server']>,
  options: AgentOptions,
  status: () => Heartbeat,
  onReported: (tokenIds: string[]) => void,
): Reporting {
  const api = new AgentApi({ server: server.url, key: server.key });
  const ownTrigger = new OwnTriggerUrls();
  const heartbeat = new HeartbeatSender(api, status, server.heartbeatMs, options.log, (answer) => ownTrigger.learn(answer), onReported);
  return { api, ownTrigger, heartbeat };
}

/** The policy directory, and beside it the server's central policies when the agent has a state directory to keep them in. */
function policySource(options: AgentOptions, reporting: Reporting | null): PolicySource {
  const dir = new PolicyDirectory(options.policyDir, options.log, { rescanMs: options.rescanMs });
  const stateDir = options.server?.stateDir;
  if (!reporting || !stateDir) return dir;
  return new PolicySources(dir, new CentralPolicies(reporting.api, stateDir, options.log));
}

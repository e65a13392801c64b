/**
 * `tripline tetragon-input`: Tetragon's own events as hits. Reads process_kprobe events of the
 * policies labelled tripline/token (from the export file or the gRPC API), turns each into an
 * agent event for the label's token, and reports it like the agent does: fsync'd to a spool,
 * sent to the server with an agent key, with heartbeats naming the policies so the server takes
 * their tokens. Events of other policies are ignored.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AgentApi } from '../report/agent-api.js';
import { HeartbeatSender } from '../report/heartbeat.js';
import { Reporter } from '../report/reporter.js';
import { Spool } from '../report/spool.js';
import { AGENT_VERSION } from '../version.js';
import { ExportTail } from './export-tail.js';
import { TetragonGrpcSource } from './grpc-source.js';
import { normalizeKprobe } from './normalize.js';
import { labelledPolicies, labelReports, type LabelledPolicy } from './policy-labels.js';

export interface TetragonInputOptions {
  source: { exportFile: string } | { grpc: string };
  /** The TracingPolicies applied to Tetragon: their tripline/token labels name the tokens. */
  policyDir: string;
  nodeName: string;
  server: { url: string; key: string; heartbeatMs: number };
  /** Spool and export position live here. */
  stateDir: string;
  log: Logger;
}

export class TetragonInput {
  private policies: LabelledPolicy[] = [];
  private readonly startedAt = new Date().toISOString();
  private source: ExportTail | TetragonGrpcSource | null = null;

  private constructor(
    private readonly options: TetragonInputOptions,
    private readonly spool: Spool,
    private readonly reporter: Reporter,
    private readonly heartbeat: HeartbeatSender,
  ) {}

  static async start(options: TetragonInputOptions): Promise<TetragonInput> {
    const api = new AgentApi({ server: options.server.url, key: options.server.key });
    const spool = await Spool.open(join(options.stateDir, 'spool'), options.log);
    let input: TetragonInput | undefined;
    const heartbeat = new HeartbeatSender(
      api,
      () => ({
        node: options.nodeName,
        version: AGENT_VERSION,
        startedAt: input!.startedAt,
        policies: labelReports(input!.policies),
        watched: [],
        intervalMs: options.server.heartbeatMs,
      }),
      options.server.heartbeatMs,
      options.log,
    );
    const reporter = new Reporter(api, spool, options.log, { beforeSend: (batch) => heartbeat.covering(batch.map((e) => e.tokenId)) });
    input = new TetragonInput(options, spool, reporter, heartbeat);
    input.policies = await labelledPolicies(options.policyDir);
    options.log.info({ policies: input.policies.map((p) => p.name) }, 'Tetragon policies labelled with a token');
    heartbeat.start();
    reporter.kick();
    input.source =
      'exportFile' in options.source
        ? new ExportTail(options.source.exportFile, join(options.stateDir, 'export-position.json'), (line) => input.line(line), options.log)
        : new TetragonGrpcSource(
            options.source.grpc,
            () => input.policies.map((p) => p.name),
            (event) => input.take(event),
            options.log,
          );
    if (input.source instanceof ExportTail) await input.source.start();
    else input.source.start();
    return input;
  }

  async stop(): Promise<void> {
    await this.source?.stop();
    await this.heartbeat.stop();
    await this.reporter.stop();
    await this.spool.close();
  }

  private async line(line: string): Promise<void> {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      this.options.log.warn({ line: line.slice(0, 200) }, 'not a JSON line in the Tetragon export; skipped');
      return;
    }
    await this.take(event);
  }

  /** One Tetragon event: reported when its policy is labelled with a token, else ignored. */
  private async take(raw: unknown): Promise<void> {
    const normalized = normalizeKprobe(raw, this.options.nodeName);
    if (!normalized) return;
    const policy = this.policies.find((p) => p.name === normalized.policy);
    if (!policy) return;
    await this.reporter.submit({ ...normalized.event, tokenId: policy.tokenId });
  }
}

/**
 * What follows a verdict, once the accessor has its answer: the access's log line (folded,
 * access-log.ts), its Tetragon export line and its reports to the server. It runs on the output thread (output-worker.ts), so
 * none of it (JSON, the spool's writes and fsyncs, HTTP) holds the event loop that answers the
 * next access.
 */
import type { Logger } from 'pino';
import type { AgentEvent } from '../../core/agent-protocol.js';
import type { FileAccessEvent } from '../../core/file-event.js';
import { newRowId } from '../../core/ids.js';
import type { Match } from '../../policy/index.js';
import type { ExportSink } from '../export/export-sink.js';
import { toTetragon } from '../export/tetragon.js';
import type { Reporter } from '../report/reporter.js';
import { AccessLog } from './access-log.js';

/** One policy's match of one access, as the verdict thread decided it (plain data: it crosses threads). */
export interface AccessRecord {
  event: FileAccessEvent;
  /** The watched path the access reached the decoy through. */
  decoy: string;
  match: Match;
  /** The match's actions by their reported names. */
  actions: string[];
  /** Exported (a Post that was not rate-limited), with the decoy's mode when it was marked. */
  exported: { mode: number | undefined } | null;
  /** Hits to report: the policy's token, and a GetUrl of this server's own trigger URL. */
  reports: { tokenId: string; getUrl?: string }[];
}

/** Where the verdict thread hands its work over (output-thread.ts). */
export interface OutputSink {
  /** A policy's match of an access: logged, exported and reported. */
  access(record: AccessRecord): void;
  /** An event for the server (a tamper event). */
  submit(event: AgentEvent): void;
}

/** What crosses from the verdict thread to the output thread, in order. */
export type OutputItem = { kind: 'access'; record: AccessRecord } | { kind: 'event'; event: AgentEvent } | { kind: 'log'; line: string };

export class AccessOutput {
  private readonly accessLog: AccessLog;

  constructor(
    private readonly nodeName: string,
    private readonly log: Logger,
    private readonly exporter: ExportSink | null,
    private readonly reporter: Reporter | null,
    /** Writes a serialized log line of the verdict thread (log-destination.ts) to this thread's stderr. */
    private readonly writeLine: (line: string) => void,
  ) {
    this.accessLog = new AccessLog(log);
  }

  /** Logs the repeats still counted; the exporter and reporter are closed by their owner. */
  close(): void {
    this.accessLog.close();
  }

  handle(item: OutputItem): void {
    if (item.kind === 'access') this.access(item.record);
    else if (item.kind === 'event') this.submit(item.event);
    else this.writeLine(item.line);
  }

  private access(record: AccessRecord): void {
    const { event, match } = record;
    this.accessLog.accessed(event, record.decoy, match, record.actions);
    if (record.exported) this.exporter?.write(toTetragon(event, match, this.nodeName, record.exported.mode));
    for (const report of record.reports) {
      this.submit({
        id: newRowId(),
        tokenId: report.tokenId,
        node: this.nodeName,
        policy: match.policy,
        hook: match.hook,
        actions: record.actions,
        access: event,
        ...(report.getUrl ? { getUrl: report.getUrl } : {}),
      });
    }
  }

  private submit(event: AgentEvent): void {
    this.reporter?.submit(event).catch((err: unknown) => this.log.error({ err, policy: event.policy }, 'could not queue the event for the server'));
  }
}

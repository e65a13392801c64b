/**
 * The verdict thread's side of the output thread (output-worker.ts). The verdict thread answers
 * accessors; everything after the answer (log line, export, spool, report) is handed over here
 * and done on the other thread, so the next accessor never waits behind the last one's JSON,
 * fsync or HTTP request.
 *
 * Items handed over during one turn of the event loop (one batch of fanotify events) cross in one
 * message. Heartbeats stay on the verdict thread, beside the status they describe: after each
 * delivered heartbeat the output thread hears which tokens the server now takes events for, and
 * asks the verdict thread only before sending a batch naming a token outside that set.
 *
 * An output thread that stops unasked is fatal: `lost` fires, and the agent exits for its service
 * manager to restart it; what reached the spool is sent by the next run.
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { AgentEvent } from '../../core/agent-protocol.js';
import { siblingModule } from '../../core/sibling-module.js';
import { AgentError } from '../errors.js';
import type { AccessRecord, OutputItem, OutputSink } from './access-output.js';

export interface OutputSetup {
  nodeName: string;
  log: { level: string; bindings: Record<string, unknown> };
  server?: { url: string; key: string; spoolDir: string };
  export?: { target: string; maxBytes: number; keep: number };
}

export type ToOutput =
  | { kind: 'items'; items: OutputItem[] }
  | { kind: 'reported'; tokenIds: string[] }
  | { kind: 'covered'; id: number }
  | { kind: 'kick' }
  | { kind: 'close' };
export type FromOutput = { kind: 'ready' } | { kind: 'failed'; message: string } | { kind: 'covering'; id: number; tokenIds: string[] } | { kind: 'closed' };

export interface OutputThreadOptions {
  setup: Omit<OutputSetup, 'log'>;
  log: Logger;
  /** Resolves once a delivered heartbeat names these tokens (HeartbeatSender.covering). */
  covering: (tokenIds: string[]) => Promise<void>;
}

export class OutputThread extends EventEmitter<{ lost: [Error] }> implements OutputSink {
  private queue: OutputItem[] = [];
  private closing = false;

  private constructor(
    private readonly worker: Worker,
    private readonly options: OutputThreadOptions,
  ) {
    super();
  }

  /** Starts the thread; rejects with the reason when it cannot open its spool or export file. */
  static async start(options: OutputThreadOptions): Promise<OutputThread> {
    const setup: OutputSetup = { ...options.setup, log: { level: options.log.level, bindings: options.log.bindings() } };
    const worker = new Worker(siblingModule('output-worker', import.meta.url), { workerData: setup });
    const thread = new OutputThread(worker, options);
    thread.listen();
    let starting: ((message: FromOutput) => void) | undefined;
    let lost: ((err: Error) => void) | undefined;
    await new Promise<void>((resolve, reject) => {
      starting = (message) => {
        if (message.kind === 'ready') resolve();
        if (message.kind === 'failed') reject(new AgentError(message.message));
      };
      lost = reject;
      worker.on('message', starting);
      thread.once('lost', lost);
    }).finally(() => {
      if (starting) worker.off('message', starting);
      if (lost) thread.off('lost', lost);
    });
    // The agent's lifetime is decided by its signals; this thread never keeps the process up.
    worker.unref();
    return thread;
  }

  /** A policy's match of an access: logged, exported and reported on the output thread. */
  access(record: AccessRecord): void {
    this.push({ kind: 'access', record });
  }

  /** An event for the server (a tamper event): spooled and sent on the output thread. */
  submit(event: AgentEvent): void {
    this.push({ kind: 'event', event });
  }

  /** A serialized log line of the verdict thread, written by the output thread (log-destination.ts). */
  log(line: string): void {
    this.push({ kind: 'log', line });
  }

  /** The tokens the last delivered heartbeat named (HeartbeatSender's onReported). */
  tokensReported(tokenIds: string[]): void {
    this.post({ kind: 'reported', tokenIds });
  }

  /** Starts sending what the spool holds (events an earlier run left). */
  kick(): void {
    this.post({ kind: 'kick' });
  }

  /** Hands over what is queued, stops the reporter (events not yet sent stay spooled) and ends the thread. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.flush();
    this.closing = true;
    this.worker.ref();
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.post({ kind: 'close' });
    await exited;
  }

  private push(item: OutputItem): void {
    if (this.closing) return;
    if (this.queue.length === 0) queueMicrotask(() => this.flush());
    this.queue.push(item);
  }

  private flush(): void {
    if (this.queue.length === 0) return;
    const items = this.queue;
    this.queue = [];
    this.post({ kind: 'items', items });
  }

  private post(message: ToOutput): void {
    this.worker.postMessage(message);
  }

  private listen(): void {
    const { log, covering } = this.options;
    this.worker.on('message', (message: FromOutput) => {
      if (message.kind === 'covering') {
        // HeartbeatSender.covering resolves after a failed heartbeat too: the batch goes, and the
        // server's answer decides.
        covering(message.tokenIds)
          .catch(() => undefined)
          .then(() => this.post({ kind: 'covered', id: message.id }));
      } else if (message.kind === 'failed') {
        log.error({ reason: message.message }, 'the output thread failed');
      }
    });
    let failure = 'it exited';
    this.worker.on('error', (err) => {
      failure = err.message;
      log.error({ err }, 'the output thread failed');
    });
    this.worker.once('exit', (code) => {
      if (!this.closing) this.emit('lost', new AgentError(`the output thread stopped: ${failure} (exit code ${code})`));
    });
  }
}

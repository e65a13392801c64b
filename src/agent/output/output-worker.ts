/**
 * The output thread: the access log lines, the Tetragon export, and the spool and reports to the
 * server (access-output.ts). Started by output-thread.ts, which describes the messages.
 *
 * It is stderr's one writer: its own lines and the verdict thread's (handed over, log-destination.ts),
 * synchronously, one write(2) per line. A slow reader of stderr holds this thread, never a verdict.
 */
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { openExportSink } from '../export/export-sink.js';
import { AgentApi } from '../report/agent-api.js';
import { Reporter } from '../report/reporter.js';
import { Spool } from '../report/spool.js';
import { AccessOutput } from './access-output.js';
import type { FromOutput, OutputSetup, ToOutput } from './output-thread.js';

const port = parentPort!;
const setup = workerData as OutputSetup;
const send = (message: FromOutput) => port.postMessage(message);
const stderr = pino.destination({ dest: 2, sync: true });
const log = pino({ level: setup.log.level, base: setup.log.bindings }, stderr);

/** Heartbeats are the verdict thread's: a batch naming a token the last delivered heartbeat did
 * not name waits there for one that does. */
const covering = new Map<number, () => void>();
let reported = new Set<string>();
let nextCall = 0;
function heartbeatCovering(tokenIds: string[]): Promise<void> {
  if (tokenIds.every((id) => reported.has(id.toLowerCase()))) return Promise.resolve();
  const id = ++nextCall;
  return new Promise((resolve) => {
    covering.set(id, resolve);
    send({ kind: 'covering', id, tokenIds });
  });
}

async function start() {
  const exporter = setup.export ? await openExportSink(setup.export.target, setup.export, log) : null;
  if (!setup.server) return { exporter, spool: null, reporter: null };
  const spool = await Spool.open(setup.server.spoolDir, log);
  const api = new AgentApi({ server: setup.server.url, key: setup.server.key });
  const reporter = new Reporter(api, spool, log, { beforeSend: (batch) => heartbeatCovering(batch.map((e) => e.tokenId)) });
  return { exporter, spool, reporter };
}

try {
  const { exporter, spool, reporter } = await start();
  const output = new AccessOutput(setup.nodeName, log, exporter, reporter, (line) => stderr.write(line));
  port.on('message', (message: ToOutput) => {
    switch (message.kind) {
      case 'items':
        for (const item of message.items) output.handle(item);
        return;
      case 'reported':
        reported = new Set(message.tokenIds);
        return;
      case 'covered':
        covering.get(message.id)?.();
        covering.delete(message.id);
        return;
      case 'kick':
        reporter?.kick();
        return;
      case 'close':
        void (async () => {
          output.close();
          await reporter?.stop();
          for (const resolve of covering.values()) resolve();
          await spool?.close();
          await exporter?.close();
          send({ kind: 'closed' });
          port.close();
        })().catch((err: unknown) => send({ kind: 'failed', message: `closing the output failed: ${(err as Error).message}` }));
        return;
    }
  });
  send({ kind: 'ready' });
} catch (err) {
  send({ kind: 'failed', message: (err as Error).message });
  port.close();
}

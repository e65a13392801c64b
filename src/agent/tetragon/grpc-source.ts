/**
 * Tetragon's gRPC API as an event source: FineGuidanceSensors.GetEvents on its unix socket
 * (`unix:///var/run/tetragon/tetragon.sock`) or TCP address, described by Tetragon's own .proto
 * files (vendored under vendor/tetragon, Apache-2.0). Asks only for process_kprobe events of the
 * allowed policies, and reconnects with backoff when the stream ends or fails.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Logger } from 'pino';
import { Backoff, sleep } from '../../core/backoff.js';

const PROTO_ROOT = fileURLToPath(new URL('../../../vendor/tetragon/api/v1', import.meta.url));

/**
 * Tetragon's services and messages, loaded from its protos. Field names as written in them
 * (snake_case, as the JSON export has them), enums as names, 64-bit integers as strings.
 */
export function tetragonProto(): grpc.GrpcObject {
  const definition = protoLoader.loadSync('tetragon/sensors.proto', {
    includeDirs: [PROTO_ROOT],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).tetragon as grpc.GrpcObject;
}

type SensorsClient = grpc.Client & {
  GetEvents(request: unknown): grpc.ClientReadableStream<unknown>;
};

export class TetragonGrpcSource {
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;
  private stream: grpc.ClientReadableStream<unknown> | null = null;
  private client: SensorsClient | null = null;

  constructor(
    private readonly address: string,
    /** The policy names to ask for (Tetragon filters by them before sending). */
    private readonly policyNames: () => string[],
    /** One event at a time: the stream waits while it runs. */
    private readonly onEvent: (event: unknown) => Promise<void>,
    private readonly log: Logger,
  ) {}

  start(): void {
    const Sensors = tetragonProto().FineGuidanceSensors as unknown as new (address: string, credentials: grpc.ChannelCredentials) => SensorsClient;
    this.client = new Sensors(this.address, grpc.credentials.createInsecure());
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.stream?.cancel();
    await this.running;
    this.client?.close();
  }

  private async loop(): Promise<void> {
    const backoff = new Backoff(500, 30_000);
    while (!this.stopping.signal.aborted) {
      const received = await this.follow();
      if (this.stopping.signal.aborted) return;
      if (received) backoff.reset();
      await sleep(backoff.next(), this.stopping.signal);
    }
  }

  /** One GetEvents stream until it ends; true when it delivered anything. */
  private follow(): Promise<boolean> {
    return new Promise((resolve) => {
      let received = false;
      let chain = Promise.resolve();
      const stream = this.client!.GetEvents({ allow_list: [{ event_set: ['PROCESS_KPROBE'], policy_names: this.policyNames() }] });
      this.stream = stream;
      stream.on('data', (event: unknown) => {
        received = true;
        stream.pause();
        chain = chain
          .then(() => this.onEvent(event))
          .catch((err: unknown) => this.log.error({ err }, 'a Tetragon event could not be taken'))
          .finally(() => stream.resume());
      });
      let settled = false;
      const done = (err?: Error) => {
        if (settled) return;
        settled = true;
        if (err && !this.stopping.signal.aborted) this.log.warn({ address: this.address, reason: err.message }, 'Tetragon event stream failed; reconnecting');
        void chain.then(() => resolve(received));
      };
      stream.on('error', done);
      stream.on('end', () => done());
    });
  }
}

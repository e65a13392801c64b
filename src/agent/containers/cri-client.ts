/**
 * A client of the Container Runtime Interface (k8s.io/cri-api runtime/v1) over the node's CRI
 * socket: containerd and CRI-O both serve it, and it is the one place that knows which pod a
 * container belongs to. The definitions are the vendored api.proto, loaded at run time, so the
 * messages are plain objects with camelCase fields.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The same relative path from src/agent/containers and dist/agent/containers. */
const PROTO = fileURLToPath(new URL('../../../proto/cri-api/runtime/v1/api.proto', import.meta.url));

/** Where containerd and CRI-O listen by default, in the order they are tried. */
export const DEFAULT_CRI_SOCKETS = ['/run/containerd/containerd.sock', '/var/run/crio/crio.sock', '/run/crio/crio.sock'];

/** The first default socket that exists, or null. */
export function defaultCriSocket(exists: (path: string) => boolean = existsSync): string | null {
  return DEFAULT_CRI_SOCKETS.find((p) => exists(p)) ?? null;
}

export class CriError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`CRI ${method}: ${message}`);
    this.name = 'CriError';
  }

  get notFound(): boolean {
    return this.code === grpc.status.NOT_FOUND;
  }
}

type Unary = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, response: unknown) => void,
) => void;

let definition: protoLoader.PackageDefinition | undefined;

function runtimeService(): grpc.ServiceClientConstructor {
  definition ??= protoLoader.loadSync(PROTO, { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { runtime: { v1: { RuntimeService: grpc.ServiceClientConstructor } } };
  return pkg.runtime.v1.RuntimeService;
}

export class CriClient {
  private readonly client: grpc.Client;

  constructor(
    readonly socket: string,
    private readonly timeoutMs = 5000,
  ) {
    const Service = runtimeService();
    this.client = new Service(`unix://${socket}`, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  }

  /** One RuntimeService call, e.g. call('ContainerStatus', { containerId }). */
  call<T = Record<string, unknown>>(method: string, request: object, timeoutMs = this.timeoutMs): Promise<T> {
    const fn = (this.client as unknown as Record<string, Unary | undefined>)[method];
    if (typeof fn !== 'function') return Promise.reject(new CriError(method, grpc.status.UNIMPLEMENTED, 'no such method in runtime.v1'));
    return new Promise((resolve, reject) => {
      fn.call(this.client, request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, response) => {
        if (err) reject(new CriError(method, err.code, err.details || err.message));
        else resolve(response as T);
      });
    });
  }

  close(): void {
    this.client.close();
  }
}

import type { DnsTransport } from './response.js';

/** Answers one DNS message from a client address; undefined means send nothing. */
export type DnsMessageHandler = (message: Buffer, source: string, transport: DnsTransport) => Promise<Buffer | undefined>;

/** What listeners report, for metrics and logs. */
export interface DnsListenerEvents {
  dropped(reason: 'oversized' | 'busy' | 'too_many_connections' | 'too_many_from_source' | 'idle' | 'lifetime'): void;
  failed(error: unknown): void;
}

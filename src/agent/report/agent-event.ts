/**
 * What the agent reports to the server (POST /api/v1/agents/events and /heartbeat). The server
 * keeps its own copy of these shapes; this is the agent's side of the contract.
 */
import type { DecoyTamperEvent, FileAccessEvent, FileHitDetail } from '../../core/file-event.js';

export interface AgentEvent extends FileHitDetail {
  /** newRowId(): unique; the server drops a repeated id, so sending again is always safe. */
  id: string;
  tokenId: string;
  access?: FileAccessEvent;
  tamper?: DecoyTamperEvent;
}

export interface EventsResponse {
  accepted: number;
  duplicates: number;
}

export interface PolicyFileReport {
  file: string;
  name: string | null;
  ok: boolean;
  /** PolicyError.format() lines. */
  errors: string[];
  warnings: string[];
}

export interface WatchReport {
  path: string;
  tokenId: string | null;
  ok: boolean;
  error?: string;
}

export interface Heartbeat {
  node: string;
  version: string;
  startedAt: string;
  policies: PolicyFileReport[];
  watched: WatchReport[];
}

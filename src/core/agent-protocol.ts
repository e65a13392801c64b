/**
 * What an agent reports to the server (POST /api/v1/agents/events and /heartbeat): the one
 * definition both sides build on. The server also checks every field at the door (zod).
 */
import type { DecoyTamperEvent, FileAccessEvent, FileHitDetail } from './file-event.js';

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
  /** Events for unknown, disabled or non-file tokens: acknowledged, not stored. */
  ignored: number;
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

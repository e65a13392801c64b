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

/** How far ahead of the server's clock an event's time may be before the event is refused. */
export const MAX_EVENT_CLOCK_AHEAD_MS = 5 * 60_000;

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
  /**
   * The tokens this policy reports for: its tripline/token label and the web-bug ids in its
   * GetUrl URLs. The server takes events only for tokens a loaded policy names. Absent from
   * agents older than this field; their `watched[].tokenId` still names the labelled tokens.
   */
  tokenIds?: string[];
}

export interface WatchReport {
  path: string;
  tokenId: string | null;
  ok: boolean;
  error?: string;
}

export interface Heartbeat {
  /** Must be the node name the agent was enrolled with; the server refuses any other. */
  node: string;
  version: string;
  startedAt: string;
  policies: PolicyFileReport[];
  watched: WatchReport[];
}

/**
 * The tokens a heartbeat says the agent's loaded policies name, lower-cased: what the server lets
 * the agent report on. `watched` counts too, as agents older than `tokenIds` name them only there.
 */
export function reportedTokenIds(heartbeat: Pick<Heartbeat, 'policies' | 'watched'>): Set<string> {
  const ids = new Set<string>();
  for (const policy of heartbeat.policies) {
    if (policy.name === null) continue;
    for (const id of policy.tokenIds ?? []) ids.add(id.toLowerCase());
  }
  for (const watch of heartbeat.watched) if (watch.tokenId) ids.add(watch.tokenId.toLowerCase());
  return ids;
}

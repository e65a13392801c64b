import type { Generated } from 'kysely';

/**
 * Column conventions, chosen so one query layer runs unchanged on SQLite and PostgreSQL:
 * times are ISO 8601 text in UTC with milliseconds (fixed width, so they sort as text),
 * booleans are integers 0/1, structured data is JSON text, counters are 32-bit integers.
 */

export interface TokensTable {
  id: string;
  kind: string;
  memo: string;
  enabled: number;
  redirect: string | null;
  /** Kind-specific settings and artifact data (JSON). */
  config: string;
  /** Seconds that later hits with the same grouping key fold into one alert; null = default. */
  alert_window_s: number | null;
  hit_count: number;
  last_hit_at: string | null;
  created_at: string;
}

export interface HitsTable {
  id: string;
  token_id: string;
  kind: string;
  at: string;
  /** Who triggered it: an IP address for network hits, the node name for file hits. */
  source: string;
  user_agent: string | null;
  /** Kind-specific detail (JSON): request line and headers, DNS query, process and file. */
  detail: string;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  /** 'admin' manages everything; 'agent' may only report events and heartbeats. */
  role: string;
  /** SHA-256 of the key, hex. The key itself is never stored. */
  key_hash: string;
  created_at: string;
  last_used_at: string | null;
}

/** An enrolled host agent; its id is the id of its API key (role agent). */
export interface AgentsTable {
  id: string;
  name: string;
  /** What the agent last reported in a heartbeat; null until its first one. */
  node: string | null;
  version: string | null;
  started_at: string | null;
  /** Last authenticated call of any kind (events or heartbeat). */
  last_seen_at: string | null;
  last_heartbeat_at: string | null;
  /** JSON: the policy files the agent loaded, with their errors and warnings. */
  policies: string;
  /** JSON: the files it watches and whether each is watched. */
  watched: string;
  events_accepted: number;
  created_at: string;
}

export interface MigrationsOwnTable {
  // Kysely keeps its own bookkeeping tables; declared here only so the type is complete.
  name: Generated<string>;
}

export interface Database {
  tokens: TokensTable;
  hits: HitsTable;
  api_keys: ApiKeysTable;
  agents: AgentsTable;
}

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
  /** Every hit, exact: sampling and retention never lower it. */
  hit_count: number;
  /** Hits whose details are stored in full (in hits): fewer than hit_count under a flood or after retention. */
  hits_kept: number;
  last_hit_at: string | null;
  created_at: string;
  /** low, medium, high or critical (src/core/model/token.ts). */
  severity: Generated<string>;
  /** JSON array of tag names; token_tags holds the same, one row each. */
  tags: Generated<string>;
}

/** A token's tags, one row each, for filtering hits by tag. */
export interface TokenTagsTable {
  token_id: string;
  tag: string;
}

/** A rule that mutes matching hits: stored and counted, shown muted, no alert. */
export interface NoiseRulesTable {
  id: string;
  /** Null: applies to every token. */
  token_id: string | null;
  /** cidr, resolver, user-agent, asn, known-scanners. */
  kind: string;
  pattern: string;
  note: string;
  created_at: string;
}

/** The exact number of hits per token and minute, written in the hits' own transaction. */
export interface HitCountsTable {
  token_id: string;
  /** The hits' time cut to the minute, e.g. "2030-01-01T00:00". */
  minute: string;
  hits: number;
  /** Of those, the ones stored in full when written (retention may drop them later). */
  kept: number;
  /** Sources with a row in hit_source_counts for this minute, up to the tracking limit. */
  sources: number;
}

/** The exact number of hits per token and hour, written in the hits' own transaction (charts read it). */
export interface HitHoursTable {
  token_id: string;
  /** The hits' time cut to the hour, e.g. "2030-01-01T00". */
  hour: string;
  hits: number;
}

/**
 * Hits per token, minute and source: what sampling decides by. Bookkeeping only, pruned once the
 * minute is long over; a token gets rows for a bounded number of sources per minute, so spoofed
 * sources cannot grow it without bound.
 */
export interface HitSourceCountsTable {
  token_id: string;
  minute: string;
  source: string;
  hits: number;
}

/** The grouping keys folded into a token's digest alert, so each is counted once as a source. */
export interface AlertFoldedKeysTable {
  alert_id: string;
  group_key: string;
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
  /** The agent (its key's id) that reported the hit; null for hits the server saw itself. */
  agent_id: string | null;
  /** When the server took the hit in; `at` is the agent's own time for agent events. Null for
   * hits stored before it was recorded. */
  received_at: string | null;
  /** JSON: the noise rule that matched when it was recorded (src/core/model/noise.ts); null when none did. */
  muted_by: string | null;
  /** JSON: country, city, ASN, host name of the source (src/core/model/enrichment.ts); null when unknown. */
  enrichment: string | null;
  /** The enrichment's country code again, for filtering. */
  country: string | null;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  /** 'admin' manages everything; 'viewer' reads (GET) only; 'agent' may only report events and heartbeats. */
  role: string;
  /** SHA-256 of the key, hex. The key itself is never stored. */
  key_hash: string;
  /** The key's non-secret start (e.g. tpl_admin_ab), to recognise it in lists and logs; null for keys older than it. */
  prefix: string | null;
  created_at: string;
  /** Written in batches (at most once a minute per key), so it may lag by that much. */
  last_used_at: string | null;
  /** Set when the key was revoked: it is refused from then on, and kept to show who had access. */
  revoked_at: string | null;
  /** 'env' for the key registered from TRIPLINE_ADMIN_KEY, 'generated' at first start, otherwise 'api'. */
  origin: Generated<string>;
}

export interface ChannelsTable {
  id: string;
  name: string;
  /** webhook, slack, teams, discord, googlechat, alertmanager, email. */
  kind: string;
  /** 1 when the channel applies to every token that names no channels of its own. */
  is_default: number;
  /** Kind-specific settings (JSON): URL, signing secret, recipients. Never shown in full. */
  config: string;
  created_at: string;
  /** JSON: which alerts the channel takes (minimum severity, token tags and kinds); {} takes all. */
  filters: Generated<string>;
}

/** The channels a token named at creation. */
export interface TokenChannelsTable {
  token_id: string;
  channel_id: string;
}

/**
 * One alert: the first hit of a grouping key (token + who) and the hits folded into it within
 * its window. Token kind and memo are copied so the alert still reads well if the token goes.
 */
export interface AlertsTable {
  id: string;
  token_id: string;
  token_kind: string;
  token_memo: string;
  /** SHA-256 (hex) of the grouping key: token, source and user agent, or binary and uid. */
  group_key: string;
  source: string;
  user_agent: string | null;
  first_hit_id: string;
  first_hit_at: string;
  last_hit_at: string;
  /** Hits in this alert, the first included. */
  hit_count: number;
  window_start: string;
  window_end: string;
  /** 1 once a digest delivery per channel has been scheduled for the window's end. */
  digest_scheduled: number;
  /** Set when the digest is first claimed: no hit folds in after that. */
  closed_at: string | null;
  /**
   * For a token's digest alert (the hits of grouping keys beyond the token's alert cap in a window):
   * how many distinct keys folded in. 0 for an ordinary alert.
   */
  folded_keys: number;
  created_at: string;
}

/** The outbox: one row per (alert, channel, purpose), written in the hit's transaction. */
export interface DeliveriesTable {
  id: string;
  alert_id: string;
  channel_id: string;
  channel_kind: string;
  /** 'alert' (the first hit) or 'digest' (hits folded in during the window). */
  purpose: string;
  /** pending, sending (claimed; next_attempt_at is the lease end), delivered, dead. */
  state: string;
  attempts: number;
  /** When the row may next be claimed: the retry time, or the end of a claim's lease. */
  next_attempt_at: string;
  /** After this, a failed attempt moves the row to dead instead of retrying. */
  give_up_at: string;
  /** Random id of the claim that owns the row, so a lapsed claim cannot finish another's. */
  claim_id: string | null;
  claimed_by: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

/** An enrolled host agent; its id is the id of its API key (role agent). */
export interface AgentsTable {
  id: string;
  name: string;
  /** The node name fixed at enrolment: the only one this agent's events and heartbeats may claim. */
  enrolled_node: string;
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
  /** JSON: the copies of container decoys it planted (DecoyCopyReport[]). */
  container_decoys: string;
  events_accepted: number;
  created_at: string;
  /** JSON {key: value}: set at enrolment or by `agent label`; central policies target them. */
  labels: Generated<string>;
  /** The heartbeat interval the agent reports; null for agents older than the report. */
  heartbeat_ms: number | null;
  /** 'unknown' (no heartbeat yet), 'alive', 'silent' (missed its heartbeats), 'stopped' (said so). */
  liveness: Generated<string>;
  /** When the agent last went silent or stopped: how long it was gone is told when it returns. */
  liveness_at: string | null;
  /** 1 when its last heartbeat said it was stopping (SIGTERM). */
  stopping: Generated<number>;
}

/** A TracingPolicy the server hands to the agents its target names. */
export interface FleetPoliciesTable {
  name: string;
  /** The YAML document as applied. */
  document: string;
  /** JSON {agents: string[], labels: {k: v}}: both empty means every agent. */
  target: string;
  /** The policy set's version when this row last changed. */
  version: number;
  /** 1 once deleted: kept so the set's version moves and agents drop it. */
  deleted: number;
  created_at: string;
  updated_at: string;
}

/** A decoy an agent reported watching, and whether it still does. */
export interface AgentDecoysTable {
  agent_id: string;
  path: string;
  token_id: string | null;
  inode: string | null;
  /** The container id of a container decoy copy; '' for a decoy on the host. */
  container: string;
  /** The copy's pod, "namespace/name"; null on the host. */
  pod: string | null;
  container_name: string | null;
  /** The ContainerDecoy this is a copy of; null on the host. */
  decoy: string | null;
  /**
   * 'watched', 'missing' (gone without being withdrawn), 'withdrawn' (its policy or container
   * went) or 'unplanted' (a container copy the agent could not plant).
   */
  state: string;
  error: string | null;
  first_seen_at: string;
  last_verified_at: string | null;
  updated_at: string;
}

/** A key that names a token to a listener that never sees its id (an SSH or WireGuard public key). */
export interface TokenKeysTable {
  /** "<scheme>:<key>", e.g. "ssh:SHA256:..." or "wireguard:<base64 public key>". */
  key: string;
  token_id: string;
}

/** A listener's own long-lived private key (SSH host key, WireGuard static key), shared by every server on the store. */
export interface ListenerKeysTable {
  /** "ssh-host", "wireguard". */
  name: string;
  private_key: string;
  created_at: string;
}

/** A certificate obtained by ACME, shared by every replica; the newest order replaces the row. */
export interface TlsCertificatesTable {
  /** Names the ACME directory and the domains (see certificateId). */
  id: string;
  /** JSON array of the names ordered. */
  domains: string;
  /** The leaf and its chain. */
  cert_pem: string;
  key_pem: string;
  not_before: string;
  not_after: string;
  updated_at: string;
}

/** The ACME account per directory: its key signs every order. */
export interface AcmeAccountsTable {
  directory: string;
  email: string;
  key_pem: string;
  url: string | null;
  created_at: string;
}

/** Answers to pending ACME challenges: "http:<token>" → key authorization, "dns:<name>" → TXT value. */
export interface AcmeChallengesTable {
  name: string;
  value: string;
  expires_at: string;
}

/** Who may order now: one row per certificate, held until expires_at. */
export interface AcmeLeasesTable {
  name: string;
  holder: string;
  expires_at: string;
}

export interface MigrationsOwnTable {
  // Kysely keeps its own bookkeeping tables; declared here only so the type is complete.
  name: Generated<string>;
}

export interface Database {
  tokens: TokensTable;
  hits: HitsTable;
  hit_counts: HitCountsTable;
  hit_hours: HitHoursTable;
  hit_source_counts: HitSourceCountsTable;
  alert_folded_keys: AlertFoldedKeysTable;
  api_keys: ApiKeysTable;
  channels: ChannelsTable;
  token_channels: TokenChannelsTable;
  alerts: AlertsTable;
  deliveries: DeliveriesTable;
  agents: AgentsTable;
  fleet_policies: FleetPoliciesTable;
  agent_decoys: AgentDecoysTable;
  noise_rules: NoiseRulesTable;
  token_tags: TokenTagsTable;
  token_keys: TokenKeysTable;
  listener_keys: ListenerKeysTable;
  tls_certificates: TlsCertificatesTable;
  acme_accounts: AcmeAccountsTable;
  acme_challenges: AcmeChallengesTable;
  acme_leases: AcmeLeasesTable;
}

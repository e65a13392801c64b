/**
 * What an agent reports to the server (POST /api/v1/agents/events and /heartbeat): the one
 * definition both sides build on, as zod schemas with their types inferred. The agent builds
 * values of these types; the server parses every request with the schemas, field by field: an
 * agent key is a credential that may be stolen, so nothing it sends is stored unchecked. Types
 * and required fields are strict; keys this server does not know are dropped rather than refused,
 * so an agent newer than its server still delivers what the server knows. Sizes are generous (the
 * agent reports real command lines); the body limit bounds the total.
 */
import { z } from 'zod';
import { decoyCopySchema, fileObservationSchema } from './file-event.js';
import { instant, PATH_MAX, text } from './model/fields.js';

/** Events per POST /agents/events; an agent with more sends several batches. */
export const MAX_EVENTS_PER_BATCH = 1000;
/** Body limit of an event batch: a full batch of events with long command lines. */
export const AGENT_EVENTS_BODY_LIMIT = 4 * 1024 * 1024;
/** Body limit of a heartbeat: the agent's policy files and watched paths. */
export const AGENT_HEARTBEAT_BODY_LIMIT = 64 * 1024;
/** A host name's limit (RFC 1035), for the node names agents report and are enrolled with. */
export const MAX_NODE_NAME = 253;
/** Hit ids are newRowId()s: 26 Crockford base32 characters, time first. */
export const ROW_ID = /^[0-9a-hjkmnp-tv-z]{26}$/;

/** How far ahead of the server's clock an event's time may be before the event is refused. */
export const MAX_EVENT_CLOCK_AHEAD_MS = 5 * 60_000;

export const agentEventSchema = fileObservationSchema
  .extend({
    /** newRowId(): unique; the server drops a repeated id, so sending again is always safe. */
    id: z
      .string()
      .transform((value) => value.toLowerCase())
      .refine((value) => ROW_ID.test(value), { message: 'must be a row id (26 Crockford base32 characters, from newRowId())' }),
    tokenId: text(64),
    /** Set when the event stands for a GetUrl of this server's trigger URL for the token, which
     * the agent reported instead of fetching (agent/own-trigger.ts): the web bug's one hit. */
    getUrl: text(4096).optional(),
  })
  .refine((event) => (event.access === undefined) !== (event.tamper === undefined), {
    message: 'an event carries exactly one of access and tamper',
    path: ['access'],
  });
export type AgentEvent = z.infer<typeof agentEventSchema>;

export const eventsBodySchema = z.object({
  events: z.array(agentEventSchema).min(1).max(MAX_EVENTS_PER_BATCH, `at most ${MAX_EVENTS_PER_BATCH} events per batch`),
});

export interface EventsResponse {
  accepted: number;
  duplicates: number;
  /** Events for unknown, disabled or non-file tokens: acknowledged, not stored. */
  ignored: number;
}

export const policyFileReportSchema = z.object({
  file: text(PATH_MAX),
  name: text(253).nullable(),
  ok: z.boolean(),
  /** PolicyError.format() lines. */
  errors: z.array(text(4096)).max(1000),
  warnings: z.array(text(4096)).max(1000),
  /**
   * The tokens this policy reports for: its tripline/token label and the web-bug ids in its
   * GetUrl URLs. The server takes events only for tokens a loaded policy names. Label values as
   * written (a label need not be id-shaped). Absent from agents older than this field; their
   * `watched[].tokenId` still names the labelled tokens.
   */
  tokenIds: z.array(text(253)).max(256).optional(),
});
export type PolicyFileReport = z.infer<typeof policyFileReportSchema>;

export const watchReportSchema = z.object({
  path: text(PATH_MAX),
  tokenId: text(64).nullable(),
  ok: z.boolean(),
  error: text(4096).optional(),
  /** "dev:ino" of the decoy when watched: the server's decoy inventory shows it. */
  inode: text(64).optional(),
  /**
   * Set when the agent saw the change that made the decoy not ok (deleted, renamed away, cut off
   * from its path) and reported it as a tamper event: the server then raises no second hit for it.
   */
  tamperReported: z.boolean().optional(),
});
export type WatchReport = z.infer<typeof watchReportSchema>;

/** One copy of a container decoy: where the agent planted it and whether it is watched. */
export const decoyCopyReportSchema = decoyCopySchema.extend({
  tokenId: text(253).nullable(),
  node: text(MAX_NODE_NAME),
  inode: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable(),
  state: z.enum(['planted', 'refused', 'failed']),
  error: text(4096).optional(),
});
export type DecoyCopyReport = z.infer<typeof decoyCopyReportSchema>;

export const heartbeatSchema = z.object({
  /** Must be the node name the agent was enrolled with; the server refuses any other. */
  node: z.string().min(1).max(MAX_NODE_NAME),
  version: text(64),
  startedAt: instant,
  policies: z.array(policyFileReportSchema).max(10_000),
  watched: z.array(watchReportSchema).max(100_000),
  /** Copies of container decoys on this node; absent from agents without container support. */
  containerDecoys: z.array(decoyCopyReportSchema).max(100_000).optional(),
  /** The agent's heartbeat interval: the server counts silence in these. Absent from older agents. */
  intervalMs: z
    .number()
    .int()
    .min(100)
    .max(24 * 3600_000)
    .optional(),
  /** The agent's last heartbeat before a clean stop (SIGTERM): its silence is not a loss. */
  stopping: z.boolean().optional(),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

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

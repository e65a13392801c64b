import { z } from 'zod';

/**
 * The wire contract of the agent endpoints (POST /api/v1/agents/events and /heartbeat), checked
 * field by field: an agent key is a credential that may be stolen, so nothing it sends is stored
 * unchecked. Types and required fields are strict; keys this server does not know are dropped
 * rather than refused, so an agent newer than its server still delivers what the server knows.
 * Sizes are generous (the agent reports real command lines); the body limit bounds the total.
 */

/** Events per POST /agents/events; an agent with more sends several batches. */
export const MAX_EVENTS_PER_BATCH = 1000;
/** Body limit of an event batch: a full batch of events with long command lines. */
export const AGENT_EVENTS_BODY_LIMIT = 4 * 1024 * 1024;
/** Body limit of a heartbeat: the agent's policy files and watched paths. */
export const AGENT_HEARTBEAT_BODY_LIMIT = 64 * 1024;

const PATH_MAX = 4096;
/** A host name's limit (RFC 1035), for the node names agents report and are enrolled with. */
export const MAX_NODE_NAME = 253;
const ARG_MAX = 32 * 1024;
/** Hit ids are newRowId()s: 26 Crockford base32 characters, time first. */
export const ROW_ID = /^[0-9a-hjkmnp-tv-z]{26}$/;

const text = (max: number) => z.string().max(max);
const count = z.number().int().min(0).max(2 ** 32);

/** An ISO 8601 instant with a zone, returned in the store's fixed-width UTC form. */
const instant = z
  .string()
  .max(40)
  .refine((value) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value)), {
    message: 'must be an ISO 8601 time with a zone, e.g. 2025-01-31T12:00:00.000Z',
  })
  .transform((value) => new Date(value).toISOString());

const processInfo = z.object({
  pid: count,
  tid: count.optional(),
  // -1: the process was gone before the sensor could read it; the access still counts.
  uid: z.number().int().min(-1).max(2 ** 32),
  auid: count.nullable(),
  binary: text(PATH_MAX),
  arguments: z.array(text(ARG_MAX)).max(4096),
  cwd: text(PATH_MAX),
  startTime: text(40),
  execId: text(512),
  containerId: text(256).nullable(),
  cgroup: text(PATH_MAX),
});

const accessEvent = z.object({
  time: instant,
  access: z.enum(['open', 'read', 'write', 'truncate', 'mmap', 'exec']),
  path: text(PATH_MAX),
  dev: count,
  ino: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  permission: z.boolean(),
  process: processInfo,
  parent: processInfo.nullable(),
});

const tamperEvent = z.object({
  time: instant,
  path: text(PATH_MAX),
  change: z.enum(['deleted', 'renamed', 'replaced', 'mode_changed', 'modified']),
  process: processInfo.nullable(),
});

export const agentEvent = z
  .object({
    id: z
      .string()
      .transform((value) => value.toLowerCase())
      .refine((value) => ROW_ID.test(value), { message: 'must be a row id (26 Crockford base32 characters, from newRowId())' }),
    tokenId: text(64),
    node: z.string().min(1).max(MAX_NODE_NAME),
    policy: text(253).nullable(),
    hook: text(128).nullable(),
    actions: z.array(text(32)).max(16),
    access: accessEvent.optional(),
    tamper: tamperEvent.optional(),
  })
  .refine((event) => (event.access === undefined) !== (event.tamper === undefined), {
    message: 'an event carries exactly one of access and tamper',
    path: ['access'],
  });

export const eventsBody = z.object({
  events: z.array(agentEvent).min(1).max(MAX_EVENTS_PER_BATCH, `at most ${MAX_EVENTS_PER_BATCH} events per batch`),
});

export const heartbeatBody = z.object({
  node: z.string().min(1).max(MAX_NODE_NAME),
  version: text(64),
  startedAt: instant,
  policies: z
    .array(
      z.object({
        file: text(PATH_MAX),
        name: text(253).nullable(),
        ok: z.boolean(),
        errors: z.array(text(4096)).max(1000),
        warnings: z.array(text(4096)).max(1000),
        // Label values as written (a label need not be id-shaped); absent from older agents.
        tokenIds: z.array(text(253)).max(256).optional(),
      }),
    )
    .max(10_000),
  watched: z
    .array(
      z.object({
        path: text(PATH_MAX),
        tokenId: text(64).nullable(),
        ok: z.boolean(),
        error: text(4096).optional(),
      }),
    )
    .max(100_000),
});

export type AgentEventInput = z.infer<typeof agentEvent>;
export type HeartbeatInput = z.infer<typeof heartbeatBody>;

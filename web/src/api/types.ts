/**
 * The REST API's JSON as the dashboard reads it. Where the server names the shape, its type is
 * imported (type-only: nothing of the server reaches the bundle), so a change to an API view
 * breaks the dashboard's typecheck instead of the dashboard.
 */

import type { ChannelView } from '../../../src/alerts/channel-service.js';
import type { AgentView } from '../../../src/server/api/agents.js';
import type { ApiKey, KeyRole } from '../../../src/store/repositories/api-keys.js';

export type { AlertView as Alert, DeliveryView as Delivery } from '../../../src/alerts/alert-service.js';
export type { ChannelTestResult, ChannelView as Channel } from '../../../src/alerts/channel-service.js';
export type { AgentView as Agent } from '../../../src/server/api/agents.js';
export type { ApiKey, KeyRole } from '../../../src/store/repositories/api-keys.js';
export type { TokenKindInfo } from '../../../src/server/api/token-kinds.js';
/** Events on GET /api/v1/events. */
export type { LiveEventFrame as LiveEvent } from '../../../src/server/api/events.js';
export type { Page } from '../../../src/store/paging.js';
export type { PolicyFileReport as AgentPolicyStatus, WatchReport as AgentWatchStatus } from '../../../src/core/agent-protocol.js';
export type { DeliveryState } from '../../../src/store/repositories/deliveries.js';
/** Hits as the API and the live stream send them: with the summary and facts their kind describes. */
export type { HitView as Hit } from '../../../src/core/model/hit.js';
export type { Artifact, TokenOptionField } from '../../../src/tokens/kind.js';
export type { TokenView as Token } from '../../../src/tokens/service.js';

export type ArtifactFile = NonNullable<import('../../../src/tokens/kind.js').Artifact['file']>;

// Shapes the server builds inline, without a type of its own.

/** GET /tokens/:id/histogram. */
export interface Histogram {
  bucket: 'hour' | 'day';
  series: HistogramBucket[];
}

export interface HistogramBucket {
  /** ISO prefix in UTC: 2025-01-31T13 for hours, 2025-01-31 for days. */
  bucket: string;
  count: number;
}

/** GET /channels: the channels and the kinds this server can deliver to. */
export interface ChannelList {
  items: ChannelView[];
  kinds: string[];
}

/** GET /agents. */
export interface AgentList {
  items: AgentView[];
  onlineWindowSeconds: number;
}

/** GET /keys. */
export interface KeyList {
  items: ApiKey[];
  roles: KeyRole[];
}

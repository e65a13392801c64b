/**
 * The REST API's JSON as the dashboard reads it. Where the server names the shape, its type is
 * imported (type-only: nothing of the server reaches the bundle), so a change to an API view
 * breaks the dashboard's typecheck instead of the dashboard.
 */

import type { AgentView } from '../../../src/server/api/agents.js';
import type { Page } from '../../../src/store/paging.js';
import type { Hit } from '../../../src/store/repositories/hits.js';
import type { Artifact } from '../../../src/tokens/kind.js';

export type { Artifact, Hit, Page };
export type { TokenKindInfo } from '../../../src/server/api/token-kinds.js';
export type { TokenOptionField } from '../../../src/tokens/kind.js';
export type { TokenView as Token } from '../../../src/tokens/service.js';

export type ArtifactFile = NonNullable<Artifact['file']>;

export interface HistogramBucket {
  /** ISO prefix in UTC: 2025-01-31T13 for hours, 2025-01-31 for days. */
  bucket: string;
  count: number;
}

export interface Histogram {
  bucket: 'hour' | 'day';
  series: HistogramBucket[];
}

export interface Channel {
  id: string;
  name: string;
  kind: string;
  isDefault: boolean;
  settings: Record<string, unknown>;
  createdAt: string;
}

export interface ChannelList {
  items: Channel[];
  kinds: string[];
}

export interface ChannelTestResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}

export type DeliveryState = 'pending' | 'sending' | 'delivered' | 'dead';

export interface Delivery {
  id: string;
  alertId: string;
  channelId: string;
  channelKind: string;
  purpose: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: string | null;
  giveUpAt: string;
  lastStatus: number | null;
  lastError: string | null;
  claimedBy: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

export interface Alert {
  id: string;
  tokenId: string;
  tokenKind: string;
  tokenMemo: string;
  source: string;
  userAgent: string | null;
  firstHitId: string;
  firstHitAt: string;
  lastHitAt: string;
  hitCount: number;
  windowStart: string;
  windowEnd: string;
  closed: boolean;
  createdAt: string;
  deliveries: Delivery[];
}

/** Events on GET /api/v1/events. */
export type { LiveEvent } from '../../../src/server/live-events.js';

export type { AgentView as Agent } from '../../../src/server/api/agents.js';
export type { AgentPolicyStatus, AgentWatchStatus } from '../../../src/store/repositories/agents.js';

export interface AgentList {
  items: AgentView[];
  onlineWindowSeconds: number;
}

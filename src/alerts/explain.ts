import type { Mute } from '../core/model/noise.js';
import { DEFAULT_TOKEN_SEVERITY } from '../core/model/token.js';
import type { Db } from '../store/db.js';
import { AlertRepository } from '../store/repositories/alerts.js';
import { ChannelRepository } from '../store/repositories/channels.js';
import { DeliveryRepository } from '../store/repositories/deliveries.js';
import { HitRepository } from '../store/repositories/hits.js';
import { TokenRepository } from '../store/repositories/tokens.js';
import { filteredOut, parseFilters } from './channel-filters.js';
import { digestKey, groupKey } from './group-key.js';

export interface ChannelVerdict {
  id: string;
  name: string;
  kind: string;
  /** Null when the channel takes the token's alerts; else why its filters keep them off. */
  filteredOut: string | null;
  /** The alert's deliveries to this channel: purpose and state. */
  deliveries: { purpose: string; state: string }[];
}

/** Why a hit did or did not alert, for `tripline hit explain` and the dashboard. */
export interface HitExplanation {
  hitId: string;
  tokenId: string;
  alerted: boolean;
  /** The noise rule that muted it, as it stood when the hit was recorded. */
  mutedBy: Mute | null;
  /** The alert it opened or folded into. */
  alert: { id: string; opened: boolean; hitCount: number; digest: boolean } | null;
  /** The token's channels now, with what their filters say about its alerts. */
  channels: ChannelVerdict[];
  /** The same, in sentences, most important first. */
  reasons: string[];
}

function describeMute(mute: Mute): string {
  const scope = mute.scope === 'global' ? 'global' : "token's own";
  const what =
    mute.kind === 'known-scanners' ? `known-scanners rule (the user agent is ${mute.matched ?? 'a listed scanner'}'s)` : `${mute.kind} rule ${mute.pattern}`;
  return `muted by the ${scope} ${what}, rule ${mute.ruleId}${mute.note ? `: ${mute.note}` : ''}; stored and counted, no alert`;
}

/** Reads what the store holds about a hit and says why it did or did not alert. */
export async function explainHit(db: Db, hitId: string): Promise<HitExplanation> {
  const hit = await new HitRepository(db).get(hitId);
  const token = await new TokenRepository(db).find(hit.tokenId);
  const reasons: string[] = [];
  const channels: ChannelVerdict[] = [];
  const alert = hit.mutedBy ? undefined : await new AlertRepository(db).forHit(hit, [groupKey(hit), digestKey(hit.tokenId)]);
  const deliveries = alert ? await new DeliveryRepository(db).forAlerts([alert.id]) : [];

  if (hit.mutedBy) reasons.push(describeMute(hit.mutedBy));
  if (!token) reasons.push('its token has been deleted since');
  else {
    const repository = new ChannelRepository(db);
    const facts = { kind: token.kind, severity: token.severity ?? DEFAULT_TOKEN_SEVERITY, tags: token.tags ?? [] };
    for (const target of await repository.targetsForToken(token.id)) {
      const channel = await repository.get(target.id);
      const reason = filteredOut(parseFilters(target.filters), facts);
      channels.push({
        id: channel.id,
        name: channel.name,
        kind: channel.kind,
        filteredOut: reason,
        deliveries: deliveries.filter((d) => d.channelId === channel.id).map((d) => ({ purpose: d.purpose, state: d.state })),
      });
    }
  }
  if (alert) {
    const digest = alert.groupKey === digestKey(hit.tokenId);
    reasons.push(
      alert.firstHitId === hit.id
        ? `opened alert ${alert.id}`
        : `folded into ${digest ? "the token's digest alert" : 'alert'} ${alert.id} (${alert.hitCount} hits in its window): counted in its digest, no alert of its own`,
    );
    if (channels.length === 0) reasons.push('the token has no channels and no default channel exists: the alert went nowhere');
    for (const channel of channels) {
      if (channel.filteredOut) reasons.push(`channel ${channel.name} (${channel.id}) skipped: ${channel.filteredOut}`);
      else if (channel.deliveries.length > 0)
        reasons.push(`channel ${channel.name} (${channel.id}): ${channel.deliveries.map((d) => `${d.purpose} ${d.state}`).join(', ')}`);
      else reasons.push(`channel ${channel.name} (${channel.id}) takes it but has no delivery of this alert (added or changed since)`);
    }
  } else if (!hit.mutedBy && token) {
    reasons.push('no alert holds it: the alert decision failed for it (see the server log), or the alert has been removed');
  }
  return {
    hitId: hit.id,
    tokenId: hit.tokenId,
    alerted: alert !== undefined && alert.firstHitId === hit.id,
    mutedBy: hit.mutedBy ?? null,
    alert: alert ? { id: alert.id, opened: alert.firstHitId === hit.id, hitCount: alert.hitCount, digest: alert.groupKey === digestKey(hit.tokenId) } : null,
    channels,
    reasons,
  };
}

import { ValidationError } from '../../core/errors.js';
import { alertmanagerChannel } from './alertmanager.js';
import { discordChannel } from './discord.js';
import { emailChannel } from './email.js';
import { googleChatChannel } from './googlechat.js';
import type { ChannelKind } from './kind.js';
import { elasticsearchChannel } from './elasticsearch.js';
import { mattermostChannel } from './mattermost.js';
import { otlpChannel } from './otlp.js';
import { pagerdutyChannel } from './pagerduty.js';
import { slackChannel } from './slack.js';
import { splunkChannel } from './splunk.js';
import { teamsWorkflowChannel } from './teams-workflow.js';
import { telegramChannel } from './telegram.js';
import { syslogChannel } from './syslog.js';
import { teamsChannel } from './teams.js';
import { webhookChannel } from './webhook.js';

const kinds = new Map<string, ChannelKind>(
  [
    webhookChannel,
    slackChannel,
    teamsChannel,
    discordChannel,
    googleChatChannel,
    alertmanagerChannel,
    emailChannel,
    syslogChannel,
    splunkChannel,
    elasticsearchChannel,
    pagerdutyChannel,
    mattermostChannel,
    telegramChannel,
    teamsWorkflowChannel,
    otlpChannel,
  ].map((k) => [k.kind, k]),
);

export const CHANNEL_KINDS = [...kinds.keys()];

export function channelKinds(): ChannelKind[] {
  return [...kinds.values()];
}

export function channelKind(kind: string): ChannelKind {
  const found = kinds.get(kind);
  if (!found) throw new ValidationError(`unknown channel kind "${kind}"; known kinds: ${CHANNEL_KINDS.join(', ')}`, { field: 'kind' });
  return found;
}

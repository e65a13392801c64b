import { escapeSlack, truncate, visibleText } from '../escape.js';
import { headline, hitFacts, summary } from '../facts.js';
import type { AlertMessage } from '../message.js';
import { httpChannel } from './http-channel.js';

// Slack's limits: 10 fields per section, 2000 characters per field, 3000 per text, 150 per header.
const MAX_FIELDS = 10;

function mrkdwn(text: string, max = 2900): string {
  return truncate(escapeSlack(visibleText(text, true)), max);
}

/** Long evidence in a code block; a run of backticks in it would end the block, so it is broken. */
function codeBlock(text: string): string {
  return `\`\`\`${mrkdwn(text.replace(/```/g, '`\u200b`\u200b`'), 2800)}\`\`\``;
}

export function slackPayload(message: AlertMessage): unknown {
  const title = headline(message);
  const facts = hitFacts(message.firstHit);
  const short = facts.filter((f) => !f.long).slice(0, MAX_FIELDS);
  const long = facts.filter((f) => f.long);
  const count = message.purpose === 'digest' ? `${message.hitCount} hits in all` : `hit count ${message.hitCount}`;
  return {
    text: mrkdwn(`${title} (${summary(message)})`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(visibleText(title), 150), emoji: false } },
      { type: 'section', text: { type: 'mrkdwn', text: mrkdwn(summary(message)) } },
      { type: 'section', fields: short.map((f) => ({ type: 'mrkdwn', text: `*${mrkdwn(f.label, 100)}*\n${mrkdwn(f.value, 1800)}` })) },
      ...long.map((f) => ({ type: 'section', text: { type: 'mrkdwn', text: `*${mrkdwn(f.label, 100)}*\n${codeBlock(f.value)}` } })),
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `<${escapeSlack(message.link)}|Open the token in Tripline> · ${mrkdwn(message.token.kind, 50)} token \`${mrkdwn(message.token.id, 60)}\` · ${count} · alert ${mrkdwn(message.alertId, 60)}`,
          },
        ],
      },
    ],
  };
}

/** Slack incoming webhook: fallback text plus Block Kit blocks. */
export const slackChannel = httpChannel({ kind: 'slack', title: 'Slack incoming webhook', render: slackPayload });

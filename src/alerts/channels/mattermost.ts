import { escapeMarkdown, oneLine, truncate, visibleText } from '../escape.js';
import { headline, hitFacts, summary } from '../facts.js';
import type { AlertMessage } from '../message.js';
import { httpChannel } from './http-channel.js';
import { parseJson, textAt } from './service-answer.js';

/**
 * Mattermost Markdown for attacker text: Markdown escaped, and every @ followed by a zero-width
 * space, so `@channel`, `@all`, `@here` or a user's name notifies no one.
 */
export function escapeMattermost(text: string, max = 2000): string {
  return truncate(escapeMarkdown(visibleText(text, true)).replace(/@/g, '@\u200b'), max);
}

/**
 * Mattermost takes Slack's incoming-webhook shape but not Block Kit: the message is Markdown
 * `text` (links as [text](url), not <url|text>) with one Slack-style attachment holding the facts
 * as fields. Mattermost's limit is 16383 characters a post; the fields stay well under it.
 */
export function mattermostPayload(message: AlertMessage): unknown {
  const title = headline(message);
  const facts = hitFacts(message.firstHit);
  return {
    text: `#### ${escapeMattermost(title, 300)}\n${escapeMattermost(summary(message), 3000)}`,
    attachments: [
      {
        fallback: oneLine(`${title}: ${summary(message)}`, 500).replace(/@/g, '@\u200b'),
        color: message.purpose === 'test' ? '#1e88e5' : '#d32f2f',
        title: 'Open the token in Tripline',
        title_link: message.link,
        fields: [
          ...facts.map((f) => ({
            title: oneLine(f.label, 100),
            value: f.long ? `\`\`\`\n${escapeMattermost(f.value.replace(/```/g, '`\u200b`\u200b`'), 3000)}\n\`\`\`` : escapeMattermost(f.value),
            short: !f.long,
          })),
          { title: 'Hits', value: String(message.hitCount), short: true },
          { title: 'Token', value: escapeMattermost(`${message.token.kind} ${message.token.id}`, 200), short: true },
        ],
        footer: oneLine(`Tripline alert ${message.alertId}`, 100),
      },
    ],
  };
}

/** Mattermost incoming webhook (the URL carries its secret). */
export const mattermostChannel = httpChannel({
  kind: 'mattermost',
  title: 'Mattermost incoming webhook',
  render: mattermostPayload,
  // Errors are {"id": "...", "message": "...", "status_code": 400}.
  api: { reason: (text) => textAt(parseJson(text), ['message']) },
});

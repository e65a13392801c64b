import { escapeMarkdown, truncate, visibleText } from '../escape.js';
import { headline, hitFacts, summary } from '../facts.js';
import type { AlertMessage } from '../message.js';
import { httpChannel } from './http-channel.js';

// Discord's embed limits.
const MAX_FIELDS = 25;
const FIELD_NAME = 256;
const FIELD_VALUE = 1024;

function md(text: string, max: number): string {
  return truncate(escapeMarkdown(visibleText(text, true)), max);
}

export function discordPayload(message: AlertMessage): unknown {
  const facts = hitFacts(message.firstHit).slice(0, MAX_FIELDS - 1);
  return {
    content: md(headline(message), 2000),
    // Attacker text such as "@everyone" must never ping anyone.
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: md(headline(message), 256),
        description: md(summary(message), 4096),
        url: message.link,
        color: message.purpose === 'digest' ? 0xf29900 : 0xd93025,
        timestamp: message.firstHit.at,
        fields: [
          ...facts.map((f) => ({ name: md(f.label, FIELD_NAME), value: md(f.value, FIELD_VALUE) || '-', inline: !f.long })),
          { name: 'Hits', value: String(message.hitCount), inline: true },
        ],
        footer: { text: truncate(`Tripline · ${message.token.kind} token ${message.token.id} · alert ${message.alertId}`, 2048) },
      },
    ],
  };
}

/** Discord webhook: one embed per alert, mentions disabled. */
export const discordChannel = httpChannel({ kind: 'discord', title: 'Discord webhook (embed)', render: discordPayload });

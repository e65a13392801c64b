import { escapeMarkdown, truncate, visibleText } from '../escape.js';
import { headline, hitFacts, summary } from '../facts.js';
import type { AlertMessage } from '../message.js';
import { httpChannel } from './http-channel.js';

function md(text: string, max = 2000): string {
  return truncate(escapeMarkdown(visibleText(text, true)), max);
}

/** A Teams message carrying one Adaptive Card (Workflows / incoming webhook format). */
export function teamsPayload(message: AlertMessage): unknown {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body: [
            { type: 'TextBlock', size: 'Large', weight: 'Bolder', color: 'Attention', wrap: true, text: md(headline(message), 300) },
            { type: 'TextBlock', wrap: true, text: md(summary(message)) },
            {
              type: 'FactSet',
              facts: [
                ...hitFacts(message.firstHit).map((f) => ({ title: md(f.label, 100), value: md(f.value) })),
                { title: 'Hits', value: String(message.hitCount) },
                { title: 'Token', value: md(`${message.token.kind} ${message.token.id}`, 200) },
              ],
            },
          ],
          actions: [{ type: 'Action.OpenUrl', title: 'Open in Tripline', url: message.link }],
        },
      },
    ],
  };
}

/** Microsoft Teams: an Adaptive Card message to a Workflows or incoming-webhook URL. */
export const teamsChannel = httpChannel({ kind: 'teams', title: 'Microsoft Teams (Adaptive Card)', render: teamsPayload });

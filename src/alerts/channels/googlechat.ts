import { escapeHtml, oneLine, truncate, visibleText } from '../escape.js';
import { headline, hitFacts, summary } from '../facts.js';
import type { AlertMessage } from '../message.js';
import { httpChannel } from './http-channel.js';

function html(text: string, max = 2000): string {
  return escapeHtml(truncate(visibleText(text, true), max)).replace(/\n/g, '<br>');
}

export function googleChatPayload(message: AlertMessage): unknown {
  return {
    // The plain text line also shows in notifications; <…> would be read as a link or mention.
    text: oneLine(headline(message), 300).replace(/[<>]/g, ''),
    cardsV2: [
      {
        cardId: `tripline-${message.alertId}`,
        card: {
          header: { title: oneLine(headline(message), 200), subtitle: `Tripline · ${message.token.kind} token` },
          sections: [
            {
              widgets: [
                { textParagraph: { text: html(summary(message)) } },
                ...hitFacts(message.firstHit).map((f) => ({ decoratedText: { topLabel: html(f.label, 100), text: html(f.value), wrapText: true } })),
                { decoratedText: { topLabel: 'Hits', text: String(message.hitCount) } },
                { buttonList: { buttons: [{ text: 'Open in Tripline', onClick: { openLink: { url: message.link } } }] } },
              ],
            },
          ],
        },
      },
    ],
  };
}

/** Google Chat incoming webhook: a card (v2) with the evidence, plus a one-line text. */
export const googleChatChannel = httpChannel({ kind: 'googlechat', title: 'Google Chat incoming webhook (card)', render: googleChatPayload });

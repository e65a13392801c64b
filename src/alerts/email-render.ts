import { escapeHtml, oneLine, visibleText } from './escape.js';
import { headline, hitFacts, summary } from './facts.js';
import type { AlertMessage } from './message.js';

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** HTML text from plain text: escaped first, then line breaks made visible. */
function htmlText(text: string): string {
  return escapeHtml(visibleText(text, true)).replace(/\r?\n/g, '<br>\n');
}

/**
 * The alert as an email. Every value goes through escapeHtml on its way into the HTML part:
 * user agents, paths, headers and process arguments are the attacker's words.
 */
export function renderEmail(message: AlertMessage): EmailContent {
  const title = headline(message);
  const facts = [...hitFacts(message.firstHit), { label: 'Hits', value: String(message.hitCount) }];
  const text = [
    title,
    '',
    summary(message),
    '',
    ...facts.map((f) => (f.long ? `${f.label}:\n  ${f.value.replace(/\n/g, '\n  ')}` : `${f.label}: ${f.value}`)),
    '',
    `Token: ${message.token.kind} ${message.token.id}`,
    `Open in Tripline: ${message.link}`,
    `Alert: ${message.alertId}`,
  ]
    .map((line) => visibleText(line, true))
    .join('\n');
  const rows = facts
    .map(
      (f) =>
        `<tr><th style="text-align:left;vertical-align:top;padding:4px 12px 4px 0;white-space:nowrap">${htmlText(f.label)}</th>` +
        `<td style="padding:4px 0;font-family:monospace;word-break:break-all">${htmlText(f.value)}</td></tr>`,
    )
    .join('\n');
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(oneLine(title))}</title></head>
<body style="font-family:sans-serif;color:#202124">
<h2 style="color:#d93025">${htmlText(title)}</h2>
<p>${htmlText(summary(message))}</p>
<table style="border-collapse:collapse">
${rows}
</table>
<p><a href="${escapeHtml(message.link)}">Open the token in Tripline</a></p>
<p style="color:#5f6368;font-size:small">${escapeHtml(message.token.kind)} token ${escapeHtml(message.token.id)} · alert ${escapeHtml(message.alertId)}</p>
</body></html>
`;
  return { subject: `[Tripline] ${oneLine(title, 180)}`, text, html };
}

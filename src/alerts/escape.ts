import { visibleText } from '../core/visible-text.js';

export { visibleText };

/**
 * Escaping for every place attacker input (user agents, paths, headers, process arguments) ends
 * up in an alert. Each target has its own rules; values are escaped as they are inserted, never
 * before, so the plain text stays available for JSON and plain-text mail.
 */

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For HTML text and attribute values (email, Google Chat card text). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/** Slack mrkdwn: &, < and > are the control characters (links, mentions such as <!channel>). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Markdown as Discord and Teams read it: the characters that format, quote, head or build links
 * and images are backslashed. (Mentions are switched off per message where the channel allows.)
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_~|>[\]()#<!]/g, (c) => `\\${c}`);
}

/** Cuts text to at most `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** One line for a subject or a header: no line breaks, bounded. */
export function oneLine(text: string, max = 200): string {
  return truncate(visibleText(text.replace(/\r?\n/g, ' ')), max);
}

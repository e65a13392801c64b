/**
 * Attacker text (user agents, paths, headers, process arguments, file names) shown to a person
 * with every character that could hide or disguise it written out as `<U+XXXX>`: C0 and C1
 * controls (terminal escapes, fake line breaks), bidirectional embeddings, overrides and isolates
 * (which reorder what is shown, "exe.txt" that is really "txt.exe"), zero-width and invisible
 * characters, line and paragraph separators, and the byte order mark. This is the one home of
 * that rule: the CLI, the dashboard and chat messages all call it, each before its own format's
 * escaping.
 */

const ANY = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
// The same without tab and line feed, for multi-line text (a request body, a description).
const KEEPING_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

function codePoint(character: string): string {
  return `<U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`;
}

export function visibleText(text: string, keepLines = false): string {
  return text.replace(keepLines ? KEEPING_LINES : ANY, codePoint);
}

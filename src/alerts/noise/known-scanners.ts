/**
 * Services that open links on their own: chat apps building a preview, mail gateways checking a
 * link before the reader clicks it, search and social crawlers. Each is recognised by a piece of
 * its user agent, matched case-insensitively anywhere in the header. A noise rule of kind
 * `known-scanners` mutes their hits (docs/noise.md lists them for operators).
 *
 * A user agent is whatever the client says it is: an attacker may send one of these. That is why
 * the list is off until a rule turns it on, and why a muted hit is still stored and shown. Gateways
 * that imitate a browser (Safe Links detonation, some sandboxes) cannot be told by user agent:
 * mute them by address (cidr) or network (asn) instead.
 */
/** Text as a regular expression that matches exactly it. */
export function literalPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface KnownScanner {
  name: string;
  /** Pieces of the user agent, any one of which names the service. */
  userAgents: string[];
}

export const KNOWN_SCANNERS: readonly KnownScanner[] = [
  { name: 'Slack', userAgents: ['Slackbot-LinkExpanding', 'Slack-ImgProxy', 'Slackbot'] },
  { name: 'Microsoft Teams / Skype', userAgents: ['SkypeUriPreview', 'MicrosoftPreview'] },
  { name: 'Outlook and Office link previews', userAgents: ['OutlookMobileCloudService', 'Microsoft Office', 'ms-office', 'BingPreview'] },
  { name: 'Google', userAgents: ['Googlebot', 'Google-Safety', 'GoogleImageProxy', 'Google-PageRenderer', 'FeedFetcher-Google', 'Google-InspectionTool'] },
  { name: 'Proofpoint', userAgents: ['Proofpoint'] },
  { name: 'Mimecast', userAgents: ['Mimecast'] },
  { name: 'Barracuda', userAgents: ['Barracuda'] },
  { name: 'Facebook / Meta', userAgents: ['facebookexternalhit', 'Facebot', 'meta-externalagent'] },
  { name: 'X (Twitter)', userAgents: ['Twitterbot'] },
  { name: 'LinkedIn', userAgents: ['LinkedInBot'] },
  { name: 'Discord', userAgents: ['Discordbot'] },
  { name: 'Telegram', userAgents: ['TelegramBot'] },
  { name: 'WhatsApp', userAgents: ['WhatsApp'] },
  { name: 'Mattermost', userAgents: ['Mattermost-Bot'] },
  { name: 'Apple', userAgents: ['Applebot'] },
  { name: 'Bing', userAgents: ['bingbot'] },
  { name: 'Embedly / Iframely', userAgents: ['Embedly', 'Iframely'] },
];

/** Every listed piece in one expression: most user agents are none of these, and one test says so. */
const ANY_PIECE = new RegExp(KNOWN_SCANNERS.flatMap((scanner) => scanner.userAgents.map(literalPattern)).join('|'), 'i');
const LOWERED = KNOWN_SCANNERS.map((scanner) => ({ name: scanner.name, pieces: scanner.userAgents.map((piece) => piece.toLowerCase()) }));

/** The listed service whose user agent this is, if any. */
export function knownScanner(userAgent: string): string | undefined {
  if (!ANY_PIECE.test(userAgent)) return undefined;
  const lowered = userAgent.toLowerCase();
  return LOWERED.find((scanner) => scanner.pieces.some((piece) => lowered.includes(piece)))?.name;
}

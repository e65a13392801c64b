import type { Fact, Hit, HitDescription } from '../../core/model/hit.js';
import { describeByArrival } from '../hits/describe.js';
import { fact } from '../hits/fact.js';

/** Document readers recognised by their user agents, most specific first. */
const CLIENTS: { name: string; pattern: RegExp }[] = [
  { name: 'LibreOffice', pattern: /LibreOffice/i },
  { name: 'Microsoft Office', pattern: /Microsoft Office|MSOffice|ms-office|Microsoft-WebDAV|Word\/|Excel\//i },
  { name: 'Apple Quick Look', pattern: /QuickLook/i },
  { name: 'Google Docs preview', pattern: /GoogleDocs|apps-spreadsheets|docs\.google/i },
  { name: 'Subversion', pattern: /^SVN\//i },
];

/** Which document reader a user agent names, if any. */
export function officeClientOf(userAgent: string | null): string | null {
  if (userAgent === null) return null;
  return CLIENTS.find((client) => client.pattern.test(userAgent))?.name ?? null;
}

/** A hit described with the client its user agent names first: `summary` says what that client did. */
export function describeClientHit(hit: Hit, summary: (client: string) => string): HitDescription {
  const described = describeByArrival(hit);
  const client = officeClientOf(hit.userAgent);
  if (!client || hit.detail.type !== 'http') return described;
  const facts: Fact[] = [fact('Opened with', client), ...described.facts];
  return { summary: summary(client), facts };
}

/** A document's hit: the HTTP or DNS detail, with the reader that opened it named first. */
export function describeOfficeHit(hit: Hit): HitDescription {
  return describeClientHit(hit, (client) => `document opened with ${client}`);
}

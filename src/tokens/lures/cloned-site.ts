import { ValidationError } from '../../core/errors.js';
import type { Hit, HitDescription } from '../../core/model/hit.js';
import { describeByArrival } from '../hits/describe.js';
import { fact } from '../hits/fact.js';
import { dressedUrl, newDressing } from '../http.js';
import type { TokenKind, TokenOptions } from '../kind.js';

const HOST = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const MAX_HOSTS = 20;

/** The hosts the page is expected on: a comma- or space-separated list of host names. */
function expectedHosts(input: TokenOptions): string[] {
  const value = input.options?.hosts;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError('options.hosts is required: the host name(s) the real page is served from, e.g. login.example.com', { field: 'options.hosts' });
  }
  const hosts = [
    ...new Set(
      value
        .toLowerCase()
        .split(/[\s,]+/)
        .filter(Boolean),
    ),
  ];
  const bad = hosts.find((host) => !HOST.test(host));
  if (bad !== undefined || hosts.length > MAX_HOSTS) {
    throw new ValidationError(`options.hosts must be at most ${MAX_HOSTS} host names (letters, digits, "-" and "."), got ${JSON.stringify(bad ?? value)}`, {
      field: 'options.hosts',
    });
  }
  return hosts;
}

/**
 * The snippet: on any host but the expected ones it loads the token's URL as an image, with the
 * page's address and referrer in the query. Host names and URL are base64 so that a cloner
 * searching the page for its original domain does not find them.
 */
export function clonedSiteSnippet(url: string, hosts: string[]): string {
  const encoded = hosts.map((host) => `"${Buffer.from(host).toString('base64')}"`).join(',');
  const target = Buffer.from(`${url}?l=`).toString('base64');
  return `(function () {
  var k = [${encoded}], h = window.location.hostname.toLowerCase();
  for (var i = 0; i < k.length; i++) if (atob(k[i]) === h) return;
  new Image().src = atob("${target}") + encodeURIComponent(window.location.href) + "&r=" + encodeURIComponent(document.referrer);
})();
`;
}

/** The page's location and referrer a hit carries in its query; null when the query has neither. */
export function clonedPageOf(query: string): { location: string; referrer: string } | null {
  const params = new URLSearchParams(query);
  const location = params.get('l');
  if (location === null) return null;
  return { location, referrer: params.get('r') ?? '' };
}

function describeClonedSiteHit(hit: Hit): HitDescription {
  const described = describeByArrival(hit);
  const page = hit.detail.type === 'http' ? clonedPageOf(hit.detail.query) : null;
  if (!page) return described;
  let host = page.location;
  try {
    host = new URL(page.location).host;
  } catch {
    // Not a URL: the location as sent is the evidence.
  }
  return {
    summary: `page running on ${host}`,
    facts: [fact('Page location', page.location), fact('Referrer', page.referrer || '(none)'), ...described.facts],
  };
}

/** A script for a login page that fires when a copy of the page runs anywhere but on the expected hosts (a phishing clone). */
export const clonedSiteTokenKind: TokenKind = {
  kind: 'cloned-site',
  title: 'Cloned website: alerts when a copy of your page runs on another host',
  optionFields: [
    {
      name: 'hosts',
      label: 'Expected hosts',
      type: 'text',
      required: true,
      placeholder: 'login.example.com',
      help: 'Host names the real page is served from, comma-separated; anywhere else the snippet fires.',
    },
  ],
  prepare(_id, input) {
    return { ...newDressing(), hosts: expectedHosts(input) };
  },
  artifact(token, context) {
    const url = dressedUrl(token, context);
    const hosts = Array.isArray(token.config.hosts) ? token.config.hosts.filter((h): h is string => typeof h === 'string') : [];
    return {
      url,
      file: { name: 'analytics.js', content: clonedSiteSnippet(url, hosts), mode: 0o644 },
      usage: `Paste this script into a <script> element of your login page (served from ${hosts.join(', ')}); a copy of the page served from any other host fires the token with its address and referrer.`,
    };
  },
  describeHit: describeClonedSiteHit,
};

import type { Fact, Hit, HitDescription } from '../../core/model/hit.js';
import { describeByArrival } from '../hits/describe.js';
import { fact } from '../hits/fact.js';
import type { TriggerAnswer } from '../kind.js';

/** The query parameter the page sends the fingerprint back in; "0" when the browser ran no script. */
const PARAM = 'v';

/**
 * The page a fingerprinting redirect answers with: it reads what the browser tells any page
 * (screen, languages, time zone, platform, plugins), sends it back to the same URL, which answers
 * with the redirect, and calls nobody else. It is the same for every token and names none, so a
 * disabled token's page is the live one's to the byte.
 */
const PAGE = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta name="robots" content="noindex"><title>Loading…</title>
<noscript><meta http-equiv="refresh" content="0;url=?${PARAM}=0"></noscript></head>
<body><script>
(function () {
  var n = navigator, s = screen, d = {}, p = [];
  try { d.screen = s.width + "x" + s.height; d.depth = s.colorDepth; d.ratio = window.devicePixelRatio; } catch (e) {}
  try { d.language = n.language; d.languages = (n.languages || []).join(","); } catch (e) {}
  try { d.timezone = Intl.DateTimeFormat().resolvedOptions().timeZone; d.offset = new Date().getTimezoneOffset(); } catch (e) {}
  try { d.platform = n.platform; d.cores = n.hardwareConcurrency; d.memory = n.deviceMemory; d.touch = n.maxTouchPoints; d.webdriver = n.webdriver; } catch (e) {}
  try { for (var i = 0; i < n.plugins.length; i++) p.push(n.plugins[i].name); d.plugins = p.join(", "); } catch (e) {}
  var v = btoa(unescape(encodeURIComponent(JSON.stringify(d)))).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  location.replace(location.pathname + location.search + (location.search ? "&" : "?") + "${PARAM}=" + v);
})();
</script></body></html>
`;

export const FINGERPRINT_PAGE: TriggerAnswer = {
  status: 200,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store, no-cache, must-revalidate, max-age=0', 'x-robots-tag': 'noindex' },
  body: Buffer.from(PAGE, 'utf8'),
};

/** The fingerprint a request's query carries: the decoded fields, {} for a browser without script, undefined when there is none. */
export function fingerprintOf(query: string): Record<string, unknown> | undefined {
  const value = new URLSearchParams(query).get(PARAM);
  if (value === null) return undefined;
  if (value === '0') return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const FIELDS: [string, string][] = [
  ['screen', 'Screen'],
  ['depth', 'Colour depth'],
  ['ratio', 'Pixel ratio'],
  ['language', 'Language'],
  ['languages', 'Languages'],
  ['timezone', 'Time zone'],
  ['offset', 'UTC offset (minutes)'],
  ['platform', 'Platform'],
  ['cores', 'CPU cores'],
  ['memory', 'Memory (GiB)'],
  ['touch', 'Touch points'],
  ['webdriver', 'Automated (webdriver)'],
  ['plugins', 'Plugins'],
];

/** A web bug's hit, with the browser's fingerprint when the request carried one. */
export function describeFingerprintHit(hit: Hit): HitDescription {
  const described = describeByArrival(hit);
  const fingerprint = hit.detail.type === 'http' ? fingerprintOf(hit.detail.query) : undefined;
  if (!fingerprint) return described;
  const facts: Fact[] = [];
  for (const [key, label] of FIELDS) {
    const value = fingerprint[key];
    if (value !== undefined && value !== null && value !== '') facts.push(fact(label, String(value), key === 'plugins'));
  }
  if (facts.length === 0)
    return { summary: 'browser without JavaScript, redirected', facts: [fact('Fingerprint', 'none (no JavaScript)'), ...described.facts] };
  const brief = [fingerprint.platform, fingerprint.timezone, fingerprint.screen, fingerprint.language].filter((v) => typeof v === 'string' && v).join(', ');
  return { summary: `browser fingerprint: ${brief}`, facts: [...facts, ...described.facts] };
}

/** True when the request is the page's report (or its no-script fallback), which the redirect answers. */
export function carriesFingerprint(query: string): boolean {
  return new URLSearchParams(query).has(PARAM);
}

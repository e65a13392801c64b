import { randomInt } from 'node:crypto';
import { ValidationError } from '../core/errors.js';
import type { ArtifactContext, TokenKind } from './kind.js';
import { customImageAnswer, customImageOption } from './lures/custom-image.js';
import { carriesFingerprint, describeFingerprintHit, FINGERPRINT_PAGE } from './lures/fingerprint.js';

// Path pieces that make a trigger URL look like an ordinary asset; the server finds the id in any
// segment, so users may also dress the URL up themselves.
const LEADING = ['assets', 'static', 'images', 'img', 'media', 'content', 'cdn', 'files', 'api/v2', 'track'];
const TRAILING = ['logo.gif', 'pixel.png', 'banner.jpg', 'favicon.ico', 'index.html', 'status', 'view', 'image.png'];

function pick(list: string[]): string {
  return list[randomInt(list.length)]!;
}

/** Path pieces for a new trigger URL, chosen once and kept in the token's config. */
export function newDressing(): { leading: string; trailing: string } {
  return { leading: pick(LEADING), trailing: pick(TRAILING) };
}

/** The trigger URL of a token whose config holds its dressing (see newDressing). */
export function dressedUrl(token: { id: string; config: Record<string, unknown> }, context: ArtifactContext): string {
  const leading = typeof token.config.leading === 'string' ? token.config.leading : 'assets';
  const trailing = typeof token.config.trailing === 'string' ? token.config.trailing : 'logo.gif';
  return `${context.publicUrl}/${leading}/${token.id}/${trailing}`;
}

/** The tutorial's web bug: a URL that records whoever fetches it. */
export const httpTokenKind: TokenKind = {
  kind: 'http',
  title: 'Web bug: a URL that alerts when fetched',
  acceptsRedirect: true,
  optionFields: [
    {
      name: 'fingerprint',
      label: 'Fingerprint the browser before redirecting',
      type: 'boolean',
      help: 'With a redirect: a short page records screen, language, time zone, platform and plugins, then redirects.',
    },
    { name: 'image', label: 'Image to serve (optional)', type: 'file', help: 'Served instead of the 1x1 GIF: PNG, GIF, JPEG or WebP, at most 256 KiB.' },
  ],
  prepare(_id, input) {
    // The dressing is chosen once and kept, so the token's URL never changes.
    const dressing = newDressing();
    const fingerprint = input.options?.fingerprint === true || input.options?.fingerprint === 'true';
    const image = customImageOption(input);
    if (fingerprint && !input.redirect)
      throw new ValidationError('options.fingerprint needs a redirect: the page redirects there once it has the fingerprint', { field: 'options.fingerprint' });
    if (image && input.redirect)
      throw new ValidationError('options.image and a redirect exclude each other: a hit answers with one or the other', { field: 'options.image' });
    return { ...dressing, ...(fingerprint ? { fingerprint: true } : {}), ...image };
  },
  answerHttp(token, request) {
    if (token.config.fingerprint === true && token.redirect) return carriesFingerprint(request.query) ? undefined : FINGERPRINT_PAGE;
    return customImageAnswer(token.config);
  },
  describeHit: describeFingerprintHit,
  artifact(token, context) {
    const url = dressedUrl(token, context);
    if (token.config.fingerprint === true) {
      return {
        url,
        usage:
          'Open this URL in a browser to fire the token: a short page records the browser (screen, language, time zone, platform, plugins), then redirects.',
      };
    }
    const answer = typeof token.config.imageType === 'string' ? ' It answers with your image.' : '';
    return { url, usage: `Fetch this URL (any method) to fire the token; embed it where only an intruder would look.${answer}` };
  },
};

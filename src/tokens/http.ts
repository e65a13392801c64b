import { randomInt } from 'node:crypto';
import type { ArtifactContext, TokenKind } from './kind.js';

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
  prepare() {
    // The dressing is chosen once and kept, so the token's URL never changes.
    return newDressing();
  },
  artifact(token, context) {
    const url = dressedUrl(token, context);
    return { url, usage: 'Fetch this URL (any method) to fire the token; embed it where only an intruder would look.' };
  },
};

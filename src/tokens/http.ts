import { randomInt } from 'node:crypto';
import type { TokenKind } from './kind.js';

// Path pieces that make a trigger URL look like an ordinary asset; the server finds the id in any
// segment, so users may also dress the URL up themselves.
const LEADING = ['assets', 'static', 'images', 'img', 'media', 'content', 'cdn', 'files', 'api/v2', 'track'];
const TRAILING = ['logo.gif', 'pixel.png', 'banner.jpg', 'favicon.ico', 'index.html', 'status', 'view', 'image.png'];

function pick(list: string[]): string {
  return list[randomInt(list.length)]!;
}

/** The tutorial's web bug: a URL that records whoever fetches it. */
export const httpTokenKind: TokenKind = {
  kind: 'http',
  title: 'Web bug: a URL that alerts when fetched',
  acceptsRedirect: true,
  prepare() {
    // The dressing is chosen once and kept, so the token's URL never changes.
    return { leading: pick(LEADING), trailing: pick(TRAILING) };
  },
  artifact(token, context) {
    const leading = typeof token.config.leading === 'string' ? token.config.leading : 'assets';
    const trailing = typeof token.config.trailing === 'string' ? token.config.trailing : 'logo.gif';
    const url = `${context.publicUrl}/${leading}/${token.id}/${trailing}`;
    return { url, usage: 'Fetch this URL (any method) to fire the token; embed it where only an intruder would look.' };
  },
};

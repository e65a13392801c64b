import { ValidationError } from '../../core/errors.js';
import type { TokenOptions, TriggerAnswer } from '../kind.js';

/** Largest image a web bug serves: room in the API's 1 MiB body as base64, and small for the token cache. */
export const MAX_IMAGE_BYTES = 256 * 1024;

const TYPES: { type: string; magic: (bytes: Buffer) => boolean }[] = [
  { type: 'image/png', magic: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/gif', magic: (b) => /^GIF8[79]a$/.test(b.subarray(0, 6).toString('latin1')) },
  { type: 'image/jpeg', magic: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/webp', magic: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

/** The user's image from options.image (base64), with its type read from its bytes; undefined when none was given. */
export function customImageOption(input: TokenOptions): { image: string; imageType: string } | undefined {
  const value = input.options?.image;
  if (value === undefined || value === '') return undefined;
  const bytes = typeof value === 'string' && /^[A-Za-z0-9+/]+=*$/.test(value) ? Buffer.from(value, 'base64') : undefined;
  if (!bytes) throw new ValidationError('options.image must be an image file in base64', { field: 'options.image' });
  if (bytes.length > MAX_IMAGE_BYTES)
    throw new ValidationError(`options.image is ${bytes.length} bytes; the limit is ${MAX_IMAGE_BYTES}`, { field: 'options.image' });
  const type = TYPES.find((candidate) => candidate.magic(bytes));
  if (!type) throw new ValidationError('options.image must be a PNG, GIF, JPEG or WebP image', { field: 'options.image' });
  return { image: bytes.toString('base64'), imageType: type.type };
}

// Decoded once per cached token (the live-token cache hands out the same config object), not per hit.
const answers = new WeakMap<Record<string, unknown>, TriggerAnswer>();

/** The stored image as a trigger answer, with the GIF's headers (no caching, no Date). */
export function customImageAnswer(config: Record<string, unknown>): TriggerAnswer | undefined {
  if (typeof config.image !== 'string' || typeof config.imageType !== 'string') return undefined;
  let answer = answers.get(config);
  if (!answer) {
    answer = {
      status: 200,
      headers: { 'content-type': config.imageType, 'cache-control': 'no-store, no-cache, must-revalidate, max-age=0', pragma: 'no-cache' },
      body: Buffer.from(config.image, 'base64'),
    };
    answers.set(config, answer);
  }
  return answer;
}

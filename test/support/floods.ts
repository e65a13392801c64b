import { FLOOD_DEFAULTS, type FloodSettings } from '../../src/store/hit-sampling.js';

/**
 * Hits kept in full of `hits` hits from one source within one minute: the first `threshold`, then
 * one in every `sampleEvery` (one source never reaches the token's ceiling in these tests).
 */
export function keptOfOneSource(hits: number, { threshold, sampleEvery }: FloodSettings = FLOOD_DEFAULTS): number {
  return hits <= threshold ? hits : threshold + Math.floor((hits - threshold) / sampleEvery);
}

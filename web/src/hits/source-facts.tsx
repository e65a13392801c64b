import type { Hit } from '../api/types';

/** "Wellington, New Zealand (NZ) · AS64500 Example": what the server's databases said of the source. */
export function whereText(enrichment: Hit['enrichment']): string {
  if (!enrichment) return '';
  const place = [enrichment.city, enrichment.countryName ?? enrichment.country].filter(Boolean).join(', ');
  const country = enrichment.country && enrichment.countryName ? `${place} (${enrichment.country})` : place;
  const network = enrichment.asn === undefined ? '' : `AS${enrichment.asn}${enrichment.asOrg ? ` ${enrichment.asOrg}` : ''}`;
  return [country, network].filter(Boolean).join(' · ');
}

/** The noise rule that muted a hit, in one line. */
export function muteText(mute: NonNullable<Hit['mutedBy']>): string {
  const what = mute.kind === 'known-scanners' ? `known scanner${mute.matched ? `: ${mute.matched}` : ''}` : `${mute.kind} ${mute.pattern}`;
  return `${mute.scope === 'global' ? 'Global' : 'Token'} rule ${what}${mute.note ? ` (${mute.note})` : ''}`;
}

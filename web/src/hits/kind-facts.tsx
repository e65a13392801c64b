import type { ReactNode } from 'react';
import type { Hit } from '../api/types';
import { Facts } from '../components/fields';

/** Facts the request view shows itself; the rest are what the token's kind read from the hit. */
const SHOWN_BY_REQUEST = new Set(['What', 'User agent', 'Request', 'Headers']);

/**
 * What the token's kind says about a web hit beyond the request (the reader that opened a
 * document, a cloned page's location and referrer, a browser's fingerprint), as the server sent it.
 */
export function KindFacts({ hit }: { hit: Hit }) {
  const facts = hit.facts.filter((fact) => !SHOWN_BY_REQUEST.has(fact.label));
  if (facts.length === 0) return null;
  return (
    <div data-testid="hit-kind-facts">
      <Facts items={facts.map((fact): [string, ReactNode] => [fact.label, <span className="mono break">{fact.value}</span>])} />
    </div>
  );
}

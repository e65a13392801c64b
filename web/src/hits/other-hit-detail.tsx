import type { ReactNode } from 'react';
import type { Hit } from '../api/types';
import { Facts } from '../components/fields';

/** Hits without a view of their own (DNS questions, and whatever kinds come): the facts their
 * token kind describes, as the server sent them, so a new kind needs nothing here. */
export function OtherHitDetail({ hit }: { hit: Hit }) {
  // The summary line is shown above every hit's detail already.
  const facts = hit.facts.filter((fact) => fact.value !== hit.summary);
  return <Facts items={facts.map((fact): [string, ReactNode] => [fact.label, <span className="mono break">{fact.value}</span>])} />;
}

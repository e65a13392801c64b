import type { DeliveryState } from '../api/types';
import { StatusBadge, type Tone } from '../components/badges';

const TONES: Record<DeliveryState, Tone> = {
  pending: 'info',
  sending: 'info',
  delivered: 'good',
  dead: 'bad',
};

const LABELS: Record<DeliveryState, string> = {
  pending: 'pending',
  sending: 'sending',
  delivered: 'delivered',
  dead: 'gave up',
};

/** A delivery's state; one this dashboard does not know shows as it is, in neutral. */
export function DeliveryStateBadge({ state }: { state: string }) {
  const known = state in TONES ? (state as DeliveryState) : undefined;
  return <StatusBadge tone={known ? TONES[known] : 'neutral'}>{known ? LABELS[known] : state}</StatusBadge>;
}

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

export function DeliveryStateBadge({ state }: { state: DeliveryState }) {
  return <StatusBadge tone={TONES[state] ?? 'neutral'}>{LABELS[state] ?? state}</StatusBadge>;
}

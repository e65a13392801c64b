export function KindBadge({ kind }: { kind: string }) {
  return <span className="badge badge-kind">{kind}</span>;
}

export type Tone = 'neutral' | 'good' | 'warn' | 'bad' | 'info';

export function StatusBadge({ tone, children }: { tone: Tone; children: string }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

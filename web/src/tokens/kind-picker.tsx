import type { TokenKindInfo } from '../api/types';

interface KindPickerProps {
  kinds: TokenKindInfo[];
  chosen: string;
  onChoose(kind: string): void;
}

/** The kinds the server offers, as a group of radio cards. */
export function KindPicker({ kinds, chosen, onChoose }: KindPickerProps) {
  return (
    <fieldset className="kind-picker">
      <legend className="field-label">Kind</legend>
      <div className="kind-grid">
        {kinds.map((kind) => (
          <label key={kind.kind} className={`kind-card ${kind.kind === chosen ? 'kind-card-chosen' : ''}`}>
            <input type="radio" name="kind" value={kind.kind} checked={kind.kind === chosen} onChange={() => onChoose(kind.kind)} />
            <span className="kind-card-name mono">{kind.kind}</span>
            <span className="kind-card-title">{kind.title}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

import type { TokenKindInfo } from '../api/types';

interface TokenFiltersProps {
  search: string;
  kind: string;
  kinds: TokenKindInfo[];
  onSearch(search: string): void;
  onKind(kind: string): void;
}

export function TokenFilters({ search, kind, kinds, onSearch, onKind }: TokenFiltersProps) {
  return (
    <div className="filters" role="search">
      <input
        type="search"
        className="input filters-search"
        aria-label="Search tokens by memo or id"
        placeholder="Search memo or id"
        value={search}
        onChange={(event) => onSearch(event.target.value)}
      />
      <select className="input" aria-label="Filter by kind" value={kind} onChange={(event) => onKind(event.target.value)}>
        <option value="">All kinds</option>
        {kinds.map((k) => (
          <option key={k.kind} value={k.kind}>
            {k.kind}
          </option>
        ))}
      </select>
    </div>
  );
}

import type { Token } from '../api/types';
import { KindBadge } from '../components/badges';
import { DataTable } from '../components/data-table';
import { Time } from '../components/time';
import { shortId } from '../format';
import { Link, paths } from '../router';
import { TokenEnabledSwitch } from './token-enabled-switch';

interface TokenTableProps {
  tokens: Token[];
  /** Tokens hit since the page was opened, highlighted until the user looks away. */
  recentlyHit: ReadonlySet<string>;
  onChanged(token: Token): void;
}

export function TokenTable({ tokens, recentlyHit, onChanged }: TokenTableProps) {
  return (
    <DataTable
      label="Tokens"
      columns={[{ label: 'Token' }, { label: 'Kind' }, { label: 'Hits', numeric: true }, { label: 'Last hit' }, { label: 'Created' }, { label: 'Enabled' }]}
    >
      {tokens.map((token) => (
        <tr key={token.id} data-token-id={token.id} className={recentlyHit.has(token.id) ? 'row-flash' : undefined}>
          <td>
            <div className="cell-main">
              <Link to={paths.token(token.id)} className="row-title">
                {token.memo}
              </Link>
              <span className="mono muted" title={token.id}>
                {shortId(token.id)}
              </span>
            </div>
          </td>
          <td>
            <KindBadge kind={token.kind} />
          </td>
          <td className="numeric">
            <span className={token.hitCount > 0 ? 'count count-hot' : 'count'} data-testid="hit-count">
              {token.hitCount.toLocaleString()}
            </span>
          </td>
          <td>
            <Time iso={token.lastHitAt} fallback="never" />
          </td>
          <td>
            <Time iso={token.createdAt} />
          </td>
          <td>
            <TokenEnabledSwitch token={token} onChanged={onChanged} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

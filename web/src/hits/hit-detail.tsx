import type { Hit } from '../api/types';
import { Facts } from '../components/fields';
import { absoluteTime } from '../format';
import { FileHitDetail } from './file-hit-detail';
import { HttpHitDetail } from './http-hit-detail';
import { KindFacts } from './kind-facts';
import { isListenerHit, ListenerHitDetail } from './listener-hit-detail';
import { OtherHitDetail } from './other-hit-detail';
import { muteText, whereText } from './source-facts';

/** Everything recorded about one hit. All of it is rendered as text: much of it is the attacker's. */
export function HitDetail({ hit }: { hit: Hit }) {
  return (
    <div className="hit-detail" data-testid="hit-detail">
      <Facts
        items={[
          [
            'What',
            hit.summary ? (
              <span className="break" data-testid="hit-summary">
                {hit.summary}
              </span>
            ) : null,
          ],
          ['When', absoluteTime(hit.at)],
          ['Source', <span className="mono">{hit.source}</span>],
          ['Location', hit.enrichment && whereText(hit.enrichment) ? <span data-testid="hit-where">{whereText(hit.enrichment)}</span> : null],
          ['Host name', hit.enrichment?.hostname ? <span className="mono">{hit.enrichment.hostname}</span> : null],
          [
            'Muted',
            hit.mutedBy ? (
              <span data-testid="hit-muted-by">
                {muteText(hit.mutedBy)}: stored and counted, no alert (rule <span className="mono">{hit.mutedBy.ruleId}</span>)
              </span>
            ) : null,
          ],
          ['Hit id', <span className="mono">{hit.id}</span>],
        ]}
      />
      {hit.detail.type === 'http' && <KindFacts hit={hit} />}
      {hit.detail.type === 'http' ? (
        <HttpHitDetail hit={hit} />
      ) : hit.detail.type === 'file' ? (
        <FileHitDetail hit={hit} />
      ) : isListenerHit(hit) ? (
        <ListenerHitDetail hit={hit} />
      ) : (
        <OtherHitDetail hit={hit} />
      )}
      <details className="raw">
        <summary>Raw JSON</summary>
        <pre className="code-block">{JSON.stringify(hit, null, 2)}</pre>
      </details>
    </div>
  );
}

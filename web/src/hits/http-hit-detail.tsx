import type { Hit } from '../api/types';
import { Facts } from '../components/fields';
import { bytes } from '../format';
import { asNumber, asObject, asString, type Json } from './detail-values';

/** A web hit: the request line, every header as sent, and the start of any body. */
export function HttpHitDetail({ hit }: { hit: Hit }) {
  // Read defensively: the server types details without re-validating them.
  const detail: Json = hit.detail;
  const headers = Object.entries(asObject(detail.headers) ?? {});
  const body = asObject(detail.body);
  return (
    <>
      <Facts
        items={[
          ['Method', <span className="mono">{asString(detail.method)}</span>],
          ['Path', <span className="mono break">{asString(detail.path)}</span>],
          ['Query', asString(detail.query) ? <span className="mono break">{asString(detail.query)}</span> : null],
          [
            'User agent',
            hit.userAgent ? (
              <span className="mono break" data-testid="hit-user-agent">
                {hit.userAgent}
              </span>
            ) : null,
          ],
        ]}
      />
      <h4 className="detail-heading">Headers</h4>
      {headers.length === 0 ? (
        <p className="muted">No headers.</p>
      ) : (
        <table className="table table-compact headers-table">
          <tbody>
            {headers.map(([name, value]) => (
              <tr key={name}>
                <th scope="row" className="mono">
                  {name}
                </th>
                <td className="mono break">{typeof value === 'string' ? value : JSON.stringify(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {body && <RequestBody body={body} />}
    </>
  );
}

function RequestBody({ body }: { body: Json }) {
  const size = asNumber(body.size) ?? 0;
  const encoding = asString(body.encoding) ?? 'utf8';
  return (
    <>
      <h4 className="detail-heading">
        Body{' '}
        <span className="muted">
          ({bytes(size)}
          {body.truncated === true ? ', first bytes kept' : ''}
          {encoding === 'base64' ? ', binary shown as base64' : ''})
        </span>
      </h4>
      <pre className="code-block">{asString(body.head) ?? ''}</pre>
    </>
  );
}

import type { ReactNode } from 'react';
import { CopyButton } from './copy-button';

interface ShownOnceProps {
  /** Says whose secret this is and that it is not shown again. */
  title: ReactNode;
  value: string;
  help?: ReactNode;
  onDone(): void;
}

/** A secret the server returns once (an API key), with a copy button, until the user is done. */
export function ShownOnce({ title, value, help, onDone }: ShownOnceProps) {
  return (
    <section className="banner banner-warning reveal" role="status">
      <div>
        <strong>{title}</strong>
        <div className="artifact-line">
          <code className="mono artifact-code">{value}</code>
          <CopyButton value={value} />
        </div>
        {help && <p className="field-help">{help}</p>}
      </div>
      <button type="button" className="button button-small" onClick={onDone}>
        Done
      </button>
    </section>
  );
}

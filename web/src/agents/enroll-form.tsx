import { useState } from 'react';
import { useApi } from '../auth/session';
import { useSubmit } from '../hooks/use-submit';
import { enrollAgent, type EnrolledAgent } from './agent-api';

/** Enrolls an agent by name; the server answers with the agent's key, shown once. */
export function EnrollForm({ onEnrolled }: { onEnrolled(agent: EnrolledAgent): void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    onEnrolled(await enrollAgent(api, name.trim()));
    setName('');
  });

  return (
    <form className="inline-form" onSubmit={submit} aria-label="Enroll an agent">
      <input
        className="input"
        aria-label="Agent name"
        placeholder="Host name, e.g. db-01"
        required
        maxLength={100}
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      <button type="submit" className="button button-primary" disabled={busy || name.trim() === ''}>
        {busy ? 'Enrolling…' : 'Enroll agent'}
      </button>
      {error && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

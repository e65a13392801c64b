import { useState } from 'react';
import type { KeyRole } from '../api/types';
import { useApi } from '../auth/session';
import { useSubmit } from '../hooks/use-submit';
import { createKey, type CreatedKey } from './key-api';

/** Creates a key by name and role; the server answers with the key, shown once. */
export function CreateKeyForm({ roles, onCreated }: { roles: KeyRole[]; onCreated(key: CreatedKey): void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const [role, setRole] = useState<KeyRole>('viewer');
  const { busy, error, submit } = useSubmit(async () => {
    onCreated(await createKey(api, name.trim(), role));
    setName('');
  });

  return (
    <form className="inline-form" onSubmit={submit} aria-label="Create an API key">
      <input
        className="input"
        aria-label="Key name"
        placeholder="Who uses it, e.g. grafana"
        required
        maxLength={100}
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      <select className="input input-narrow" aria-label="Role" value={role} onChange={(event) => setRole(event.target.value as KeyRole)}>
        {roles.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <button type="submit" className="button button-primary" disabled={busy || name.trim() === ''}>
        {busy ? 'Creating…' : 'Create key'}
      </button>
      {error && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

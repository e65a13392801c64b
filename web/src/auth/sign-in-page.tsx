import { useState, type FormEvent } from 'react';
import { ApiClient, ApiError } from '../api/client';
import { Logo } from '../layout/logo';

interface SignInPageProps {
  notice: string | null;
  onSignedIn(key: string): void;
}

export function SignInPage({ notice, onSignedIn }: SignInPageProps) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const candidate = key.trim();
    if (!candidate) return;
    setChecking(true);
    setError(null);
    try {
      // Any authenticated call proves the key; this one is cheap and needed right after anyway.
      await new ApiClient(candidate, () => undefined).get('/token-kinds');
      onSignedIn(candidate);
    } catch (failure) {
      setError(failure instanceof ApiError && failure.status === 401 ? 'That API key is not valid.' : (failure as Error).message);
    } finally {
      setChecking(false);
    }
  };

  return (
    <main className="sign-in">
      <form className="sign-in-card" method="post" onSubmit={submit} aria-labelledby="sign-in-title">
        <Logo />
        <h1 id="sign-in-title">Sign in</h1>
        <p className="muted">
          Use an admin API key (or a viewer key to look without changing anything). The server printed one at its first start, or set it with
          TRIPLINE_ADMIN_KEY.
        </p>
        {notice && <p className="banner banner-warning">{notice}</p>}
        <label className="field">
          <span className="field-label">API key</span>
          <input
            name="api-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            autoFocus
            value={key}
            onChange={(event) => setKey(event.target.value)}
            placeholder="tpl_admin_…"
          />
        </label>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <button className="button button-primary button-wide" type="submit" disabled={checking || key.trim() === ''}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
        <p className="fine-print">The key stays in this tab (session storage) and is sent only in request headers.</p>
      </form>
    </main>
  );
}

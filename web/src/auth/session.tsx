import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiClient } from '../api/client';
import { forgetKey, loadKey, saveKey } from './key-storage';
import { SignInPage } from './sign-in-page';

interface Session {
  api: ApiClient;
  signOut(): void;
  /** Ends a session whose key the server stopped accepting, and says so on the sign-in page. */
  expire(): void;
}

const SessionContext = createContext<Session | null>(null);

/** Shows the sign-in page until a key is accepted, then its children with that key's client. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [key, setKey] = useState<string | null>(loadKey);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback(() => {
    forgetKey();
    setKey(null);
  }, []);

  const expire = useCallback(() => {
    forgetKey();
    setKey(null);
    setNotice('The server no longer accepts this API key. Sign in again.');
  }, []);

  const session = useMemo<Session | null>(() => (key ? { api: new ApiClient(key, expire), signOut, expire } : null), [key, expire, signOut]);

  if (!session) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(accepted) => {
          saveKey(accepted);
          setNotice(null);
          setKey(accepted);
        }}
      />
    );
  }
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

export function useApi(): ApiClient {
  return useSession().api;
}

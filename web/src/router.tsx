import { useSyncExternalStore, type MouseEvent, type ReactNode } from 'react';

/** Every page of the dashboard. Paths live under /ui/, which the server answers with the app. */
export type Route =
  | { page: 'tokens' }
  | { page: 'new-token' }
  | { page: 'token'; id: string }
  | { page: 'activity' }
  | { page: 'alerts' }
  | { page: 'channels' }
  | { page: 'agents' }
  | { page: 'policies' }
  | { page: 'decoys' }
  | { page: 'keys' }
  | { page: 'not-found' };

export const BASE = '/ui';

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = path.split('/').filter(Boolean);
  const [first, second] = parts;
  if (parts.length === 0) return { page: 'tokens' };
  if (first === 'tokens' && parts.length === 1) return { page: 'tokens' };
  if (first === 'tokens' && second === 'new' && parts.length === 2) return { page: 'new-token' };
  if (first === 'tokens' && second && parts.length === 2) return { page: 'token', id: decodeURIComponent(second) };
  if (parts.length === 1 && (first === 'activity' || first === 'alerts' || first === 'channels' || first === 'agents' || first === 'keys'))
    return { page: first };
  if (parts.length === 1 && (first === 'policies' || first === 'decoys')) return { page: first };
  return { page: 'not-found' };
}

export const paths = {
  tokens: () => `${BASE}/`,
  newToken: () => `${BASE}/tokens/new`,
  token: (id: string) => `${BASE}/tokens/${encodeURIComponent(id)}`,
  activity: () => `${BASE}/activity`,
  alerts: () => `${BASE}/alerts`,
  channels: () => `${BASE}/channels`,
  agents: () => `${BASE}/agents`,
  policies: () => `${BASE}/policies`,
  decoys: () => `${BASE}/decoys`,
  keys: () => `${BASE}/keys`,
};

const NAVIGATED = 'tripline:navigated';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

function currentPath(): string {
  return window.location.pathname;
}

export function useRoute(): Route {
  return parseRoute(useSyncExternalStore(subscribe, currentPath));
}

export function navigate(to: string): void {
  if (to === window.location.pathname) return;
  window.history.pushState(null, '', to);
  window.scrollTo(0, 0);
  window.dispatchEvent(new Event(NAVIGATED));
}

interface LinkProps {
  to: string;
  children: ReactNode;
  className?: string;
  'aria-current'?: 'page' | undefined;
}

/** An ordinary link (open in new tab works) that navigates inside the app on a plain click. */
export function Link({ to, children, className, ...rest }: LinkProps) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} className={className} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}

import type { ReactNode } from 'react';
import { useSession } from '../auth/session';
import { Link, paths, type Route } from '../router';
import { LiveIndicator } from './live-indicator';
import { Logo } from './logo';

const SECTIONS = [
  { label: 'Tokens', to: paths.tokens(), pages: ['tokens', 'new-token', 'token'] },
  { label: 'Activity', to: paths.activity(), pages: ['activity'] },
  { label: 'Alerts', to: paths.alerts(), pages: ['alerts'] },
  { label: 'Channels', to: paths.channels(), pages: ['channels'] },
  { label: 'Agents', to: paths.agents(), pages: ['agents'] },
  { label: 'Policies', to: paths.policies(), pages: ['policies'] },
  { label: 'Decoys', to: paths.decoys(), pages: ['decoys'] },
  { label: 'Keys', to: paths.keys(), pages: ['keys'] },
] as const;

/** Navigation, connection state and sign-out around every page. */
export function AppShell({ route, children }: { route: Route; children: ReactNode }) {
  const { signOut } = useSession();
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="sidebar-inner">
          <Link to={paths.tokens()} className="sidebar-logo">
            <Logo />
          </Link>
          <nav aria-label="Sections">
            <ul className="nav">
              {SECTIONS.map((section) => {
                const current = (section.pages as readonly string[]).includes(route.page);
                return (
                  <li key={section.label}>
                    <Link to={section.to} className={`nav-link ${current ? 'nav-link-current' : ''}`} aria-current={current ? 'page' : undefined}>
                      {section.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
          <div className="sidebar-foot">
            <LiveIndicator />
            <button type="button" className="button button-ghost button-small" onClick={signOut}>
              Sign out
            </button>
          </div>
        </div>
      </aside>
      <main className="content">{children}</main>
    </div>
  );
}

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

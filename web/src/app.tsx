import { ActivityPage } from './activity/activity-page';
import { AgentsPage } from './agents/agents-page';
import { AlertsPage } from './alerts/alerts-page';
import { SessionProvider } from './auth/session';
import { ChannelsPage } from './channels/channels-page';
import { DecoysPage } from './decoys/decoys-page';
import { EmptyState } from './components/states';
import { KeysPage } from './keys/keys-page';
import { AppShell } from './layout/app-shell';
import { LiveEventsProvider } from './live/live-events';
import { PoliciesPage } from './policies/policies-page';
import { Link, paths, useRoute, type Route } from './router';
import { CreateTokenPage } from './tokens/create-token-page';
import { TokenDetailPage } from './tokens/token-detail-page';
import { TokensPage } from './tokens/tokens-page';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'tokens':
      return <TokensPage />;
    case 'new-token':
      return <CreateTokenPage />;
    case 'token':
      return <TokenDetailPage key={route.id} id={route.id} />;
    case 'activity':
      return <ActivityPage />;
    case 'alerts':
      return <AlertsPage />;
    case 'channels':
      return <ChannelsPage />;
    case 'agents':
      return <AgentsPage />;
    case 'policies':
      return <PoliciesPage />;
    case 'decoys':
      return <DecoysPage />;
    case 'keys':
      return <KeysPage />;
    case 'not-found':
      return (
        <EmptyState title="No such page">
          <Link to={paths.tokens()}>Back to tokens</Link>
        </EmptyState>
      );
  }
}

export function App() {
  const route = useRoute();
  return (
    <SessionProvider>
      <LiveEventsProvider>
        <AppShell route={route}>
          <Page route={route} />
        </AppShell>
      </LiveEventsProvider>
    </SessionProvider>
  );
}

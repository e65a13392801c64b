import { useApi } from '../auth/session';
import { useResource, type Resource } from '../hooks/use-resource';
import type { TokenKindInfo } from '../api/types';
import { listTokenKinds } from './token-api';

/** The kinds this server can create: the dashboard knows none of its own. */
export function useTokenKinds(): Resource<TokenKindInfo[]> {
  const api = useApi();
  return useResource(() => listTokenKinds(api), [api]);
}

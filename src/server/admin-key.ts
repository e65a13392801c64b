import type { Logger } from 'pino';
import type { ApiKeyRepository } from '../store/repositories/api-keys.js';

/**
 * Makes sure someone can administer the server. A key given in TRIPLINE_ADMIN_KEY is registered
 * (as a hash). Otherwise, on a first start with no keys at all, one is generated and printed once:
 * it is stored only as a hash and cannot be shown again.
 */
export async function ensureAdminKey(keys: ApiKeyRepository, log: Logger, configured: string | undefined, print: (text: string) => void): Promise<void> {
  if (configured) {
    await keys.ensure('admin (TRIPLINE_ADMIN_KEY)', 'admin', configured);
    return;
  }
  if ((await keys.count()) > 0) return;
  const { key } = await keys.create('admin (generated at first start)', 'admin');
  log.warn('no API keys existed: generated an admin key and printed it once on standard error');
  print(
    [
      '',
      '  Tripline admin API key (shown once; only its hash is stored):',
      '',
      `    ${key}`,
      '',
      '  Use it with:  export TRIPLINE_KEY=' + key,
      '',
    ].join('\n'),
  );
}

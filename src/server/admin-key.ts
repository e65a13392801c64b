import type { Logger } from 'pino';
import { ConfigError } from '../core/errors.js';
import type { ApiKeyRepository } from '../store/repositories/api-keys.js';

/** Shortest TRIPLINE_ADMIN_KEY accepted: a key anyone could guess would open every admin route. */
export const MIN_ADMIN_KEY_LENGTH = 32;

const ENV_KEY_NAME = 'admin (TRIPLINE_ADMIN_KEY)';

/**
 * Makes sure someone can administer the server. A key given in TRIPLINE_ADMIN_KEY is registered
 * (as a hash), and the key an earlier value registered is revoked: changing the variable is how
 * an operator rotates it, so the old value must stop working. Without the variable nothing is
 * revoked (retire that key with `tripline key revoke`). When no admin key is in force at all, one
 * is generated and printed once: it is stored only as a hash and cannot be shown again.
 *
 * Replicas sharing one store must share one TRIPLINE_ADMIN_KEY: each start revokes the others'.
 */
export async function ensureAdminKey(keys: ApiKeyRepository, log: Logger, configured: string | undefined, print: (text: string) => void): Promise<void> {
  if (configured !== undefined) {
    await registerConfiguredKey(keys, log, configured);
    return;
  }
  if ((await keys.countActiveAdmins()) > 0) return;
  const { key } = await keys.create('admin (generated at first start)', 'admin', 'generated');
  log.warn('no admin key was in force: generated one and printed it once on standard error');
  print(
    ['', '  Tripline admin API key (shown once; only its hash is stored):', '', `    ${key}`, '', `  Use it with:  export TRIPLINE_KEY=${key}`, ''].join('\n'),
  );
}

async function registerConfiguredKey(keys: ApiKeyRepository, log: Logger, configured: string): Promise<void> {
  if (configured.length < MIN_ADMIN_KEY_LENGTH) {
    throw new ConfigError(
      `TRIPLINE_ADMIN_KEY is ${configured.length} characters long; it must be at least ${MIN_ADMIN_KEY_LENGTH} (e.g. the output of \`openssl rand -base64 33\`)`,
      { length: configured.length, minimum: MIN_ADMIN_KEY_LENGTH },
    );
  }
  let current = await keys.findByKey(configured);
  if (current?.revokedAt) {
    // A revoked key (perhaps because it leaked) must not come back by a restart.
    throw new ConfigError(`TRIPLINE_ADMIN_KEY is a key revoked at ${current.revokedAt}; set a new one`, { id: current.id });
  }
  if (current && current.role !== 'admin') {
    throw new ConfigError(`TRIPLINE_ADMIN_KEY is the ${current.role} key ${current.id}, not an admin key`, { id: current.id });
  }
  // The key printed at a first start (or made with `key create`) may be the value put into the
  // variable; from then on it is the variable's key, revoked when the value changes.
  if (current && current.origin !== 'env') await keys.setOrigin(current.id, 'env');
  current ??= await keys.register(ENV_KEY_NAME, 'admin', configured, 'env');
  for (const replaced of await keys.activeFrom('env')) {
    if (replaced.id === current.id) continue;
    await keys.revoke(replaced.id);
    log.warn({ keyId: replaced.id, keyPrefix: replaced.prefix }, 'TRIPLINE_ADMIN_KEY changed: revoked the key it replaced');
  }
}

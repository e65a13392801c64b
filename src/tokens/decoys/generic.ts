import { randomBytes, randomInt } from 'node:crypto';
import { pick, randomFrom } from '../decoy-secret.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const CLUSTERS = ['vault-prod', 'vault-01', 'secrets-eu', 'vault-core'];

/**
 * A generic secret that is worth stealing and means nothing: the output of `vault operator init`
 * as an operator would save it (five unseal keys, threshold three, the initial root token).
 * Every value is fresh randomness in the shape Vault prints.
 */
export function vaultInitDecoy(now = new Date()): string {
  const day = new Date(now.getTime() - randomInt(30, 400) * 86_400_000).toISOString().slice(0, 10);
  const keys = Array.from({ length: 5 }, (_, i) => `Unseal Key ${i + 1}: ${randomBytes(33).toString('base64')}`);
  return [
    `# ${pick(CLUSTERS)} init ${day} - keep offline, do not share`,
    ...keys,
    '',
    `Initial Root Token: hvs.${randomFrom(ALNUM, 24)}`,
    '',
    'Vault initialized with 5 key shares and a key threshold of 3. Please securely',
    'distribute the key shares printed above. When the Vault is re-sealed,',
    'restarted, or stopped, you must supply at least 3 of these keys to unseal it',
    'before it can start servicing requests.',
    '',
  ].join('\n');
}

import { decoyCredentialsOf, type DecoyCredential } from './decoy-credentials.js';
import { hexSecretFor, pick, randomFrom } from './decoy-secret.js';
import { describeCredentialHit } from './hits/credential.js';
import type { TokenKind } from './kind.js';
import { configString, publicUrlOf, publicUrlWith, stringOption } from './options.js';

const SERVICES = ['billing-service', 'payments-api', 'orders-worker', 'admin-portal', 'reporting-service'];
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A production-looking .env file. Every service URL points at Tripline with the token id in its
 * path, and the main API token carries the id itself, so calling any of the URLs, or presenting
 * the token anywhere on Tripline, fires; the hit names the variable whose secret was presented.
 */
export const envTokenKind: TokenKind = {
  kind: 'env',
  title: '.env file: service URLs and API keys that alert when used',
  describeHit: describeCredentialHit,
  optionFields: [{ name: 'service', label: 'Service name', type: 'text', placeholder: 'billing-service', help: "Named in the file's header comment." }],
  prepare(id, input) {
    const service = stringOption(input, 'service', /^[a-z0-9][a-z0-9-]{0,62}$/, 'a lower-case service name (letters, digits, "-")') ?? pick(SERVICES);
    const credentials: DecoyCredential[] = [
      { name: 'INTERNAL_API_TOKEN', secret: hexSecretFor(id) },
      { name: 'PAYMENTS_API_KEY', secret: `sk_live_${randomFrom(ALNUM, 40)}` },
      { name: 'SEARCH_PASSWORD', user: 'search-admin', secret: randomFrom(ALNUM, 24) },
      { name: 'JWT_SIGNING_SECRET', secret: randomFrom(ALNUM, 48) },
    ];
    return { service, credentials };
  },
  artifact(token, context) {
    const credentials = decoyCredentialsOf(token);
    const secret = (name: string) => credentials.find((c) => c.name === name)?.secret ?? '';
    const search = publicUrlOf(context);
    search.username = 'search-admin';
    search.password = secret('SEARCH_PASSWORD');
    search.pathname = `${search.pathname.replace(/\/+$/, '')}/search/${token.id}`;
    const service = configString(token.config, 'service', 'billing-service');
    const content = [
      `# ${service}: production settings. Do not commit.`,
      'NODE_ENV=production',
      'LOG_LEVEL=info',
      `API_BASE_URL=${publicUrlWith(context, `api/v2/${token.id}`)}`,
      `INTERNAL_API_TOKEN=${secret('INTERNAL_API_TOKEN')}`,
      `PAYMENTS_API_URL=${publicUrlWith(context, `payments/${token.id}/v2`)}`,
      `PAYMENTS_API_KEY=${secret('PAYMENTS_API_KEY')}`,
      `SEARCH_URL=${search.href}`,
      `ADMIN_CONSOLE_URL=${publicUrlWith(context, `admin/${token.id}/login`)}`,
      `JWT_SIGNING_SECRET=${secret('JWT_SIGNING_SECRET')}`,
      '',
    ].join('\n');
    return {
      file: { name: '.env', content, mode: 0o600 },
      usage: 'Plant it next to an application; a request to any of its URLs, or any of its keys presented to Tripline, fires the token and names the key used.',
    };
  },
};

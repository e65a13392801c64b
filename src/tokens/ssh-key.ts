import { pick } from './decoy-secret.js';
import { SSH_HOSTS, SSH_USERS, sshKeyDecoy, sshRsaKeyDecoy } from './decoys/ssh-key.js';
import type { TokenKind } from './kind.js';
import { endpointOf, listenerEndpoint } from './listener-endpoint.js';
import { configString, stringOption } from './options.js';

const KEY_TYPES = ['ed25519', 'rsa'] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The lookup key an SSH public key's fingerprint is stored under (token_keys). */
export function sshLookupKey(fingerprint: string): string {
  return `ssh:${fingerprint}`;
}

/** The ~/.ssh/config block that sends `ssh <alias>` to the listener with the decoy key. */
function sshConfig(config: Record<string, unknown>): string {
  const { host, port } = endpointOf(config);
  return [
    `Host ${configString(config, 'alias', 'bastion')}`,
    `    HostName ${host}`,
    `    Port ${port}`,
    `    User ${configString(config, 'user', 'deploy')}`,
    `    IdentityFile ~/.ssh/${configString(config, 'keyFile', 'id_ed25519')}`,
    '    IdentitiesOnly yes',
    '',
  ].join('\n');
}

/**
 * An SSH private key and the ~/.ssh/config block naming a plausible host that is Tripline's SSH
 * listener. Offering the key fires the token, signing with it fires it as "private key used";
 * the login is refused either way.
 */
export const sshKeyTokenKind: TokenKind = {
  kind: 'ssh-key',
  title: 'SSH key: a private key and ~/.ssh/config entry that alert when the key is offered to the host',
  optionFields: [
    {
      name: 'keyType',
      label: 'Key type',
      type: 'select',
      choices: [
        { value: 'ed25519', label: 'Ed25519' },
        { value: 'rsa', label: 'RSA 3072' },
      ],
    },
    { name: 'alias', label: 'Host alias', type: 'text', placeholder: 'bastion-01', help: 'The name in ~/.ssh/config (default: a plausible one).' },
    { name: 'user', label: 'User', type: 'text', placeholder: 'deploy' },
  ],
  prepare(_id, input, context) {
    const endpoint = listenerEndpoint(context, 'ssh', 'ssh-key');
    const keyType = stringOption(input, 'keyType', /^(ed25519|rsa)$/, `one of ${KEY_TYPES.join(', ')}`) ?? 'ed25519';
    const alias = stringOption(input, 'alias', NAME, 'a host name (letters, digits, ".", "_", "-")') ?? pick(SSH_HOSTS);
    const user = stringOption(input, 'user', NAME, 'a user name (letters, digits, ".", "_", "-")') ?? pick(SSH_USERS);
    const key = keyType === 'rsa' ? sshRsaKeyDecoy(`${user}@${alias}`) : sshKeyDecoy(`${user}@${alias}`);
    return {
      ...endpoint,
      keyType,
      alias,
      user,
      keyFile: `id_${keyType}_${alias}`,
      privateKey: key.privateKey,
      publicKey: key.publicKey,
      fingerprint: key.fingerprint,
    };
  },
  lookupKeys: (config) => (typeof config.fingerprint === 'string' ? [sshLookupKey(config.fingerprint)] : []),
  artifact(token) {
    const keyFile = configString(token.config, 'keyFile', 'id_ed25519');
    const alias = configString(token.config, 'alias', 'bastion');
    return {
      file: { name: keyFile, content: configString(token.config, 'privateKey', ''), mode: 0o600 },
      extraFiles: [
        { name: `${keyFile}.pub`, content: `${configString(token.config, 'publicKey', '')}\n`, mode: 0o644 },
        { name: 'config', content: sshConfig(token.config), mode: 0o600 },
      ],
      usage: `Plant ${keyFile} (and .pub) in ~/.ssh/ and add the config block to ~/.ssh/config; \`ssh ${alias}\` with the key (${configString(token.config, 'fingerprint', '')}) fires the token.`,
    };
  },
};

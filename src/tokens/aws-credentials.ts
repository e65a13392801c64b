import type { DecoyCredential } from './decoy-credentials.js';
import { awsKeyPair, pick } from './decoy-secret.js';
import { describeCredentialHit } from './hits/credential.js';
import type { TokenKind } from './kind.js';
import { configString, publicUrlWith, stringOption } from './options.js';

const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'eu-central-1'];

/**
 * An AWS shared credentials file plus the config that sends the profile's calls to Tripline:
 * `endpoint_url` (honoured by AWS CLI 2.13+/1.29+ and current SDKs) is the public URL with the
 * token id as its path, and path-style S3 addressing keeps bucket names out of the host name.
 * SigV4 clients send the access key id (never the secret), which the hit records.
 */
export const awsCredentialsTokenKind: TokenKind = {
  kind: 'aws-credentials',
  title: 'AWS credentials: a profile that alerts when the AWS CLI or an SDK uses it',
  describeHit: describeCredentialHit,
  optionFields: [
    { name: 'profile', label: 'Profile', type: 'text', placeholder: 'default', help: 'default fires on any call; a named profile only when chosen.' },
    { name: 'region', label: 'Region', type: 'text', placeholder: 'us-east-1' },
  ],
  prepare(_id, input) {
    const profile = stringOption(input, 'profile', /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a profile name of letters, digits, "_", "." or "-"') ?? 'default';
    const region = stringOption(input, 'region', /^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as us-east-1') ?? pick(REGIONS);
    const keys = awsKeyPair();
    const credentials: DecoyCredential[] = [{ name: 'aws access key', accessKeyId: keys.accessKeyId, secret: keys.secretAccessKey }];
    return { profile, region, ...keys, credentials };
  },
  artifact(token, context) {
    const profile = configString(token.config, 'profile', 'default');
    const endpoint = publicUrlWith(context, token.id);
    const credentials = [
      `[${profile}]`,
      `aws_access_key_id = ${configString(token.config, 'accessKeyId', '')}`,
      `aws_secret_access_key = ${configString(token.config, 'secretAccessKey', '')}`,
      '',
    ].join('\n');
    const config = [
      profile === 'default' ? '[default]' : `[profile ${profile}]`,
      `region = ${configString(token.config, 'region', 'us-east-1')}`,
      'output = json',
      `endpoint_url = ${endpoint}`,
      's3 =',
      '    addressing_style = path',
      '',
    ].join('\n');
    return {
      file: { name: 'credentials', content: credentials, mode: 0o600 },
      extraFiles: [{ name: 'config', content: config, mode: 0o600 }],
      usage:
        `Plant both files in ~/.aws/ (credentials and config); any AWS CLI or SDK call with profile "${profile}" fires the token and records the access key id. ` +
        'AWS CLI versions before 2.13 ignore endpoint_url in config and would call AWS itself.',
    };
  },
};

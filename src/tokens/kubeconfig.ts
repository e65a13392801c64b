import type { DecoyCredential } from './decoy-credentials.js';
import { pick, serviceAccountJwt } from './decoy-secret.js';
import { describeCredentialHit } from './hits/credential.js';
import type { TokenKind } from './kind.js';
import { configString, publicUrlWith, stringOption } from './options.js';

const CLUSTERS = ['prod-eu-west-1', 'prod-us-east-1', 'production', 'prod-cluster-01', 'platform-prod'];
const ACCOUNTS = ['ci-deployer', 'gitlab-runner', 'argocd-manager', 'cluster-admin-sa', 'terraform'];
const NAMESPACES = ['kube-system', 'ci', 'deploy', 'platform'];
/** DNS-1123 names: what Kubernetes allows, and safe unquoted in YAML. */
const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const NAME_SHAPE = 'a lower-case DNS label (letters, digits, "-")';

/**
 * A kubeconfig whose cluster is Tripline. The server URL carries the token id in a path the way
 * Rancher-proxied clusters do (/k8s/clusters/c-<id>), so any kubectl call against it fires; the
 * service-account token is recorded when the client sends it.
 */
export const kubeconfigTokenKind: TokenKind = {
  kind: 'kubeconfig',
  title: 'Kubeconfig: a cluster entry that alerts when kubectl (or any client) uses it',
  describeHit: describeCredentialHit,
  optionFields: [
    { name: 'cluster', label: 'Cluster name', type: 'text', placeholder: 'prod-eu-west-1' },
    { name: 'namespace', label: 'Namespace', type: 'text', placeholder: 'kube-system' },
    {
      name: 'serviceAccount',
      label: 'Service account',
      type: 'text',
      placeholder: 'ci-deployer',
      help: 'The token claims to belong to this account; the hit names it.',
    },
  ],
  prepare(_id, input) {
    const cluster = stringOption(input, 'cluster', NAME_PATTERN, NAME_SHAPE) ?? pick(CLUSTERS);
    const namespace = stringOption(input, 'namespace', NAME_PATTERN, NAME_SHAPE) ?? pick(NAMESPACES);
    const account = stringOption(input, 'serviceAccount', NAME_PATTERN, NAME_SHAPE) ?? pick(ACCOUNTS);
    const token = serviceAccountJwt(namespace, account);
    const credentials: DecoyCredential[] = [{ name: 'service account token', user: `system:serviceaccount:${namespace}:${account}`, secret: token }];
    return { cluster, namespace, serviceAccount: account, token, credentials };
  },
  artifact(token, context) {
    const cluster = configString(token.config, 'cluster', 'production');
    const namespace = configString(token.config, 'namespace', 'default');
    const account = configString(token.config, 'serviceAccount', 'ci-deployer');
    const server = publicUrlWith(context, `k8s/clusters/c-${token.id}`);
    const content = [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- cluster:',
      `    server: ${server}`,
      `  name: ${cluster}`,
      'contexts:',
      '- context:',
      `    cluster: ${cluster}`,
      `    namespace: ${namespace}`,
      `    user: ${account}`,
      `  name: ${cluster}`,
      `current-context: ${cluster}`,
      'preferences: {}',
      'users:',
      `- name: ${account}`,
      '  user:',
      `    token: ${configString(token.config, 'token', '')}`,
      '',
    ].join('\n');
    const plainHttp = server.startsWith('http:');
    return {
      file: { name: 'kubeconfig', content, mode: 0o600 },
      usage:
        `Plant it as ~/.kube/config (or anywhere KUBECONFIG points); any kubectl call fires the token.` +
        (plainHttp ? ' The public URL is plain http: kubectl sends the token only over https, so hits will not name the credential.' : ''),
    };
  },
};

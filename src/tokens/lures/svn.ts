import { createHash, randomUUID } from 'node:crypto';
import { pick } from '../decoy-secret.js';
import { recentPastIso } from '../documents/persona.js';
import { describeClientHit } from '../documents/office-clients.js';
import type { TokenKind } from '../kind.js';
import { configString, publicUrlWith } from '../options.js';

const PATHS = ['svn', 'repos', 'scm/svn', 'svn/shared'];
const EXTERNAL_DIRS = ['vendor', 'third_party', 'shared-libs', 'deploy-keys', 'config'];
const AUTHORS = ['jenkins', 'deploy', 'build', 'svnadmin', 'release'];

/** One property block of a dump: K/V pairs, then PROPS-END. */
function props(values: [string, string][]): string {
  return `${values.map(([key, value]) => `K ${Buffer.byteLength(key)}\n${key}\nV ${Buffer.byteLength(value)}\n${value}\n`).join('')}PROPS-END\n`;
}

function node(path: string, kind: 'dir' | 'file', properties: [string, string][], text?: string): string {
  const block = props(properties);
  const headers = [`Node-path: ${path}`, `Node-kind: ${kind}`, 'Node-action: add', `Prop-content-length: ${Buffer.byteLength(block)}`];
  if (text !== undefined) {
    headers.push(`Text-content-length: ${Buffer.byteLength(text)}`, `Text-content-md5: ${createHash('md5').update(text).digest('hex')}`);
  }
  headers.push(`Content-length: ${Buffer.byteLength(block) + (text === undefined ? 0 : Buffer.byteLength(text))}`);
  return `${headers.join('\n')}\n\n${block}${text ?? ''}\n\n`;
}

function revision(number: number, properties: [string, string][]): string {
  const block = props(properties);
  return `Revision-number: ${number}\nProp-content-length: ${Buffer.byteLength(block)}\nContent-length: ${Buffer.byteLength(block)}\n\n${block}\n`;
}

function svnDate(iso: string): string {
  return iso.replace(/(\.\d+)?Z$/, '.000000Z');
}

/**
 * An `svnadmin load` dump of a small repository (trunk, branches, tags) whose trunk has an
 * svn:externals property pointing at the token: every checkout or update fetches it.
 */
export function svnDump(options: { uuid: string; url: string; directory: string; author: string; created: string }): string {
  const readme = 'Deployment scripts and shared configuration.\nSee vendor/ for the pinned third-party code.\n';
  return [
    'SVN-fs-dump-format-version: 2\n\n',
    `UUID: ${options.uuid}\n\n`,
    revision(0, [['svn:date', svnDate(options.created)]]),
    revision(1, [
      ['svn:log', 'Initial import'],
      ['svn:author', options.author],
      ['svn:date', svnDate(options.created)],
    ]),
    node('branches', 'dir', []),
    node('tags', 'dir', []),
    node('trunk', 'dir', [['svn:externals', `${options.url} ${options.directory}\n`]]),
    node('trunk/README.txt', 'file', [], readme),
  ].join('');
}

/** A Subversion repository whose externals point at the token: `svn checkout` or `update` of it fires the token. */
export const svnTokenKind: TokenKind = {
  kind: 'svn',
  title: 'Subversion repository: alerts when checked out or updated',
  prepare() {
    return {
      path: pick(PATHS),
      directory: pick(EXTERNAL_DIRS),
      author: pick(AUTHORS),
      uuid: randomUUID(),
      created: recentPastIso(),
    };
  },
  artifact(token, context) {
    const url = publicUrlWith(context, `${configString(token.config, 'path', 'svn')}/${token.id}/trunk`);
    const directory = configString(token.config, 'directory', 'vendor');
    const dump = svnDump({
      uuid: configString(token.config, 'uuid', token.id),
      url,
      directory,
      author: configString(token.config, 'author', 'deploy'),
      created: configString(token.config, 'created', token.createdAt),
    });
    return {
      url,
      file: { name: 'repository.dump', content: dump, mode: 0o644 },
      usage: `Load it with \`svnadmin create REPO && svnadmin load REPO < repository.dump\`, or set the property on a repository of your own (\`svn propset svn:externals "${url} ${directory}" trunk\`); any checkout or update of trunk fetches the external, which fires the token.`,
    };
  },
  describeHit: (hit) => describeClientHit(hit, (client) => `repository checked out or updated with ${client}`),
};

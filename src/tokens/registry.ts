import { ValidationError } from '../core/errors.js';
import type { Hit, HitDescription, HitView } from '../core/model/hit.js';
import { awsCredentialsTokenKind } from './aws-credentials.js';
import { dnsTokenKind } from './dns.js';
import { excelTokenKind } from './documents/excel.js';
import { pdfTokenKind } from './documents/pdf.js';
import { qrTokenKind } from './documents/qr.js';
import { wordTokenKind } from './documents/word.js';
import { emailTokenKind } from './email.js';
import { envTokenKind } from './env.js';
import { fileTokenKind } from './file.js';
import { gitCredentialsTokenKind } from './git-credentials.js';
import { describeByArrival } from './hits/describe.js';
import { httpTokenKind } from './http.js';
import type { TokenKind } from './kind.js';
import { kubeconfigTokenKind } from './kubeconfig.js';
import { clonedSiteTokenKind } from './lures/cloned-site.js';
import { log4shellTokenKind } from './lures/log4shell.js';
import { svnTokenKind } from './lures/svn.js';
import { mysqlDumpTokenKind } from './mysql-dump.js';
import { netrcTokenKind } from './netrc.js';
import { sshKeyTokenKind } from './ssh-key.js';
import { wireguardTokenKind } from './wireguard.js';

const KIND_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const kinds = new Map<string, TokenKind>();

/**
 * Adds a token kind: from then on the API creates it, lists it and serves its hits, alerts
 * describe its hits, and the dashboard offers it. Kinds are registered at startup, before the
 * server listens; a name is taken once.
 */
export function registerTokenKind(kind: TokenKind): void {
  if (!KIND_NAME.test(kind.kind)) throw new ValidationError(`token kind "${kind.kind}" must be lower-case letters, digits and "-"`, { field: 'kind' });
  if (kinds.has(kind.kind)) throw new ValidationError(`token kind "${kind.kind}" is already registered`, { field: 'kind' });
  kinds.set(kind.kind, kind);
}

for (const kind of [
  httpTokenKind,
  dnsTokenKind,
  kubeconfigTokenKind,
  gitCredentialsTokenKind,
  netrcTokenKind,
  awsCredentialsTokenKind,
  envTokenKind,
  fileTokenKind,
  wordTokenKind,
  excelTokenKind,
  qrTokenKind,
  pdfTokenKind,
  clonedSiteTokenKind,
  svnTokenKind,
  log4shellTokenKind,
  sshKeyTokenKind,
  mysqlDumpTokenKind,
  emailTokenKind,
  wireguardTokenKind,
]) {
  registerTokenKind(kind);
}

export function tokenKinds(): TokenKind[] {
  return [...kinds.values()];
}

/** The registered kind of that name, if any (trigger paths, which must not throw on old kinds). */
export function findTokenKind(kind: string): TokenKind | undefined {
  return kinds.get(kind);
}

export function tokenKind(kind: string): TokenKind {
  const found = kinds.get(kind);
  if (!found) {
    throw new ValidationError(`unknown token kind "${kind}"; known kinds: ${[...kinds.keys()].join(', ')}`, {
      field: 'kind',
    });
  }
  return found;
}

/** How a hit reads, as its token's kind describes it; a kind no longer registered is described by how the hit arrived. */
export function describeHit(hit: Hit): HitDescription {
  const describe = kinds.get(hit.kind)?.describeHit ?? describeByArrival;
  try {
    return describe(hit);
  } catch {
    // Stored details are typed, not re-validated, when read: a malformed one (or a kind's bug)
    // still lists and still alerts, with its time, source and raw detail.
    return { summary: '', facts: [] };
  }
}

/** A hit as the API and the live stream send it. Computed when sent, never on the trigger path. */
export function hitView(hit: Hit): HitView {
  return { ...hit, ...describeHit(hit) };
}

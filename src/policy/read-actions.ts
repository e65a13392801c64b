import type { Cursor, Fields } from './reader.js';
import type { Action, ActionName, RateLimitScope } from './model.js';
import { canonicalName } from './operators.js';

const ACTIONS: readonly ActionName[] = ['Post', 'NoPost', 'GetUrl', 'DnsLookup', 'Sigkill', 'Override', 'Signal'];
const TETRAGON_ONLY_ACTIONS = ['FollowFD', 'UnfollowFD', 'CopyFD', 'TrackSock', 'UntrackSock', 'NotifyEnforcer', 'CleanupEnforcerNotification', 'Set'];
const ACTION_FIELDS = ['action', 'argUrl', 'argFqdn', 'argError', 'argSig', 'rateLimit', 'rateLimitScope', 'kernelStackTrace', 'userStackTrace', 'imaHash'];
/** Which fields each action takes; any other is a mistake worth reporting. */
const FIELDS_OF: Record<ActionName, readonly string[]> = {
  Post: ['rateLimit', 'rateLimitScope', 'kernelStackTrace', 'userStackTrace', 'imaHash'],
  NoPost: [],
  GetUrl: ['argUrl'],
  DnsLookup: ['argFqdn'],
  Sigkill: [],
  Override: ['argError'],
  Signal: ['argSig'],
};
const SCOPES: readonly RateLimitScope[] = ['thread', 'process', 'global'];
const MAX_ERRNO = 4095;
const MAX_SIGNAL = 64;

export function readActions(list: Cursor): Action[] {
  const actions: Action[] = [];
  let post: Cursor | undefined;
  let noPost: Cursor | undefined;
  for (const item of list.items() ?? []) {
    const action = readAction(item);
    if (!action) continue;
    actions.push(action);
    if (action.action === 'Post') post ??= item;
    if (action.action === 'NoPost') noPost ??= item;
  }
  if (post && noPost) noPost.error('NoPost conflicts with Post in the same matchActions');
  return actions;
}

function readAction(item: Cursor): Action | undefined {
  const fields = item.fields(ACTION_FIELDS);
  const nameAt = fields?.require('action');
  const written = nameAt?.string();
  if (!fields || !nameAt || written === undefined) return undefined;
  const name = canonicalName(written, ACTIONS);
  if (!name) {
    const tetragonOnly = canonicalName(written, TETRAGON_ONLY_ACTIONS);
    return nameAt.error(
      tetragonOnly
        ? `${tetragonOnly} is a Tetragon action Tripline does not support; supported: ${ACTIONS.join(', ')}`
        : `unknown action ${JSON.stringify(written)}; supported: ${ACTIONS.join(', ')}`,
    );
  }
  let misplaced = false;
  for (const field of ACTION_FIELDS.slice(1)) {
    if (fields.has(field) && !FIELDS_OF[name].includes(field)) {
      fields.get(field).error(`${field} does not apply to ${name}`);
      misplaced = true;
    }
  }
  const action = readArguments(name, fields);
  return misplaced ? undefined : action;
}

function readArguments(name: ActionName, fields: Fields): Action | undefined {
  switch (name) {
    case 'Post':
      return readPost(fields);
    case 'NoPost':
    case 'Sigkill':
      return { action: name };
    case 'GetUrl': {
      const url = fields.require('argUrl');
      const text = url?.string();
      if (!url || text === undefined) return undefined;
      if (!isHttpUrl(text)) return url.error(`must be an http:// or https:// URL, got ${JSON.stringify(text)}`);
      return { action: 'GetUrl', argUrl: text };
    }
    case 'DnsLookup': {
      const fqdn = fields.require('argFqdn');
      const text = fqdn?.string();
      if (!fqdn || text === undefined) return undefined;
      if (!isHostname(text)) return fqdn.error(`must be a domain name, got ${JSON.stringify(text)}`);
      return { action: 'DnsLookup', argFqdn: text };
    }
    case 'Override': {
      // Overriding with success (0) or a positive value would let the access through unseen.
      const argError = fields.require('argError')?.integer(-MAX_ERRNO, -1);
      return argError === undefined ? undefined : { action: 'Override', argError };
    }
    case 'Signal': {
      const argSig = fields.require('argSig')?.integer(1, MAX_SIGNAL);
      return argSig === undefined ? undefined : { action: 'Signal', argSig };
    }
  }
}

function readPost(fields: Fields): Action | undefined {
  const rate = fields.get('rateLimit');
  const scopeAt = fields.get('rateLimitScope');
  let rateLimit: string | undefined;
  let rateLimitMs: number | undefined;
  if (rate.present) {
    rateLimit = rate.text();
    if (rateLimit === undefined) return undefined;
    rateLimitMs = parseRateLimit(rateLimit);
    if (rateLimitMs === undefined) {
      return rate.error(`expected a duration like 30s, 5m or 1h, or a number of seconds; got ${JSON.stringify(rateLimit)}`);
    }
  }
  let rateLimitScope: RateLimitScope = 'thread';
  if (scopeAt.present) {
    const scope = scopeAt.string();
    if (scope === undefined) return undefined;
    if (!SCOPES.includes(scope as RateLimitScope)) {
      return scopeAt.error(`unknown scope ${JSON.stringify(scope)}; expected one of ${SCOPES.join(', ')}`);
    }
    rateLimitScope = scope as RateLimitScope;
    if (!rate.present) scopeAt.warn('has no effect without rateLimit');
  }
  for (const flag of ['kernelStackTrace', 'userStackTrace', 'imaHash']) {
    const at = fields.get(flag);
    if (at.present && at.boolean()) at.warn('is not available from the fanotify sensor and is ignored');
  }
  const post: Action = { action: 'Post', rateLimitScope };
  if (rateLimit !== undefined && rateLimitMs) Object.assign(post, { rateLimit, rateLimitMs });
  return post;
}

/** Tetragon's rate-limit syntax: seconds by default, or an s, m or h suffix. 0 means no limit. */
export function parseRateLimit(text: string): number | undefined {
  const match = /^(\d+)([smh]?)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600 }[match[2]!.toLowerCase()]!;
  return Number(match[1]) * unit * 1000;
}

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isHostname(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(label));
}

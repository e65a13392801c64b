import type { FileHitDetail, ProcessInfo } from '../core/file-event.js';
import type { Hit } from '../store/repositories/hits.js';
import { MAX_FOLDED_KEYS } from '../store/repositories/alerts.js';
import type { AlertMessage } from './message.js';

/** One labelled piece of evidence, plain text (channels escape it for their format). */
export interface Fact {
  label: string;
  value: string;
  /** Evidence that may run long (headers, arguments): shown in full width, not inline. */
  long?: boolean;
}

const MAX_HEADERS = 30;
const MAX_FACT = 1000;

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function cap(value: string): string {
  return value.length > MAX_FACT ? `${value.slice(0, MAX_FACT - 1)}…` : value;
}

function processLine(process: ProcessInfo): string {
  return [process.binary, ...(Array.isArray(process.arguments) ? process.arguments : [])].join(' ');
}

function httpFacts(detail: Record<string, unknown>): Fact[] {
  const facts: Fact[] = [];
  const query = text(detail.query);
  facts.push({ label: 'Request', value: cap(`${text(detail.method)} ${text(detail.path)}${query ? `?${query}` : ''}`) });
  const headers = detail.headers;
  if (headers && typeof headers === 'object') {
    const lines = Object.entries(headers as Record<string, unknown>)
      .slice(0, MAX_HEADERS)
      .map(([name, value]) => `${name}: ${text(value)}`);
    if (lines.length > 0) facts.push({ label: 'Headers', value: cap(lines.join('\n')), long: true });
  }
  return facts;
}

function fileFacts(detail: FileHitDetail): Fact[] {
  const facts: Fact[] = [{ label: 'Host', value: text(detail.node) }];
  const access = detail.access;
  const tamper = detail.tamper;
  if (access) {
    facts.push({ label: 'File', value: cap(text(access.path)) });
    facts.push({ label: 'Access', value: text(access.access) });
  } else if (tamper) {
    facts.push({ label: 'File', value: cap(text(tamper.path)) });
    facts.push({ label: 'Change', value: text(tamper.change) });
  }
  const process = access?.process ?? tamper?.process ?? null;
  if (process) {
    facts.push({ label: 'Process', value: cap(processLine(process)), long: true });
    facts.push({ label: 'PID / UID', value: `${process.pid} / ${process.uid}${process.auid !== null && process.auid !== undefined ? ` (login uid ${process.auid})` : ''}` });
    if (process.cwd) facts.push({ label: 'Working directory', value: cap(text(process.cwd)) });
    if (process.containerId) facts.push({ label: 'Container', value: text(process.containerId) });
  }
  const parent = access?.parent;
  if (parent) facts.push({ label: 'Parent', value: cap(`${processLine(parent)} (pid ${parent.pid})`), long: true });
  if (detail.policy) facts.push({ label: 'Policy', value: text(detail.policy) });
  if (Array.isArray(detail.actions) && detail.actions.length > 0) facts.push({ label: 'Actions', value: detail.actions.join(', ') });
  return facts;
}

/** Kinds this module does not know (DNS, credentials ...): their simple top-level fields. */
function otherFacts(detail: Record<string, unknown>): Fact[] {
  return Object.entries(detail)
    .filter(([label, value]) => label !== 'summary' && ['string', 'number', 'boolean'].includes(typeof value))
    .slice(0, 12)
    .map(([label, value]) => ({ label, value: cap(text(value)) }));
}

export function isFileDetail(detail: Record<string, unknown>): detail is Record<string, unknown> & FileHitDetail {
  return typeof detail.node === 'string' && (typeof detail.access === 'object' || typeof detail.tamper === 'object') && (detail.access ?? detail.tamper) !== null;
}

export function isHttpDetail(detail: Record<string, unknown>): boolean {
  return typeof detail.method === 'string' && typeof detail.path === 'string';
}

/** The one-line account every trigger stores with its hit (e.g. "cat (pid 42, uid 0) read ..."). */
function hitSummary(hit: Hit): string | undefined {
  return typeof hit.detail.summary === 'string' && hit.detail.summary !== '' ? hit.detail.summary : undefined;
}

/** The evidence of a hit as labelled facts, most telling first. */
export function hitFacts(hit: Hit): Fact[] {
  const facts: Fact[] = [{ label: 'Time', value: hit.at }, { label: 'Source', value: hit.source }];
  const what = hitSummary(hit);
  if (what) facts.push({ label: 'What', value: cap(what) });
  const detail = hit.detail;
  if (isFileDetail(detail)) return [...facts, ...fileFacts(detail)];
  if (hit.userAgent !== null) facts.push({ label: 'User agent', value: cap(hit.userAgent) });
  if (isHttpDetail(detail)) return [...facts, ...httpFacts(detail)];
  return [...facts, ...otherFacts(detail)];
}

const TAMPER_WORDS: Record<string, string> = {
  deleted: 'deleted',
  renamed: 'renamed',
  replaced: 'replaced',
  mode_changed: 'permissions changed',
  modified: 'modified',
};

/** "3 more sources"; a digest stops remembering keys at MAX_FOLDED_KEYS, so from there on it is "at least". */
function moreSources(n: number): string {
  return `${n >= MAX_FOLDED_KEYS ? 'at least ' : ''}${n} more ${n === 1 ? 'source' : 'sources'}`;
}

/** The message's headline: what happened, in one line. */
export function headline(message: AlertMessage): string {
  switch (message.purpose) {
    case 'digest':
      if (message.moreSources > 0) return `${moreSources(message.moreSources)} on token: ${message.token.memo}`;
      return `${message.moreHits} more ${message.moreHits === 1 ? 'hit' : 'hits'} on token: ${message.token.memo}`;
    case 'test':
      return `Tripline test alert: ${message.token.memo}`;
    default: {
      const tamper = message.firstHit.detail.tamper as FileHitDetail['tamper'];
      if (tamper) return `Decoy ${TAMPER_WORDS[tamper.change] ?? 'changed'}: ${message.token.memo}`;
      return `Canary token triggered: ${message.token.memo}`;
    }
  }
}

/** One sentence under the headline; plain text with attacker input (the source) in it. */
export function summary(message: AlertMessage): string {
  const who = message.firstHit.source;
  if (message.purpose === 'digest' && message.moreSources > 0) {
    return `${message.moreHits} ${message.moreHits === 1 ? 'hit' : 'hits'} from ${moreSources(message.moreSources)} beyond the alerts already sent for this window, the first from ${who} at ${message.firstHit.at}, the last at ${message.lastHitAt}.`;
  }
  if (message.purpose === 'digest') {
    return `${message.moreHits} more ${message.moreHits === 1 ? 'hit' : 'hits'} from ${who} after the first at ${message.firstHit.at}; ${message.hitCount} in all, the last at ${message.lastHitAt}.`;
  }
  const what = hitSummary(message.firstHit);
  return `The ${message.token.kind} token "${message.token.memo}" was triggered by ${who} at ${message.firstHit.at}${what ? `: ${what}` : ''}.`;
}

import { randomInt } from 'node:crypto';
import { pick } from '../decoy-secret.js';

/**
 * Who a generated document claims to come from: a plausible author, company and title, and a
 * creation time in the recent past. Chosen once per token (kept in its config), so every token's
 * document differs from every other's and its own never changes.
 */
export interface Persona {
  author: string;
  company: string;
  title: string;
  /** ISO time, whole seconds, a few days to a few months before the token. */
  created: string;
  /** A little after `created`: documents are saved more than once. */
  modified: string;
}

const FIRST = ['Anna', 'James', 'Maria', 'David', 'Sarah', 'Michael', 'Laura', 'Daniel', 'Emma', 'Thomas', 'Julia', 'Robert', 'Sofia', 'Peter'];
const LAST = ['Miller', 'Schmidt', 'Garcia', 'Johnson', 'Novak', 'Rossi', 'Andersen', 'Dubois', 'Kowalski', 'Bennett', 'Larsen', 'Weber', 'Silva'];
const COMPANY = ['Northwind Holdings', 'Contoso Ltd', 'Fabrikam Inc.', 'Blue Harbor Group', 'Alder & Finch LLP', 'Meridian Partners', 'Granite Logistics'];

/** Titles by what the document is; the caller names its kind. */
export const TITLES: Record<'word' | 'excel' | 'pdf', string[]> = {
  word: [
    'Board meeting minutes',
    'Acquisition memo - confidential',
    'Salary review 2025',
    'Incident response plan',
    'Vendor contract draft',
    'Restructuring plan',
  ],
  excel: ['Payroll Q3', 'Customer accounts export', 'Budget forecast FY26', 'Bonus allocations', 'VPN user list', 'Wire transfers pending approval'],
  pdf: ['Signed NDA', 'Invoice 2025-0417', 'Audit findings', 'Bank statement', 'Offer letter', 'Quarterly financial report'],
};

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A time a few days to a few months ago, as milliseconds: when a decoy claims to have been made. */
export function recentPast(now = Date.now()): number {
  return now - randomInt(3, 120) * 86_400_000 - randomInt(0, 86_400_000);
}

/** The same, as an ISO time in whole seconds. */
export function recentPastIso(now = Date.now()): string {
  return isoSeconds(recentPast(now));
}

export function newPersona(what: keyof typeof TITLES, now = Date.now()): Persona {
  const created = recentPast(now);
  return {
    author: `${pick(FIRST)} ${pick(LAST)}`,
    company: pick(COMPANY),
    title: pick(TITLES[what]),
    created: isoSeconds(created),
    modified: isoSeconds(created + randomInt(600, 3 * 86_400) * 1000),
  };
}

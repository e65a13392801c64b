import type { Fact } from '../../core/model/hit.js';

/** Longest fact value: enough evidence for a person, never a flood into a chat message. */
const MAX_FACT = 1000;

export function capFact(value: string): string {
  return value.length > MAX_FACT ? `${value.slice(0, MAX_FACT - 1)}…` : value;
}

/** A fact whose value may be attacker text, cut to a size any channel can carry. */
export function fact(label: string, value: string, long?: boolean): Fact {
  return long ? { label, value: capFact(value), long } : { label, value: capFact(value) };
}

/** The user agent, first of a network hit's evidence when the client sent one. */
export function userAgentFacts(userAgent: string | null): Fact[] {
  return userAgent === null ? [] : [fact('User agent', userAgent)];
}

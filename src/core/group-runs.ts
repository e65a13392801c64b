/**
 * Groups items by a string key, in first-seen order, as a Map of arrays would. An item that
 * `sameAsPrevious` says belongs with the item before it joins that item's group without its key
 * being made: under a flood a batch is hundreds of hits of one token, minute and source, and
 * building and hashing a fresh key string for each of them cost more than the rest of the grouping.
 * `sameAsPrevious(a, b)` must only hold when `key(a) === key(b)`.
 */
export function groupRuns<T>(items: Iterable<T>, key: (item: T) => string, sameAsPrevious: (previous: T, item: T) => boolean): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  let previous: T | undefined;
  let current: T[] | undefined;
  for (const item of items) {
    if (current === undefined || !sameAsPrevious(previous as T, item)) {
      const name = key(item);
      current = groups.get(name);
      if (current === undefined) {
        current = [];
        groups.set(name, current);
      }
    }
    current.push(item);
    previous = item;
  }
  return groups;
}

/**
 * Whether two strings agree in their first `length` characters (`a.slice(0, length) ===
 * b.slice(0, length)`), without making the slices: times of one minute or hour compare this way.
 */
export function samePrefix(a: string, b: string, length: number): boolean {
  if (a === b) return true;
  const end = Math.min(a.length, length);
  if (end !== Math.min(b.length, length)) return false;
  // From the end: times of one batch differ, if at all, in their last digits.
  for (let i = end - 1; i >= 0; i--) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/**
 * Items (hits) grouped by token and by the period their ISO time falls in, the time cut to its
 * first `periodLength` characters (16 for the minute, 13 for the hour). Keys are
 * `tokenId\nperiod`, so sorting them orders by token, then time.
 */
export function groupByTokenAndPeriod<T extends { tokenId: string; at: string }>(items: readonly T[], periodLength: number): Map<string, T[]> {
  return groupRuns(
    items,
    (item) => `${item.tokenId}\n${item.at.slice(0, periodLength)}`,
    (previous, item) => item.tokenId === previous.tokenId && samePrefix(item.at, previous.at, periodLength),
  );
}

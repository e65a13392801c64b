export { sleep } from '../../src/core/backoff.js';

/**
 * Polls `check` until it returns something other than undefined, null or false, or fails after
 * `timeoutMs` saying what it waited for (and the last error `check` threw, if any).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 20_000,
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The first item of a growing list that matches; on timeout the error shows what did arrive. */
export function waitForItem<T>(what: string, list: readonly T[], match: (item: T) => boolean, timeoutMs = 20_000): Promise<T> {
  return waitFor(what, () => list.find(match), timeoutMs).catch((error: Error) => {
    throw new Error(`${error.message}; saw:\n${list.map((item) => JSON.stringify(item)).join('\n')}`);
  });
}

/** A small seeded generator, so a failing fuzz run can be replayed with its seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integers and byte strings from a seeded generator. */
export function randomTools(seed: number): { int(n: number): number; bytes(n: number): Buffer; pick<T>(list: readonly T[]): T } {
  const next = random(seed);
  const int = (n: number) => Math.floor(next() * n);
  return {
    int,
    bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => int(256))),
    pick: <T>(list: readonly T[]) => list[int(list.length)]!,
  };
}

/** The seed of this run: TRIPLINE_FUZZ_SEED to replay one, else a fresh one. */
export function fuzzSeed(): number {
  return Number(process.env.TRIPLINE_FUZZ_SEED ?? Date.now() % 2 ** 31);
}

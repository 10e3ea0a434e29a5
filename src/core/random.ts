/**
 * Seeded pseudo-random numbers, said once: one generator per virtual user, derived from the run's
 * seed, so task choice and payloads repeat for the same `--seed` (docs/cli.md "--seed"); the
 * reference server's faults and the benchmarks' samples use the same mulberry32.
 */

/** A random source in [0, 1). */
export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Integer in [min, max] (inclusive, like Python's randint). */
  int(min: number, max: number): number;
}

/** splitmix32 finaliser: spreads a 32-bit input into a well-mixed 32-bit output. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** mulberry32: small, fast, good enough for load shaping and faults (not for cryptography). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random source seeded with `seed` (mixed first, so nearby seeds give unrelated streams). */
export function createRandom(seed: number): RandomSource {
  const next = mulberry32(mix32(seed >>> 0));
  return {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor((max - min + 1) * next()),
  };
}

/** The generator of virtual user `userIndex` (1-based) for a run seeded with `seed`. */
export function userRandom(seed: number, userIndex: number): RandomSource {
  return createRandom(mix32((seed >>> 0) ^ mix32(userIndex)));
}

/** A fresh seed when the user gave none (recorded in the result so the run can be repeated). */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

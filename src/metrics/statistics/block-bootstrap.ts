/**
 * Which windows a bootstrap resample picks (docs/statistics.md "The unit is the window"):
 *  - one run: the circular block bootstrap over its windows (Politis & Romano 1992, a variant of
 *    Künsch's 1989 moving block bootstrap that gives every window the same chance), blocks of
 *    ⌈n^(1/3)⌉ consecutive windows (Hall, Horowitz & Jing 1995: the order that suits variance
 *    estimates), so the dependence between neighbouring windows stays inside a block;
 *  - several runs: two stages (Davison & Hinkley 1997, §3.8): the runs are drawn with
 *    replacement, then each drawn run's windows by blocks as above. The run-to-run variance is
 *    then in the interval; the second stage makes it slightly wider than it needs to be (safe).
 */
import type { RandomSource } from '../../core/random.js';
import type { PreparedSide, PreparedWindow } from './window-sample.js';

export function blockLength(n: number): number {
  return Math.max(1, Math.ceil(Math.cbrt(n)));
}

/** n windows of `run` drawn as circular blocks. */
export function blockResample(run: readonly PreparedWindow[], rng: RandomSource, out: PreparedWindow[]): void {
  const n = run.length;
  const b = Math.min(blockLength(n), n);
  let taken = 0;
  while (taken < n) {
    const start = rng.int(0, n - 1);
    for (let j = 0; j < b && taken < n; j++, taken++) out.push(run[(start + j) % n]);
  }
}

/** One resample of a side: the windows it picks. */
export function resampleSide(side: PreparedSide, rng: RandomSource): PreparedWindow[] {
  const out: PreparedWindow[] = [];
  const runs = side.runs;
  if (runs.length === 1) {
    blockResample(runs[0], rng, out);
    return out;
  }
  for (let i = 0; i < runs.length; i++) blockResample(runs[rng.int(0, runs.length - 1)], rng, out);
  return out;
}

/** Units at the top level of the resampling: runs when several, else windows. */
export function topUnits(side: PreparedSide): number {
  return side.runs.length > 1 ? side.runs.length : (side.runs[0]?.length ?? 0);
}

/**
 * The decision rule (docs/statistics.md "Deciding"): an interval against a minimum effect.
 *  - regression: the whole interval lies beyond +minEffect (latencies: ratio > 1 + minEffect);
 *  - improvement: the whole interval lies beyond −minEffect;
 *  - no change: otherwise, when the interval is inside ±resolution; the pass then says
 *    "no change beyond ±X %", X the interval's farther end — the smallest change this
 *    comparison could have seen;
 *  - inconclusive: otherwise (the interval is too wide to vouch for anything).
 */

export type Outcome = 'regression' | 'improvement' | 'no-change' | 'inconclusive';

export interface Decision {
  outcome: Outcome;
  /** The farthest the true change may be from none, within the interval (a fraction: 0.07 = 7 %; or an error-rate difference). */
  bound: number;
}

/** `lo`, `hi`: the interval of the change (ratio − 1 for latencies, difference for error rates). */
export function decide(lo: number, hi: number, minEffect: number, resolution: number): Decision {
  const bound = Math.max(Math.abs(lo), Math.abs(hi));
  if (lo > minEffect) return { outcome: 'regression', bound };
  if (hi < -minEffect) return { outcome: 'improvement', bound };
  if (bound <= resolution) return { outcome: 'no-change', bound };
  return { outcome: 'inconclusive', bound };
}

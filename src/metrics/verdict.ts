/**
 * The regression verdict's shape (in latest.json as `verdict`, and `compare --json`): pure data.
 * How it is reached: docs/statistics.md; src/metrics/statistics/ and src/run/judging/.
 */
import type { BaselineVerdict } from './result.js';
import type { VerdictSettings, VerdictTest } from './statistics/compare-entries.js';

export type { VerdictSettings, VerdictTest } from './statistics/compare-entries.js';

export interface RegressionVerdict {
  /** regression: some interval lies wholly beyond +minEffect (exit 1); pass: none does and every judged test could see; inconclusive: a judged test could not. */
  outcome: 'regression' | 'pass' | 'inconclusive';
  /** One sentence: what was found, or "no change beyond ±X % (95 %)", or why inconclusive. */
  statement: string;
  scenario: string;
  base: { files: string[]; runs: number };
  candidate: { files: string[]; runs: number };
  /** Settings it was reached with (minimum effects, family-wise α, resamples, seed). */
  settings: VerdictSettings;
  /** Intervals built (Bonferroni's m) and the z each used. */
  tested: number;
  z: number;
  tests: VerdictTest[];
  /** The seed's rule on the same files (+20 % p95/p99, +0.05 error rate), shown beside it. */
  seedRule?: BaselineVerdict;
  /** Things the reader must know, e.g. routes only one side has. */
  notes: string[];
}

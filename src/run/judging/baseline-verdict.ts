/**
 * `--baseline FILE` after a run (issue 20): the regression verdict of this run against the file
 * when the file carries distributions and the rule is `verdict` (the default); otherwise the
 * seed's rule decides — with a one-line warning when it is because the file has none. The seed
 * rule's numbers are always kept (result.baseline), so Locust users see the figures they know.
 */
import type { BaselineFigures } from '../../metrics/baseline.js';
import type { Distributions } from '../../metrics/distributions.js';
import type { BaselineVerdict } from '../../metrics/result.js';
import type { RegressionVerdict } from '../../metrics/verdict.js';
import { verdictSettings, type MinimumEffectOptions } from './compare.js';
import { regressionVerdict } from './verdict.js';

export interface BaselineJudgement {
  /** Present when the verdict decides. */
  verdict?: RegressionVerdict;
  /** Failure sentences of whichever rule decides. */
  reasons: string[];
  warning?: string;
  /** The seed rule decides (and result.baseline.pass counts). */
  seedDecides: boolean;
}

export function judgeAgainstBaseline(
  base: BaselineFigures, file: string, seed: BaselineVerdict,
  current: BaselineFigures & { distributions: Distributions }, rule: 'verdict' | 'seed' = 'verdict', minimum: MinimumEffectOptions = {},
): BaselineJudgement {
  if (rule === 'seed') return { reasons: [], seedDecides: true };
  if (!base.distributions) {
    const why = base.distributionsProblem ?? 'it has no distributions (an older mlop-sim file or the seed\'s Locust latest.json)';
    return { reasons: [], seedDecides: true, warning: `baseline ${file}: judged by the seed's rule (+20 % p95/p99, +0.05 error rate) because ${why}.` };
  }
  const verdict = regressionVerdict(
    [{ file, figures: base, distributions: base.distributions }],
    [{ file: 'this run', figures: current, distributions: current.distributions }],
    verdictSettings(minimum),
  );
  verdict.seedRule = seed;
  const reasons = verdict.outcome === 'regression' ? [`baseline ${file}: ${verdict.statement}`] : [];
  return { verdict, reasons, seedDecides: false };
}

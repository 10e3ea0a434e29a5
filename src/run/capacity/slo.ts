/**
 * The SLOs of a capacity search: `--slo` expressions in the threshold syntax (src/metrics/thresholds.ts,
 * the aliases of src/run/judging.ts), or, without any, the seed's limits on the judged entries
 * (P95_THRESHOLD_MS, P99_THRESHOLD_MS, MAX_ERROR_RATE or --p95/--p99/--max-error-rate). And how
 * many samples a step's window needs for the SLO's quantile to be stable.
 */
import type { ThresholdSpec } from '../../metrics/thresholds.js';
import { thresholdSpecs } from '../judging/gates.js';
import type { Plan } from '../plan.js';

export function capacitySpecs(slos: readonly string[], judged: readonly string[], plan: Pick<Plan, 'env' | 'overrides'>): ThresholdSpec[] {
  const limits = thresholdSpecs({ expressions: [], env: plan.env, overrides: plan.overrides }, judged);
  if (slos.length === 0) return limits;
  // thresholdSpecs puts the seed's limits first; with --slo given only the expressions count.
  return thresholdSpecs({ expressions: slos, env: plan.env, overrides: plan.overrides }, judged).slice(limits.length);
}

/**
 * Tail samples a quantile estimate needs beyond it: with k = 20 samples above the q-quantile the
 * distribution-free 95 % interval of the quantile spans about the k ± 2√k = 11th…29th largest
 * samples (the binomial order-statistic interval, e.g. Hahn & Meeker, *Statistical Intervals*, 1991, §5.2).
 */
export const TAIL_SAMPLES = 20;

/** Samples of the judged entry a window needs: k / (1 − q) for the highest quantile of the SLOs (0 without one). */
export function samplesNeeded(specs: readonly ThresholdSpec[]): number {
  let q = 0;
  for (const s of specs) {
    const m = /^p(\d+(?:\.\d+)?)$/.exec(s.metric);
    if (m) q = Math.max(q, Number(m[1]) / 100);
  }
  if (q <= 0) return 0;
  if (q >= 1) return TAIL_SAMPLES * 100; // max (p100): as for p99
  return Math.ceil(TAIL_SAMPLES / (1 - q));
}

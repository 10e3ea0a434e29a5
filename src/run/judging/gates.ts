/**
 * The gates that decide pass or fail: thresholds (the seed's three limits over the judged
 * entries, plus k6-like expressions), the baseline comparison and the delivery audit; and the
 * stress test's capacity assessment, which never fails the build.
 */
import { compareBaseline, type parseBaselineFile } from '../../metrics/baseline.js';
import type { BaselineVerdict, CapacityAssessment, DeliveryAudit, EntrySummary, StorageAudit, ThresholdVerdict } from '../../metrics/result.js';
import {
  evaluateThresholds,
  limitSpecs,
  parseThreshold,
  ThresholdSyntaxError,
  thresholdsFromEnv,
  type ThresholdLimits,
  type ThresholdSpec,
} from '../../metrics/thresholds.js';
import { SimUsageError } from '../../core/errors.js';
import { describeAuditFailures, describeBaselineCheck, describeStorageAudit, describeThreshold } from './gate-text.js';
import {
  AGGREGATED, E2E_ENTRY_NAME, ITERATION_ACTUAL_NAME, ITERATION_CORRECTED_NAME, ITERATION_DROPPED_NAME, SDK_HTTP_GROUP, VISIBLE_ENTRY_NAME,
} from '../../core/entry-names.js';

/** Short names usable before the `:` of a threshold expression. */
export const THRESHOLD_ALIASES: Readonly<Record<string, string>> = {
  e2e: E2E_ENTRY_NAME,
  visible: VISIBLE_ENTRY_NAME,
  agg: AGGREGATED,
  aggregated: AGGREGATED,
  all: AGGREGATED,
  sdk_http: SDK_HTTP_GROUP,
  'sdk-http': SDK_HTTP_GROUP,
  // Open model (docs/cli.md "Load models"): latency from the intended start, from the actual start, drops.
  corrected: ITERATION_CORRECTED_NAME,
  intended: ITERATION_CORRECTED_NAME,
  actual: ITERATION_ACTUAL_NAME,
  iteration: ITERATION_ACTUAL_NAME,
  dropped: ITERATION_DROPPED_NAME,
  dropped_iterations: ITERATION_DROPPED_NAME,
};

/** k6's `dropped_iterations<1`: the count of dropped iterations, written without an entry. */
const DROPPED_FORM = /^\s*dropped_iterations\s*(<=|>=|<|>)/;

/**
 * What the seed's limits allow on top for `E2E log→ack`: the SDK's sync interval
 * (docs/protocol/sdk.md §1.4 sync_process_flush_interval = 1.0 s), the time a record may wait in the
 * client's queue before the request that carries it starts.
 */
export const E2E_SYNC_ALLOWANCE_MS = 1000;

export interface ThresholdInputs {
  expressions: readonly string[];
  env: Record<string, string | undefined>;
  overrides: { p95Ms?: number; p99Ms?: number; maxErrorRate?: number };
}

/**
 * The specs to judge: the seed's limits on each judged entry (env, then flags), then each
 * expression. An expression without `entry:` applies to every judged entry.
 * Throws SimUsageError on a malformed expression or env value.
 */
export function thresholdSpecs(inputs: ThresholdInputs, judged: readonly string[]): ThresholdSpec[] {
  try {
    const env = thresholdsFromEnv(inputs.env);
    const limits: ThresholdLimits = {
      p95Ms: inputs.overrides.p95Ms ?? env.p95Ms,
      p99Ms: inputs.overrides.p99Ms ?? env.p99Ms,
      maxErrorRate: inputs.overrides.maxErrorRate ?? env.maxErrorRate,
    };
    const specs: ThresholdSpec[] = [];
    for (const entry of judged) {
      if (entry !== E2E_ENTRY_NAME) {
        specs.push(...limitSpecs(limits, [entry]));
        continue;
      }
      // A record waits up to one sync interval in the SDK's queue by design, so the seed's
      // request-latency limits get that interval added when they judge log→ack (docs/cli.md).
      const e2e = { ...limits, p95Ms: limits.p95Ms + E2E_SYNC_ALLOWANCE_MS, p99Ms: limits.p99Ms + E2E_SYNC_ALLOWANCE_MS };
      for (const spec of limitSpecs(e2e, [entry])) {
        if (spec.metric !== 'error_rate') spec.expression = `${spec.expression.replace(/=.*$/, '')}=${spec.limit - E2E_SYNC_ALLOWANCE_MS} + ${E2E_SYNC_ALLOWANCE_MS} ms sync interval`;
        specs.push(spec);
      }
    }
    for (const expr of inputs.expressions) {
      if (DROPPED_FORM.test(expr)) specs.push({ ...parseThreshold(expr.replace('dropped_iterations', `${ITERATION_DROPPED_NAME}:count`)), expression: expr.trim() });
      else if (expr.includes(':')) specs.push(parseThreshold(expr, THRESHOLD_ALIASES));
      else for (const entry of judged) specs.push({ ...parseThreshold(`${entry}:${expr}`), expression: expr.trim() });
    }
    return specs;
  } catch (err) {
    if (err instanceof ThresholdSyntaxError) throw new SimUsageError(`${err.message.replace(/\.$/, '')}.`);
    throw err;
  }
}

export function judgeThresholds(specs: readonly ThresholdSpec[], rows: ReadonlyMap<string, EntrySummary>): ThresholdVerdict[] {
  return evaluateThresholds(specs, (name) => rows.get(name));
}

export function judgeBaseline(
  baseline: ReturnType<typeof parseBaselineFile>,
  current: { p95_ms: number; p99_ms: number; error_rate: number; visible_p95_ms?: number },
  file: string,
): BaselineVerdict {
  return compareBaseline(baseline, current, file);
}

/** The stress test's assessment (docs/protocol/load-test-suite.md §6.6): good < 1 % errors, at_capacity < 5 %, else overloaded. */
export function assessCapacity(errorRate: number): CapacityAssessment {
  if (errorRate < 0.01) return 'good';
  if (errorRate < 0.05) return 'at_capacity';
  return 'overloaded';
}

/** One sentence per failed gate, worded as every report words it (gate-text.ts). */
export function failureReasons(
  thresholds: readonly ThresholdVerdict[],
  baseline?: BaselineVerdict,
  audit?: DeliveryAudit,
  storage?: StorageAudit,
): string[] {
  const reasons = thresholds.filter((t) => !t.pass).map((t) => `threshold: ${describeThreshold(t)}`);
  if (baseline && !baseline.pass) {
    for (const c of baseline.checks) if (!c.pass) reasons.push(`baseline ${baseline.file}: ${describeBaselineCheck(c)}`);
  }
  if (audit && !audit.pass) reasons.push(...describeAuditFailures(audit));
  if (storage && !storage.pass) reasons.push(describeStorageAudit(storage));
  return reasons;
}

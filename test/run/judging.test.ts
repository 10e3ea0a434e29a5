/**
 * The gates a user's build depends on: which limits apply to which judged entry (the seed's env
 * variables, flag overrides, the +1 s sync allowance on E2E log→ack), how expressions are
 * attached to entries, what a failed gate says, and the stress test's capacity boundaries.
 */
import { describe, expect, it } from 'vitest';
import { assessCapacity, E2E_SYNC_ALLOWANCE_MS, failureReasons, thresholdSpecs, THRESHOLD_ALIASES } from '../../src/run/judging/gates.js';
import { SimUsageError } from '../../src/core/errors.js';
import { AGGREGATED, E2E_ENTRY_NAME, SDK_HTTP_GROUP } from '../../src/core/entry-names.js';
import { describeAuditFailures, describeBaselineCheck, describeThreshold } from '../../src/run/judging/gate-text.js';
import type { BaselineVerdict, DeliveryAudit, ThresholdVerdict } from '../../src/metrics/result.js';

const SDK_JUDGED = [E2E_ENTRY_NAME, SDK_HTTP_GROUP];
const noInputs = { expressions: [], env: {}, overrides: {} };

function limitsOf(specs: ReturnType<typeof thresholdSpecs>, entry: string): Record<string, number> {
  return Object.fromEntries(specs.filter((s) => s.entry === entry).map((s) => [s.metric, s.limit]));
}

describe('thresholdSpecs: the seed limits', () => {
  it('defaults to p95 ≤ 500 ms, p99 ≤ 1000 ms, error_rate ≤ 0.01 on Aggregated', () => {
    const specs = thresholdSpecs(noInputs, [AGGREGATED]);
    expect(specs).toHaveLength(3);
    expect(specs.every((s) => s.op === '<=')).toBe(true);
    expect(limitsOf(specs, AGGREGATED)).toEqual({ p95: 500, p99: 1000, error_rate: 0.01 });
    expect(specs.map((s) => s.expression)).toEqual(['P95_THRESHOLD_MS=500', 'P99_THRESHOLD_MS=1000', 'MAX_ERROR_RATE=0.01']);
  });

  it('reads P95_THRESHOLD_MS, P99_THRESHOLD_MS and MAX_ERROR_RATE from the env', () => {
    const env = { P95_THRESHOLD_MS: '250', P99_THRESHOLD_MS: '700', MAX_ERROR_RATE: '0.05' };
    const specs = thresholdSpecs({ ...noInputs, env }, [AGGREGATED]);
    expect(limitsOf(specs, AGGREGATED)).toEqual({ p95: 250, p99: 700, error_rate: 0.05 });
  });

  it('lets flags override the env, one limit at a time', () => {
    const env = { P95_THRESHOLD_MS: '250', P99_THRESHOLD_MS: '700', MAX_ERROR_RATE: '0.05' };
    const specs = thresholdSpecs({ expressions: [], env, overrides: { p99Ms: 900, maxErrorRate: 0 } }, [AGGREGATED]);
    expect(limitsOf(specs, AGGREGATED)).toEqual({ p95: 250, p99: 900, error_rate: 0 });
  });

  it('adds the 1000 ms sync allowance to the latency limits of E2E log→ack only, and says so', () => {
    expect(E2E_SYNC_ALLOWANCE_MS).toBe(1000);
    const specs = thresholdSpecs({ ...noInputs, overrides: { p95Ms: 300 } }, SDK_JUDGED);
    expect(limitsOf(specs, E2E_ENTRY_NAME)).toEqual({ p95: 1300, p99: 2000, error_rate: 0.01 });
    expect(limitsOf(specs, SDK_HTTP_GROUP)).toEqual({ p95: 300, p99: 1000, error_rate: 0.01 });
    const e2e = specs.filter((s) => s.entry === E2E_ENTRY_NAME).map((s) => s.expression);
    expect(e2e).toEqual([
      'P95_THRESHOLD_MS=300 + 1000 ms sync interval',
      'P99_THRESHOLD_MS=1000 + 1000 ms sync interval',
      'MAX_ERROR_RATE=0.01',
    ]);
  });

  it('rejects a malformed env value as a usage error naming the variable', () => {
    expect(() => thresholdSpecs({ ...noInputs, env: { MAX_ERROR_RATE: '5' } }, [AGGREGATED])).toThrow(SimUsageError);
    expect(() => thresholdSpecs({ ...noInputs, env: { P95_THRESHOLD_MS: 'fast' } }, [AGGREGATED])).toThrow(/P95_THRESHOLD_MS="fast"/);
  });
});

describe('thresholdSpecs: expressions', () => {
  it('applies an expression without `entry:` to every judged entry, as written, with no allowance', () => {
    const specs = thresholdSpecs({ ...noInputs, expressions: [' p95<800 '] }, SDK_JUDGED).slice(6);
    expect(specs).toEqual([
      { expression: 'p95<800', entry: E2E_ENTRY_NAME, metric: 'p95', op: '<', limit: 800 },
      { expression: 'p95<800', entry: SDK_HTTP_GROUP, metric: 'p95', op: '<', limit: 800 },
    ]);
  });

  it('applies an expression with `entry:` to that entry only, resolving aliases', () => {
    const specs = thresholdSpecs({ ...noInputs, expressions: ['e2e:p99<=1500', 'POST /ingest/metrics:error_rate<0.02', 'agg:rps>=10'] }, SDK_JUDGED).slice(6);
    expect(specs.map((s) => [s.entry, s.metric, s.op, s.limit])).toEqual([
      [E2E_ENTRY_NAME, 'p99', '<=', 1500],
      ['POST /ingest/metrics', 'error_rate', '<', 0.02],
      [AGGREGATED, 'rps', '>=', 10],
    ]);
    expect(specs[0].expression).toBe('e2e:p99<=1500');
  });

  it('knows the documented aliases', () => {
    expect(THRESHOLD_ALIASES).toMatchObject({ e2e: E2E_ENTRY_NAME, agg: AGGREGATED, all: AGGREGATED, aggregated: AGGREGATED, sdk_http: SDK_HTTP_GROUP, 'sdk-http': SDK_HTTP_GROUP });
  });

  it.each([
    ['e2e:p95', /lacks a comparison/],
    ['e2e:p42x<5', /unknown metric/],
    ['e2e:p95<fast', /not a finite number/],
    [':p95<5', /needs the form/],
  ])('turns the malformed expression %s into one usage sentence', (expr, why) => {
    let err: unknown;
    try {
      thresholdSpecs({ ...noInputs, expressions: [expr] }, [AGGREGATED]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SimUsageError);
    expect((err as Error).message).toMatch(why);
    expect((err as Error).message).toMatch(/^Threshold "/);
  });
});

describe('failureReasons', () => {
  const verdict = (pass: boolean, actual: number): ThresholdVerdict => ({ expression: 'P95_THRESHOLD_MS=500', entry: AGGREGATED, metric: 'p95', op: '<=', limit: 500, actual, pass });

  it('is empty when every gate passes', () => {
    const baseline: BaselineVerdict = { file: 'b.json', pass: true, checks: [] };
    const audit: DeliveryAudit = { storageChecked: false, runs: [], totals: { logged: 1, acked: 1, failed: 0, pending: 0, expectedRows: 1 }, pass: true };
    expect(failureReasons([verdict(true, 12)], baseline, audit)).toEqual([]);
  });

  it('gives one sentence per failed gate, in the words of gate-text', () => {
    const failedT = verdict(false, 912);
    const check = { metric: 'p95_ms' as const, baseline: 10, current: 20, change: 1, limit: 0.2, pass: false };
    const okCheck = { metric: 'error_rate' as const, baseline: 0, current: 0, change: 0, limit: 0.01, pass: true };
    const baseline: BaselineVerdict = { file: 'reports/base.json', pass: false, checks: [check, okCheck] };
    const audit: DeliveryAudit = {
      storageChecked: true,
      runs: [],
      totals: { logged: 10, acked: 10, failed: 0, pending: 0, expectedRows: 10, storedRows: 8, lostRows: 2, duplicatedRows: 0 },
      pass: false,
    };
    const reasons = failureReasons([verdict(true, 1), failedT], baseline, audit);
    expect(reasons).toEqual([
      `threshold: ${describeThreshold(failedT)}`,
      `baseline reports/base.json: ${describeBaselineCheck(check)}`,
      ...describeAuditFailures(audit),
    ]);
    expect(reasons[0]).toContain('Aggregated p95 was 912 ms, which breaks P95_THRESHOLD_MS=500');
    expect(reasons[2]).toBe("delivery audit: 2 acknowledged rows are missing from the target's storage.");
  });
});

describe('assessCapacity', () => {
  it.each([
    [0, 'good'],
    [0.0099, 'good'],
    [0.01, 'at_capacity'],
    [0.0499, 'at_capacity'],
    [0.05, 'overloaded'],
    [1, 'overloaded'],
  ])('error rate %s → %s', (rate, expected) => {
    expect(assessCapacity(rate)).toBe(expected);
  });
});

/**
 * Building the result (latest.json and the exit code) from a real Recorder fed known samples:
 * which entry the seed's keys describe, the SDK HTTP group, the gates' verdicts and exit codes,
 * report-only scenarios, the capacity assessment, and the live line's sample.
 */
import { describe, expect, it } from 'vitest';
import { buildResult, judgedEntries, liveSample, selectorFor, type ResultInputs } from '../../src/run/judging/result-builder.js';
import { thresholdSpecs } from '../../src/run/judging/gates.js';
import { resolvePlan } from '../../src/run/plan.js';
import { Recorder } from '../../src/metrics/recorder.js';
import type { ScenarioDefinition } from '../../src/load/scenario.js';
import type { DeliveryAudit } from '../../src/metrics/result.js';
import { AGGREGATED, E2E_ENTRY_NAME, SDK_HTTP_GROUP } from '../../src/core/entry-names.js';
import { EXIT_CODES } from '../../src/core/exit-codes.js';

const T0 = 1_700_000_000_000;
const task = { name: 't', weight: 1, run: () => undefined };
const SDK: ScenarioDefinition = { name: 'sdk', tasks: [task], sdk: true };
const HTTP: ScenarioDefinition = { name: 'http', tasks: [task] };
const STRESS: ScenarioDefinition = { name: 'stress', tasks: [task], failsBuild: false, capacityAssessment: true };

function clockedRecorder(): { recorder: Recorder; clock: { t: number } } {
  const clock = { t: T0 };
  return { recorder: new Recorder({ now: () => clock.t }), clock };
}

function repeat(recorder: Recorder, n: number, method: string, route: string, ms: number, ok = true): void {
  for (let i = 0; i < n; i++) recorder.record(method, route, ms, ok, 100, ok ? undefined : 'HTTP 503');
}

function inputs(recorder: Recorder, scenario: ScenarioDefinition, over: Partial<ResultInputs> = {}): ResultInputs {
  const judged = judgedEntries(scenario);
  const plan = resolvePlan({ users: 4, seed: 7 });
  return {
    recorder,
    scenario,
    judged,
    specs: thresholdSpecs({ expressions: [], env: {}, overrides: {} }, judged),
    plan,
    load: plan.load,
    loadDescription: '4 users at 4/s for 30 s',
    startedAt: new Date(T0),
    endedAt: new Date(T0 + 10_000),
    durationS: 10,
    target: { ingestUrl: 'http://127.0.0.1:3003', apiUrl: 'http://127.0.0.1:3001', embedded: true },
    dlq: {},
    interrupted: false,
    ...over,
  };
}

/** An SDK run's samples: slow acks (1200 ms, a sync interval included), fast requests. */
function sdkSamples(recorder: Recorder, httpFailures: number): void {
  repeat(recorder, 40, 'E2E', 'log→ack', 1200);
  repeat(recorder, 50, 'SDK', 'run.log (metrics)', 0.05);
  repeat(recorder, 20 - httpFailures, 'POST', '/ingest/metrics', 20);
  repeat(recorder, httpFailures, 'POST', '/ingest/metrics', 30, false);
  repeat(recorder, 4, 'POST', '/api/runs/create', 40);
}

describe('judgedEntries and selectorFor', () => {
  it('judges E2E log→ack then SDK HTTP (all) for SDK scenarios, Aggregated otherwise', () => {
    expect(judgedEntries(SDK)).toEqual([E2E_ENTRY_NAME, SDK_HTTP_GROUP]);
    expect(judgedEntries(HTTP)).toEqual([AGGREGATED]);
    expect(judgedEntries({ ...SDK, judge: 'aggregated' })).toEqual([AGGREGATED]);
    expect(judgedEntries({ ...HTTP, judge: 'sdk' })).toEqual([E2E_ENTRY_NAME, SDK_HTTP_GROUP]);
  });

  it('selects HTTP entries for Aggregated and the SDK HTTP group (units are not mixed), the entry itself otherwise', () => {
    const agg = selectorFor(AGGREGATED) as (n: string) => boolean;
    const http = selectorFor(SDK_HTTP_GROUP) as (n: string) => boolean;
    expect(['E2E log→ack', 'SDK run.log (metrics)', 'POST /ingest/metrics', 'ITERATION dropped'].map(agg)).toEqual([false, false, true, false]);
    expect(['POST /ingest/metrics', 'GET /api/runs/heartbeat'].map(http)).toEqual([true, true]);
    expect(['E2E log→ack', 'SDK run.log (metrics)', 'TASK onStart'].map(http)).toEqual([false, false, false]);
    expect(selectorFor('POST /ingest/logs')).toEqual(['POST /ingest/logs']);
  });
});

describe('buildResult: the seed keys', () => {
  it('describe E2E log→ack for an SDK scenario, not the fast requests', () => {
    const { recorder } = clockedRecorder();
    sdkSamples(recorder, 0);
    const r = buildResult(inputs(recorder, SDK));
    expect(r.p50_ms).toBeCloseTo(1200, 6);
    expect(r.p95_ms).toBeCloseTo(1200, 6);
    expect(r.p99_ms).toBeCloseTo(1200, 6);
    expect(r.total_requests).toBe(40);
    expect(r.error_rate).toBe(0);
    expect(r.rps).toBeCloseTo(4, 6);
    expect(r.judged).toEqual([E2E_ENTRY_NAME, SDK_HTTP_GROUP]);
  });

  it('describe every entry (Aggregated) for a plain HTTP scenario', () => {
    const { recorder } = clockedRecorder();
    repeat(recorder, 90, 'POST', '/ingest/metrics', 10);
    repeat(recorder, 10, 'POST', '/ingest/logs', 10, false);
    const r = buildResult(inputs(recorder, HTTP));
    expect(r.total_requests).toBe(100);
    expect(r.error_rate).toBeCloseTo(0.1, 12);
    expect(r.p50_ms).toBeCloseTo(10, 6);
    expect(r.aggregated.count).toBe(100);
  });

  it('report zeros, not NaN, for a judged entry without samples', () => {
    const { recorder } = clockedRecorder();
    repeat(recorder, 5, 'POST', '/ingest/metrics', 10);
    const r = buildResult(inputs(recorder, SDK));
    expect(r.total_requests).toBe(0);
    expect(r.error_rate).toBe(0);
    expect(r.pass).toBe(false); // "no samples" of E2E log→ack does not pass silently
  });
});

describe('buildResult: the SDK HTTP group and the gates', () => {
  it('sums the HTTP entries only into SDK HTTP (all), and judges it', () => {
    const { recorder } = clockedRecorder();
    sdkSamples(recorder, 2);
    const r = buildResult(inputs(recorder, SDK));
    const httpVerdicts = r.thresholds.filter((t) => t.entry === SDK_HTTP_GROUP);
    expect(httpVerdicts.map((t) => t.metric)).toEqual(['p95', 'p99', 'error_rate']);
    const errorRate = httpVerdicts.find((t) => t.metric === 'error_rate')!;
    expect(errorRate.actual).toBeCloseTo(2 / 24, 12); // 20 ingest + 4 create; SDK and E2E entries are not requests
    expect(errorRate.pass).toBe(false);
    expect(r.history[SDK_HTTP_GROUP]).toBeDefined();
    expect(r.history[E2E_ENTRY_NAME]).toBeDefined();
    expect(r.history[AGGREGATED]).toBeDefined();
  });

  it('passes with exit 0 when every gate passes (E2E at 1200 ms is inside 500 ms + the 1 s allowance)', () => {
    const { recorder } = clockedRecorder();
    sdkSamples(recorder, 0);
    const r = buildResult(inputs(recorder, SDK));
    expect(r.thresholds.every((t) => t.pass)).toBe(true);
    expect(r).toMatchObject({ pass: true, reasons: [], exitCode: EXIT_CODES.pass });
    expect(EXIT_CODES.pass).toBe(0);
  });

  it('fails with exit 1 and one reason per failed gate', () => {
    const { recorder } = clockedRecorder();
    sdkSamples(recorder, 2);
    const r = buildResult(inputs(recorder, SDK));
    expect(r.pass).toBe(false);
    expect(r.exitCode).toBe(EXIT_CODES.failed);
    expect(EXIT_CODES.failed).toBe(1);
    expect(r.reasons).toHaveLength(1);
    expect(r.reasons[0]).toMatch(/^threshold: SDK HTTP \(all\) error_rate was 0\.0833/);
  });

  it('fails on a baseline regression of the seed keys and on a failed audit', () => {
    const { recorder } = clockedRecorder();
    sdkSamples(recorder, 0);
    const audit: DeliveryAudit = {
      storageChecked: true,
      runs: [],
      totals: { logged: 2, acked: 2, failed: 0, pending: 0, expectedRows: 2, storedRows: 1, lostRows: 1, duplicatedRows: 0 },
      pass: false,
    };
    const r = buildResult(inputs(recorder, SDK, { baseline: { p95_ms: 600, p99_ms: 1200, error_rate: 0 }, baselineFile: 'base.json', audit }));
    expect(r.baseline?.pass).toBe(false);
    expect(r.baseline?.checks.find((c) => c.metric === 'p95_ms')).toMatchObject({ baseline: 600, pass: false });
    expect(r.reasons.some((s) => s.startsWith('baseline base.json: p95_ms changed by +100.0 %'))).toBe(true);
    expect(r.reasons.at(-1)).toBe("delivery audit: 1 acknowledged rows are missing from the target's storage.");
    expect(r.exitCode).toBe(1);
  });

  it('exits 130 when interrupted, whatever the gates say', () => {
    for (const failures of [0, 2]) {
      const { recorder } = clockedRecorder();
      sdkSamples(recorder, failures);
      const r = buildResult(inputs(recorder, SDK, { interrupted: true }));
      expect(r.interrupted).toBe(true);
      expect(r.exitCode).toBe(EXIT_CODES.interrupted);
    }
    expect(EXIT_CODES.interrupted).toBe(130);
  });
});

describe('buildResult: report-only scenarios and capacity', () => {
  it('never fails the build when failsBuild is false, but still reports the verdicts', () => {
    const { recorder } = clockedRecorder();
    repeat(recorder, 60, 'POST', '/ingest/metrics', 2000);
    repeat(recorder, 40, 'POST', '/ingest/metrics', 2000, false);
    const r = buildResult(inputs(recorder, STRESS));
    expect(r.thresholds.some((t) => !t.pass)).toBe(true);
    expect(r).toMatchObject({ pass: true, reasons: [], exitCode: 0 });
    expect(r.capacity).toEqual({ assessment: 'overloaded', error_rate: 0.4 });
  });

  it.each([
    [0, 'good'],
    [3, 'at_capacity'],
    [5, 'overloaded'],
  ])('assesses %i failures in 100 requests as %s', (failures, assessment) => {
    const { recorder } = clockedRecorder();
    repeat(recorder, 100 - failures, 'POST', '/ingest/metrics', 10);
    repeat(recorder, failures, 'POST', '/ingest/metrics', 10, false);
    const r = buildResult(inputs(recorder, STRESS));
    expect(r.capacity).toEqual({ assessment, error_rate: failures / 100 });
  });

  it('adds no capacity assessment to other scenarios', () => {
    const { recorder } = clockedRecorder();
    repeat(recorder, 10, 'POST', '/ingest/metrics', 10);
    expect(buildResult(inputs(recorder, HTTP)).capacity).toBeUndefined();
  });

  it('carries the plan and run facts into the result', () => {
    const { recorder } = clockedRecorder();
    repeat(recorder, 10, 'POST', '/ingest/metrics', 10);
    const r = buildResult(inputs(recorder, HTTP));
    expect(r).toMatchObject({ scenario: 'http', users: 4, spawnRate: 4, seed: 7, durationS: 10, startedAt: new Date(T0).toISOString(), endedAt: new Date(T0 + 10_000).toISOString() });
  });
});

describe('liveSample', () => {
  it("shows the judged entry's latency and the HTTP request rate over the last ten complete seconds, – before any", () => {
    const { recorder, clock } = clockedRecorder();
    clock.t = T0 + 500;
    const early = liveSample(recorder, [E2E_ENTRY_NAME, SDK_HTTP_GROUP], 3, 0.5);
    expect([early.rps, early.p50Ms, early.p95Ms].every(Number.isNaN)).toBe(true); // printed as "–"
    clock.t = T0;
    repeat(recorder, 10, 'E2E', 'log→ack', 900); // second 0
    clock.t = T0 + 5_000;
    repeat(recorder, 8, 'E2E', 'log→ack', 1100);
    repeat(recorder, 6, 'SDK', 'run.log (metrics)', 0.1);
    repeat(recorder, 3, 'POST', '/ingest/metrics', 20);
    repeat(recorder, 1, 'POST', '/ingest/metrics', 20, false);
    clock.t = T0 + 6_000;
    repeat(recorder, 4, 'POST', '/ingest/metrics', 20); // the current, partial second: left out
    clock.t = T0 + 6_500;
    const s = liveSample(recorder, [E2E_ENTRY_NAME, SDK_HTTP_GROUP], 3, 6.5);
    expect(s.judged).toBe(E2E_ENTRY_NAME);
    expect(s.users).toBe(3);
    expect(s.elapsedS).toBe(6.5);
    expect(s.p50Ms).toBeCloseTo(900, 6); // 10 × 900 and 8 × 1100 in seconds 0–5
    expect(s.rps).toBeCloseTo(4 / 6, 6); // 4 HTTP requests over the 6 complete seconds; E2E and SDK entries are not requests
    expect(s.failures).toBe(0); // the primary entry (E2E) has none
    expect(s.failRate).toBe(0);
  });

  it('counts every entry for Aggregated, and its failures over the whole run', () => {
    const { recorder, clock } = clockedRecorder();
    repeat(recorder, 3, 'POST', '/ingest/metrics', 20);
    repeat(recorder, 1, 'POST', '/ingest/metrics', 20, false);
    clock.t = T0 + 1_000;
    const s = liveSample(recorder, [AGGREGATED], 1, 1);
    expect(s.failures).toBe(1);
    expect(s.failRate).toBeCloseTo(0.25, 12);
    expect(s.rps).toBeCloseTo(4, 6);
  });
});

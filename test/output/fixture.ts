/** A realistic finished sdk run: a few entries, 30 s of history, a failure group, gates, an audit. */
import { QUANTILE_KEYS, type EntrySummary, type SimulationResult, type TimeSeriesPoint } from '../../src/metrics/result.js';
import { wordVerdicts } from '../../src/run/judging/gate-text.js';

const T0 = 1_764_180_000; // epoch seconds of the first bucket
const DURATION_S = 30;

function entry(method: string, route: string, count: number, failures: number, p50: number, bytes: number, name?: string): EntrySummary {
  const factors = [1, 1.2, 1.35, 1.5, 1.9, 2.6, 3.3, 4.1, 7.5, 9.8, 12];
  const percentiles = Object.fromEntries(QUANTILE_KEYS.map((k, i) => [k, Number((p50 * (factors[i] ?? 1)).toFixed(3))])) as EntrySummary['percentiles'];
  return {
    name: name ?? (method === '' ? route : `${method} ${route}`), method, route, count, failures,
    rps: count / DURATION_S, failuresPerS: failures / DURATION_S,
    minMs: Number((p50 * 0.3).toFixed(3)), avgMs: Number((p50 * 1.4).toFixed(3)), maxMs: percentiles.p100,
    bytes, avgBytes: count > 0 ? bytes / count : 0, percentiles,
  };
}

function series(perSecond: number, p50: number, failEvery: number): TimeSeriesPoint[] {
  const points: TimeSeriesPoint[] = [];
  let totalRequests = 0;
  let totalFailures = 0;
  let totalMaxMs = 0;
  for (let i = 0; i < DURATION_S; i++) {
    const users = Math.min(10, 2 * (i + 1)); // spawn rate 2/s up to 10 users
    const requests = i === 7 ? 0 : Math.round(perSecond * (users / 10) + (i % 3));
    const failures = failEvery > 0 && i % failEvery === 0 && requests > 0 ? 1 : 0;
    totalRequests += requests;
    totalFailures += failures;
    const wave = 1 + 0.3 * Math.sin(i / 3);
    const q = (f: number): number => (requests > 0 ? Number((p50 * f * wave).toFixed(3)) : 0);
    const quantilesMs = [1, 1.2, 1.35, 1.5, 1.9, 2.6, 3.3, 4.1, 7.5, 9.8, 12].map(q);
    totalMaxMs = Math.max(totalMaxMs, quantilesMs[10]);
    points.push({
      t: T0 + i, users, requests, failures,
      p50Ms: q(1),
      p95Ms: q(2.6),
      p99Ms: requests > 0 ? Number((p50 * 4.1 * wave + (i === 20 ? 40 : 0)).toFixed(3)) : 0,
      quantilesMs,
      totalRequests, totalFailures,
      totalMedianMs: p50, totalAvgMs: Number((p50 * 1.4).toFixed(3)), totalMinMs: Number((p50 * 0.3).toFixed(3)), totalMaxMs, totalAvgBytes: 2,
    });
  }
  return points;
}

type Kinds = NonNullable<SimulationResult['audit']>['totals']['kinds'];

/** Per-kind counts of an audited run: user metrics, system metrics, console lines. */
function kinds(metric: number, system: number, consoleLines: number, pending = 0): Kinds {
  const k = (logged: number, rowsEach: number, p = 0) => ({ logged, acked: logged - p, failed: 0, pending: p, expectedRows: (logged - p) * rowsEach });
  return { metric: k(metric, 5, pending), system: k(system, 13), data: k(0, 1), console: k(consoleLines, 1), file: k(0, 1), other: k(0, 0) };
}

/** A judged result as buildResult() returns it: its verdicts worded (re-word after changing them). */
export function makeResult(): SimulationResult {
  return wordVerdicts(unworded());
}

function unworded(): SimulationResult {
  const entries = [
    entry('POST', '/ingest/metrics', 1480, 6, 2.1, 1480 * 2),
    entry('POST', '/ingest/data', 610, 0, 1.8, 610 * 2),
    entry('POST', '/api/runs/create', 10, 0, 12.4, 10 * 96),
    entry('SDK', 'run.log (metrics)', 1500, 0, 0.012, 1500 * 212),
    entry('SDK', 'run._log (explicit step)', 900, 0, 0.015, 900 * 120),
    entry('E2E', 'log→ack', 2400, 6, 620.5, 2400 * 180, 'e2e log→ack'),
    entry('', 'SDK HTTP (all)', 2100, 6, 2.0, 2100 * 2),
  ];
  const aggregated = { ...entry('', 'Aggregated', 2100, 6, 2.0, 4200), name: 'Aggregated' };
  return {
    p50_ms: 620.5, p95_ms: 1613.3, p99_ms: 2544.05, error_rate: 0.0025, total_requests: 4500, rps: 150,
    scenario: 'sdk', users: 10, spawnRate: 2, seed: 42,
    startedAt: new Date(T0 * 1000).toISOString(), endedAt: new Date((T0 + DURATION_S) * 1000).toISOString(), durationS: DURATION_S,
    target: { ingestUrl: 'http://127.0.0.1:39003', apiUrl: 'http://127.0.0.1:39001', embedded: true },
    judged: ['e2e log→ack', 'SDK HTTP (all)'],
    entries, aggregated,
    exceptions: [{ count: 3, message: 'TypeError: x is not a function, "really"', traceback: 'at Object.run (file:///s.ts:1:2)\nat iterate (file:///u.js:3:4)' }],
    failures: [
      { method: 'POST', name: '/ingest/metrics', error: 'HTTP 503: "ingest busy, retry later"', occurrences: 5 },
      { method: 'POST', name: '/ingest/metrics', error: 'socket hang up </script><script>window.__injected = 1</script>\nsecond line', occurrences: 1 },
    ],
    history: {
      Aggregated: series(70, 2.0, 5),
      'e2e log→ack': series(80, 620.5, 5),
      'SDK HTTP (all)': series(70, 2.0, 5),
    },
    thresholds: [
      { expression: 'P95_THRESHOLD_MS=500', entry: 'e2e log→ack', metric: 'p95', op: '<=', limit: 500, actual: 1613.3, pass: false },
      { expression: 'P99_THRESHOLD_MS=5000', entry: 'e2e log→ack', metric: 'p99', op: '<=', limit: 5000, actual: 2544.05, pass: true },
      { expression: 'MAX_ERROR_RATE=0.01', entry: 'SDK HTTP (all)', metric: 'error_rate', op: '<=', limit: 0.01, actual: 0.0029, pass: true },
    ],
    baseline: {
      file: 'reports/baseline.json', pass: true,
      checks: [
        { metric: 'p95_ms', baseline: 1500, current: 1613.3, change: 0.0755, limit: 0.2, pass: true },
        { metric: 'p99_ms', baseline: 2400, current: 2544.05, change: 0.06, limit: 0.2, pass: true },
        { metric: 'error_rate', baseline: 0.002, current: 0.0025, change: 0.0005, limit: 0.05, pass: true },
      ],
    },
    audit: {
      storageChecked: true,
      runs: [
        { runId: 1, runName: 'load-test-run-0', logged: 1200, acked: 1200, failed: 0, pending: 0, expectedRows: 6600, storedRows: 6600, lostRows: 0, duplicatedRows: 0, kinds: kinds(1130, 30, 40) },
        { runId: 2, runName: 'load-test-run-1', logged: 1200, acked: 1197, failed: 0, pending: 3, expectedRows: 6585, storedRows: 6585, lostRows: 0, duplicatedRows: 0, kinds: kinds(1130, 30, 40, 3) },
      ],
      totals: {
        logged: 2400, acked: 2397, failed: 0, pending: 3, expectedRows: 13185, storedRows: 13185, lostRows: 0, duplicatedRows: 0,
        kinds: kinds(2260, 60, 80, 3),
        tables: {
          mlop_metrics: { expectedRows: 12065, storedRows: 12065, lostRows: 0, duplicatedRows: 0 },
          mlop_logs: { expectedRows: 80, storedRows: 80, lostRows: 0, duplicatedRows: 0 },
        },
      },
      pass: true,
    },
    dlq: { start: { batches_pending: 0, records_pending: 0, disk_usage_mb: 0 }, end: { batches_pending: 1, records_pending: 5, disk_usage_mb: 0.01 } },
    interrupted: false,
    pass: false,
    reasons: ['e2e log→ack p95 was 1613 ms, over the 500 ms threshold (P95_THRESHOLD_MS).'],
    exitCode: 1,
  };
}

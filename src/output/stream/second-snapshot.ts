/**
 * What streaming outputs (`--out json=…`, `csv=…`, `prometheus-rw=…`) receive once per second:
 * one snapshot of the second that just ended, built once by the runner for all of them from the
 * recorder's one-second buckets (never on the request path), and its metric points — the one
 * naming every stream shares (docs/reports.md "Streaming outputs").
 */
import type { EntrySecond } from '../../metrics/recorder.js';

export interface SecondSnapshot {
  /** Epoch second that ended (samples that completed in [t, t+1)). */
  t: number;
  /** Seconds since the load started, at the end of this second. */
  elapsedS: number;
  /** Running virtual users at the tick. */
  users: number;
  /** Iterations an arrival-rate executor could not start so far (0 for closed-model users). */
  droppedIterations: number;
  /** Share of the last second the generator's event loop was busy (0–1): near 1 the generator, not the target, limits the load. */
  generatorSaturation: number;
  /** Every entry, sorted, then `Aggregated`. */
  entries: EntrySecond[];
}

export type MetricKind = 'counter' | 'gauge' | 'trend';

export interface MetricPoint {
  metric: string;
  kind: MetricKind;
  /** Epoch ms of the sample: the start of its second. */
  timeMs: number;
  value: number;
  tags: Record<string, string>;
}

/** The metric names, one place (Prometheus series, JSON `metric`, CSV `metric_name`). */
export const METRICS = {
  requestsPerS: { name: 'mlop_sim_requests_per_second', kind: 'gauge' },
  failuresPerS: { name: 'mlop_sim_failures_per_second', kind: 'gauge' },
  requestsTotal: { name: 'mlop_sim_requests_total', kind: 'counter' },
  failuresTotal: { name: 'mlop_sim_failures_total', kind: 'counter' },
  latency: { name: 'mlop_sim_latency_ms', kind: 'trend' },
  users: { name: 'mlop_sim_users', kind: 'gauge' },
  dropped: { name: 'mlop_sim_dropped_iterations_total', kind: 'counter' },
  saturation: { name: 'mlop_sim_generator_saturation', kind: 'gauge' },
} as const satisfies Record<string, { name: string; kind: MetricKind }>;

const QUANTILE_FIELDS = [['0.5', 'p50Ms'], ['0.95', 'p95Ms'], ['0.99', 'p99Ms']] as const;

/** The points of one second: per entry its rate, errors, totals and (when it had samples) p50/p95/p99; plus users, drops, saturation. */
export function metricPoints(s: SecondSnapshot): MetricPoint[] {
  const timeMs = s.t * 1000;
  const points: MetricPoint[] = [];
  const add = (m: { name: string; kind: MetricKind }, value: number, tags: Record<string, string> = {}): void => {
    points.push({ metric: m.name, kind: m.kind, timeMs, value, tags });
  };
  for (const e of s.entries) {
    const tags = { entry: e.entry, method: e.method, name: e.route };
    add(METRICS.requestsPerS, e.requests, tags);
    add(METRICS.failuresPerS, e.failures, tags);
    add(METRICS.requestsTotal, e.totalRequests, tags);
    add(METRICS.failuresTotal, e.totalFailures, tags);
    if (e.requests > 0) for (const [q, field] of QUANTILE_FIELDS) add(METRICS.latency, e[field], { ...tags, quantile: q });
  }
  add(METRICS.users, s.users);
  add(METRICS.dropped, s.droppedIterations);
  add(METRICS.saturation, s.generatorSaturation);
  return points;
}

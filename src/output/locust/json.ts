/**
 * `--json` (Locust 2.x): the final stats as JSON — a list with one object per entry, the keys of
 * Locust's StatsEntry.serialize() (`locust/stats.py`, StatsEntryDict): name, method,
 * last_request_timestamp, start_time, num_requests, num_none_requests, num_failures,
 * total_response_time, max_response_time, min_response_time, total_content_length,
 * response_times, num_reqs_per_sec, num_fail_per_sec.
 *
 * Differences, on purpose: we keep latencies in t-digests, not Locust's rounded-millisecond
 * histogram, so `response_times` is empty and the percentiles are given in an extra key,
 * `percentiles_ms` (p50 … p100); `num_reqs_per_sec`/`num_fail_per_sec` are filled for entries
 * that have a per-second history in the result (all of them with --csv-full-history or --json); the
 * seconds of a run's older minutes (folded after five minutes, see metrics/time-series.ts) each
 * carry their minute's average, so they are not whole numbers.
 */
import { QUANTILE_KEYS, type SimulationResult } from '../../metrics/result.js';

export interface LocustStatsEntryJson {
  name: string;
  method: string;
  last_request_timestamp: number | null;
  start_time: number;
  num_requests: number;
  num_none_requests: number;
  num_failures: number;
  total_response_time: number;
  max_response_time: number;
  min_response_time: number | null;
  total_content_length: number;
  response_times: Record<string, number>;
  num_reqs_per_sec: Record<string, number>;
  num_fail_per_sec: Record<string, number>;
  percentiles_ms: Record<string, number>;
}

export function locustStatsJson(result: SimulationResult): LocustStatsEntryJson[] {
  const start = Date.parse(result.startedAt) / 1000;
  return result.entries
    .filter((e) => e.count > 0 || e.failures > 0)
    .map((e) => {
      const series = result.history[e.name] ?? [];
      const reqs: Record<string, number> = {};
      const fails: Record<string, number> = {};
      for (const p of series) {
        // A point of an older minute (spanS) gives each of its seconds the minute's average rate.
        for (let t = p.t; t < p.t + (p.spanS ?? 1); t++) {
          if (p.requests > 0) reqs[t] = p.requests;
          if (p.failures > 0) fails[t] = p.failures;
        }
      }
      const lastPoint = series.length > 0 ? series[series.length - 1] : undefined;
      const last = lastPoint ? lastPoint.t + (lastPoint.spanS ?? 1) - 1 : null;
      return {
        name: e.route,
        method: e.method,
        last_request_timestamp: last,
        start_time: start,
        num_requests: e.count,
        num_none_requests: 0,
        num_failures: e.failures,
        total_response_time: e.avgMs * e.count,
        max_response_time: e.maxMs,
        min_response_time: e.count > 0 ? e.minMs : null,
        total_content_length: e.bytes,
        response_times: {},
        num_reqs_per_sec: reqs,
        num_fail_per_sec: fails,
        percentiles_ms: Object.fromEntries(QUANTILE_KEYS.map((k) => [k, e.percentiles[k]])),
      };
    });
}

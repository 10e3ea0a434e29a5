/**
 * Metric points → remote-write time series (labels sorted by name, as the remote-write spec asks),
 * and the final points of a run: latest.json's numbers per entry and each gate's verdict.
 */
import { QUANTILE_KEYS, type EntrySummary, type SimulationResult } from '../../metrics/result.js';
import type { MetricPoint } from '../stream/second-snapshot.js';

export interface Series {
  labels: { __name__: string; [key: string]: string };
  samples: { value: number; timestamp: number }[];
}

/** Label sets by series, built once per run and reused every second (the package only reads them). */
export class LabelCache {
  private readonly byKey = new Map<string, Series['labels']>();
  constructor(private readonly extra: Record<string, string>) {}

  labels(p: MetricPoint): Series['labels'] {
    const t = p.tags;
    const key = `${p.metric}\u0000${t.entry ?? ''}\u0000${t.method ?? ''}\u0000${t.name ?? ''}\u0000${t.quantile ?? ''}\u0000${t.expression ?? ''}`;
    let labels = this.byKey.get(key);
    if (labels === undefined) {
      labels = sortedLabels(p.metric, { ...this.extra, ...t });
      this.byKey.set(key, labels);
    }
    return labels;
  }
}

export function toSeries(points: readonly MetricPoint[], extra: Record<string, string> | LabelCache): Series[] {
  const cache = extra instanceof LabelCache ? extra : new LabelCache(extra);
  return points.map((p) => ({ labels: cache.labels(p), samples: [{ value: p.value, timestamp: p.timeMs }] }));
}

function sortedLabels(name: string, tags: Record<string, string>): Series['labels'] {
  const labels: Series['labels'] = { __name__: name };
  for (const k of Object.keys(tags).sort()) labels[k] = tags[k];
  return labels;
}

const FINAL_QUANTILES = { '0.5': 'p50', '0.95': 'p95', '0.99': 'p99' } as const satisfies Record<string, (typeof QUANTILE_KEYS)[number]>;

/** The run's final figures at `timeMs`: per entry (and Aggregated) count, failures, rps, p50/p95/p99; gate verdicts (1 pass, 0 fail). */
export function finalPoints(result: SimulationResult, timeMs: number): MetricPoint[] {
  const points: MetricPoint[] = [];
  const add = (metric: string, value: number, tags: Record<string, string>): void => {
    points.push({ metric, kind: 'gauge', timeMs, value, tags });
  };
  const rows: EntrySummary[] = [...result.entries, { ...result.aggregated, name: 'Aggregated', route: 'Aggregated' }];
  for (const e of rows) {
    const tags = { entry: e.name, method: e.method, name: e.route };
    add('mlop_sim_final_requests', e.count, tags);
    add('mlop_sim_final_failures', e.failures, tags);
    add('mlop_sim_final_rps', e.rps, tags);
    for (const [q, key] of Object.entries(FINAL_QUANTILES)) add('mlop_sim_final_latency_ms', e.percentiles[key], { ...tags, quantile: q });
  }
  for (const v of result.thresholds) add('mlop_sim_threshold_pass', v.pass ? 1 : 0, { expression: v.expression, entry: v.entry });
  add('mlop_sim_run_pass', result.pass ? 1 : 0, {});
  return points;
}

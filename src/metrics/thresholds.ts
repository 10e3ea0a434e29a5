/**
 * Pass/fail gates on the stats: a k6-like expression form (`e2e:p95<800`) and the seed's
 * environment limits (docs/protocol/load-test-suite.md §6.2 and §6.7, config.py: P95_THRESHOLD_MS 500,
 * P99_THRESHOLD_MS 1000, MAX_ERROR_RATE 0.01; the build fails when p95 > limit, p99 > limit or
 * the fail ratio > limit, so a value equal to its limit passes).
 */
import { QUANTILE_KEYS, type EntrySummary, type QuantileKey, type ThresholdVerdict } from './result.js';

export type ThresholdOp = '<' | '<=' | '>' | '>=';
export const THRESHOLD_METRICS = [...QUANTILE_KEYS, 'avg', 'min', 'max', 'error_rate', 'rps', 'count'] as const;
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];

export interface ThresholdSpec {
  /** As written (or a synthetic form such as `P95_THRESHOLD_MS=500`). */
  expression: string;
  /** Entry name judged, after alias resolution. */
  entry: string;
  metric: ThresholdMetric;
  op: ThresholdOp;
  limit: number;
}

/** A threshold expression or limit a user wrote that cannot be used; the message is one sentence. */
export class ThresholdSyntaxError extends Error {
  override name = 'ThresholdSyntaxError';
}

const FORM = '<entry>:<metric><op><value>, e.g. e2e:p95<800';
const METRIC_SET = new Set<string>(THRESHOLD_METRICS);

/**
 * Parse `<entry>:<metric><op><value>`. The entry is everything before the last `:`; it is
 * replaced by `aliases[entry]` when present (e.g. `e2e` → `E2E log→ack`, `agg` → `Aggregated`).
 */
export function parseThreshold(expr: string, aliases: Readonly<Record<string, string>> = {}): ThresholdSpec {
  const text = expr.trim();
  const colon = text.lastIndexOf(':');
  if (colon <= 0) throw new ThresholdSyntaxError(`Threshold "${expr}" needs the form ${FORM}.`);
  const rawEntry = text.slice(0, colon).trim();
  const rest = text.slice(colon + 1).replace(/\s+/g, '');
  const m = /^([a-z0-9_.]+)(<=|>=|<|>)(.*)$/i.exec(rest);
  if (m === null) {
    throw new ThresholdSyntaxError(`Threshold "${expr}" lacks a comparison (<, <=, > or >=) after the metric; use the form ${FORM}.`);
  }
  const metric = m[1].toLowerCase();
  if (!METRIC_SET.has(metric)) {
    throw new ThresholdSyntaxError(`Threshold "${expr}" names an unknown metric "${m[1]}"; use one of ${THRESHOLD_METRICS.join(' ')}.`);
  }
  const limit = m[3] === '' ? NaN : Number(m[3]);
  if (!Number.isFinite(limit)) {
    throw new ThresholdSyntaxError(`Threshold "${expr}" has "${m[3]}" as its limit, which is not a finite number.`);
  }
  return {
    expression: text,
    entry: Object.prototype.hasOwnProperty.call(aliases, rawEntry) ? aliases[rawEntry] : rawEntry,
    metric: metric as ThresholdMetric,
    op: m[2] as ThresholdOp,
    limit,
  };
}

/** The value of `metric` in a summary (error_rate = failures / count, 0 with no requests). */
export function metricValue(s: EntrySummary, metric: ThresholdMetric): number {
  switch (metric) {
    case 'avg': return s.avgMs;
    case 'min': return s.minMs;
    case 'max': return s.maxMs;
    case 'rps': return s.rps;
    case 'count': return s.count;
    case 'error_rate': return s.count > 0 ? s.failures / s.count : 0;
    default: return s.percentiles[metric as QuantileKey];
  }
}

export function compare(actual: number, op: ThresholdOp, limit: number): boolean {
  switch (op) {
    case '<': return actual < limit;
    case '<=': return actual <= limit;
    case '>': return actual > limit;
    case '>=': return actual >= limit;
  }
}

/** Judge each spec against the entry `lookup` finds; a missing entry fails with a note. */
export function evaluateThresholds(
  specs: readonly ThresholdSpec[],
  lookup: (entry: string) => EntrySummary | undefined,
): ThresholdVerdict[] {
  return specs.map((spec) => {
    const base = { expression: spec.expression, entry: spec.entry, metric: spec.metric, op: spec.op, limit: spec.limit };
    const summary = lookup(spec.entry);
    if (summary === undefined) {
      return { ...base, actual: 0, pass: false, note: `no entry named "${spec.entry}" was recorded` };
    }
    const actual = metricValue(summary, spec.metric);
    const verdict: ThresholdVerdict = { ...base, actual, pass: compare(actual, spec.op, spec.limit) };
    if (summary.count === 0) verdict.note = 'no samples were recorded';
    return verdict;
  });
}

/** The seed's three limits. */
export interface ThresholdLimits {
  p95Ms: number;
  p99Ms: number;
  maxErrorRate: number;
}

export const DEFAULT_LIMITS: Readonly<ThresholdLimits> = { p95Ms: 500, p99Ms: 1000, maxErrorRate: 0.01 };

/** Read P95_THRESHOLD_MS, P99_THRESHOLD_MS and MAX_ERROR_RATE (unset or empty → default). */
export function thresholdsFromEnv(env: Readonly<Record<string, string | undefined>>): ThresholdLimits {
  return {
    p95Ms: envNumber(env, 'P95_THRESHOLD_MS', DEFAULT_LIMITS.p95Ms, Infinity, 'a number of milliseconds ≥ 0'),
    p99Ms: envNumber(env, 'P99_THRESHOLD_MS', DEFAULT_LIMITS.p99Ms, Infinity, 'a number of milliseconds ≥ 0'),
    maxErrorRate: envNumber(env, 'MAX_ERROR_RATE', DEFAULT_LIMITS.maxErrorRate, 1, 'a fraction between 0 and 1'),
  };
}

function envNumber(env: Readonly<Record<string, string | undefined>>, key: string, dflt: number, max: number, what: string): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return dflt;
  const v = Number(raw.trim());
  if (!Number.isFinite(v) || v < 0 || v > max) {
    throw new ThresholdSyntaxError(`${key}="${raw}" is not valid: it must be ${what}.`);
  }
  return v;
}

/**
 * The seed's gate as specs over the judged entries: p95 ≤ P95_THRESHOLD_MS, p99 ≤
 * P99_THRESHOLD_MS and error_rate ≤ MAX_ERROR_RATE for each entry name given.
 */
export function limitSpecs(limits: ThresholdLimits, entries: readonly string[]): ThresholdSpec[] {
  const out: ThresholdSpec[] = [];
  for (const entry of entries) {
    out.push(
      { expression: `P95_THRESHOLD_MS=${limits.p95Ms}`, entry, metric: 'p95', op: '<=', limit: limits.p95Ms },
      { expression: `P99_THRESHOLD_MS=${limits.p99Ms}`, entry, metric: 'p99', op: '<=', limit: limits.p99Ms },
      { expression: `MAX_ERROR_RATE=${limits.maxErrorRate}`, entry, metric: 'error_rate', op: '<=', limit: limits.maxErrorRate },
    );
  }
  return out;
}

/**
 * The time-to-visible probes of several workers as one summary (--workers --clickhouse-url): each
 * worker probes the records its own users logged, so samples, queries and outcomes add up; the
 * cost is the queries over all the run's requests; the p50 comes from the merged samples
 * (`E2E log→visible`). Error bounds cannot be merged exactly: the worst worker's are reported.
 */
import type { VisibilitySummary } from '../../metrics/result.js';

export function mergeVisibility(parts: readonly VisibilitySummary[], requests: number, p50Ms: number): VisibilitySummary | undefined {
  if (parts.length === 0) return undefined;
  const sum = (k: 'sampled' | 'seen' | 'unseen' | 'refused' | 'queries' | 'failedQueries'): number => parts.reduce((n, p) => n + p[k], 0);
  const locked = parts.filter((p) => p.lockedErrorMs);
  const steadiest = [...parts].sort((a, b) => b.bursts - a.bursts)[0];
  const queries = sum('queries');
  return {
    sampled: sum('sampled'),
    seen: sum('seen'),
    unseen: sum('unseen'),
    refused: sum('refused'),
    queries,
    failedQueries: sum('failedQueries'),
    costFraction: requests > 0 ? queries / requests : 0,
    errorMs: { p50: Math.max(...parts.map((p) => p.errorMs.p50)), max: Math.max(...parts.map((p) => p.errorMs.max)) },
    ...(locked.length > 0
      ? { lockedErrorMs: { p50: Math.max(...locked.map((p) => p.lockedErrorMs!.p50)), seen: locked.reduce((n, p) => n + p.lockedErrorMs!.seen, 0) } }
      : {}),
    p50Ms,
    // every worker's probe watches the same server's flushes
    bursts: steadiest.bursts,
    ...(steadiest.periodMs !== undefined ? { periodMs: steadiest.periodMs } : {}),
  };
}

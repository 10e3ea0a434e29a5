/**
 * The capacity search's answer in words (console, latest.json `capacity.summary`, the HTML
 * banner) and its step table for the console. Never says more than was measured: a floor says
 * "at least" and why, below-lowest says so.
 */
import type { CapacityCause, CapacityReport } from '../../metrics/capacity-report.js';
import { fit, formatMs } from '../number-format.js';

const CAUSE_WORDS: Record<CapacityCause, string> = {
  latency: 'latency', errors: 'errors', throughput: 'throughput (achieved below offered)', backlog: 'backlog (the runs\' queues grow)',
  dlq: 'dead-letter queue growth', visibility: 'visibility lag', generator: 'the load generator saturated',
};

const n = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 1 });

function unitWords(r: CapacityReport): string {
  return r.unit === 'runs' ? 'concurrent runs' : 'requests/s';
}

export function capacitySummary(r: CapacityReport): string {
  const u = unitWords(r);
  const above = r.firstFailure ? `; above it, what failed first: ${r.firstFailure.causes.map((c) => CAUSE_WORDS[c]).join(', ')}` : '';
  const reasons = r.firstFailure?.reasons.length ? ` (${r.firstFailure.reasons.join('; ')})` : '';
  switch (r.kind) {
    case 'below-lowest':
      return `below the lowest step: the target did not sustain ${n(r.firstFailure?.offered ?? 0)} ${u} within the SLOs${reasons}.`;
    case 'capacity':
      return r.bracket.high !== undefined
        ? `sustains ${n(r.figure)} ${u} (between ${n(r.bracket.low)}, passed, and ${n(r.bracket.high)}, failed)${above}${r.limitedBy === 'time' ? ' — the time budget ended the bisection early' : ''}.`
        : `sustains ${n(r.figure)} ${u}.`;
    case 'floor':
      if (r.limitedBy === 'generator') {
        return `sustains at least ${n(r.figure)} ${u} — a floor, not the capacity: the generator, not the target, limited this (it saturated at ${n(r.bracket.high ?? r.figure)}); give it more room (${r.unit === 'runs' ? 'more cores or machines: mlop-sim --workers' : 'more worker processes: mlop-sim capacity --workers N, or more cores'}) to find the target's limit.`;
      }
      if (r.limitedBy === 'max-load') return `sustains at least ${n(r.figure)} ${u} — a floor: every step passed up to --max-load.`;
      return `sustains at least ${n(r.figure)} ${u} — a floor: the time budget ended before any step failed (raise --max-time).`;
  }
}

/** One line per step, as printed at the end. */
export function formatCapacityTable(r: CapacityReport): string {
  const head = `${fit('#', 3, 'right')} ${fit('phase', 6)} ${fit(`offered ${r.unit === 'runs' ? 'runs' : 'req/s'}`, 14, 'right')} ${fit('achieved', 10, 'right')} ${fit('kept up', 8, 'right')} ${fit('p50 ms', 8, 'right')} ${fit('p95 ms', 8, 'right')} ${fit('p99 ms', 8, 'right')}  verdict`;
  const lines = r.steps.map((s) =>
    `${fit(String(s.index), 3, 'right')} ${fit(s.phase, 6)} ${fit(n(s.offered), 14, 'right')} ${fit(n(s.achieved), 10, 'right')} ${fit(`${(s.keepUp * 100).toFixed(1)} %`, 8, 'right')} ` +
    `${fit(formatMs(s.p50Ms), 8, 'right')} ${fit(formatMs(s.p95Ms), 8, 'right')} ${fit(formatMs(s.p99Ms), 8, 'right')}  ${s.verdict.toUpperCase()}${s.marginal ? ' (marginal)' : ''}${s.causes.length ? ` ${s.causes.join(', ')}` : ''}`,
  );
  return [head, ...lines, '', `Capacity: ${r.summary}`, `SLOs: ${r.slos.join(', ')}; ${r.steps.length} steps in ${n(r.elapsedS)} s`].join('\n') + '\n';
}

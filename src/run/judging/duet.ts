/**
 * The verdict of a duet run (docs/cli.md "Duet runs"): the result is the candidate side B's — its
 * thresholds, its audits —, with both sides' figures beside it in `duet`, and B judged against A
 * by the regression verdict (docs/statistics.md) on windows paired in time: the two sides ran at
 * the same moments, so window i of A and window i of B saw the same machine. A regression of B
 * fails the run. Each side's delivery and storage audit is its own gate: rows lost on A fail the
 * run as rows lost on B do, named by side.
 */
import { EXIT_CODES } from '../../core/exit-codes.js';
import type { DuetSideReport, SimulationResult } from '../../metrics/result.js';
import { verdictSettings, type MinimumEffectOptions } from './compare.js';
import { regressionVerdict } from './verdict.js';

/**
 * The duet's minimum effect when `--min-effect` is not given: 1 %, not the sequential verdict's
 * 3 %. That 3 % is there for what changes between two runs made one after the other (the
 * machine's drift, docs/statistics.md); a duet's sides run at the same moments on the same
 * machine, so that drift hits both alike (Bulej et al. 2020) and the minimum only has to stand
 * for "too small to matter". It is what lets a duet see +5 % (bench/RESULTS.md, duet power).
 */
export const DUET_MIN_EFFECT = 0.01;

/**
 * The duet's absolute floor when `--min-effect-ms` is not given: 0.1 ms, not the sequential 0.5 ms.
 * The sequential floor keeps a sub-millisecond route's run-to-run loopback jitter from counting;
 * a duet's sides share the loopback at the same moments, and at 0.5 ms the floor, not the 1 %,
 * was the duet's minimum at a 20 ms base (2.5 %: bench/RESULTS.md, duet power). 0.1 ms still
 * makes a 0.3 ms route's minimum +33 %.
 */
export const DUET_MIN_EFFECT_MS = 0.1;

export function judgeDuet(b: SimulationResult, a: SimulationResult, minimum: MinimumEffectOptions = {}): void {
  b.duet = { a: sideReport(a), b: sideReport(b) };
  const reasons = a.reasons.map((r) => `side A (baseline): ${r}`);
  if (a.distributions && b.distributions) {
    const figures = (r: SimulationResult) => ({ p95_ms: r.p95_ms, p99_ms: r.p99_ms, error_rate: r.error_rate, scenario: r.scenario, judged: r.judged });
    const verdict = regressionVerdict(
      [{ file: 'side A', figures: figures(a), distributions: a.distributions }],
      [{ file: 'side B', figures: figures(b), distributions: b.distributions }],
      verdictSettings({ minEffect: minimum.minEffect ?? DUET_MIN_EFFECT, minEffectMs: minimum.minEffectMs ?? DUET_MIN_EFFECT_MS }),
    );
    b.duet.verdict = verdict;
    if (verdict.outcome === 'regression') reasons.push(`duet: side B against side A: ${verdict.statement}`);
  }
  if (reasons.length > 0) {
    b.reasons.push(...reasons);
    b.pass = false;
    if (!b.interrupted) b.exitCode = EXIT_CODES.failed;
  }
}

function sideReport(r: SimulationResult): DuetSideReport {
  return {
    target: r.target, p50_ms: r.p50_ms, p95_ms: r.p95_ms, p99_ms: r.p99_ms, error_rate: r.error_rate, total_requests: r.total_requests,
    rps: r.rps, entries: r.entries, aggregated: r.aggregated, failures: r.failures, audit: r.audit, storage: r.storage,
    visibility: r.visibility, dlq: r.dlq, history: r.history, pass: r.pass, reasons: r.reasons,
  };
}

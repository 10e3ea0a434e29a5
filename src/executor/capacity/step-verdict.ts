/**
 * One capacity step's verdict from what was measured in its judged window (docs/cli.md
 * "mlop-sim capacity"): the target kept up (achieved within `tolerance` of offered), the SLOs
 * held, the dead-letter queue did not grow. A step near a limit is marginal: the search runs it
 * again, longer, and the later run decides.
 */
import { VISIBLE_ENTRY_NAME } from '../../core/entry-names.js';
import type { CapacityCause, CapacityStep } from '../../metrics/capacity-report.js';
import type { ThresholdVerdict } from '../../metrics/result.js';

/** What a step measured, before it is judged. */
export type StepMeasure = Omit<CapacityStep, 'index' | 'phase' | 'verdict' | 'marginal' | 'causes' | 'reasons'>;

export interface StepJudgement {
  verdict: 'pass' | 'fail';
  marginal: boolean;
  causes: CapacityCause[];
  reasons: string[];
}

/** The issue's steady-state rule: achieved within 2 % of offered. */
export const KEEP_UP_TOLERANCE = 0.02;
/** An SLO whose value is within this share of its limit (either side) makes the step marginal. */
export const SLO_MARGIN = 0.1;

/** A quantile from fewer samples than it needs is trusted only below this share of its limit. */
export const UNSTABLE_NEAR = 0.75;

const CAUSE_ORDER: readonly CapacityCause[] = ['latency', 'errors', 'throughput', 'backlog', 'dlq', 'visibility', 'generator'];

/**
 * `keepUpCause`: what falling behind means for this load — `throughput` for requests (fewer
 * completed than offered), `backlog` for SDK runs (their queues grow: fewer records acknowledged
 * than logged).
 */
export function judgeStep(m: StepMeasure, keepUpCause: 'throughput' | 'backlog', tolerance = KEEP_UP_TOLERANCE): StepJudgement {
  const causes = new Set<CapacityCause>();
  const reasons: string[] = [];
  if (m.keepUp < 1 - tolerance) {
    causes.add(keepUpCause);
    reasons.push(keepUpCause === 'throughput'
      ? `achieved ${fmt(m.achieved)} of ${fmt(m.offered)} offered (${pct(m.keepUp)}, below ${pct(1 - tolerance)})`
      : `the runs fell behind: ${pct(m.keepUp)} of the records logged were acknowledged (below ${pct(1 - tolerance)}), their queues grow`);
  }
  for (const s of m.slos) {
    if (s.pass) continue;
    causes.add(sloCause(s));
    reasons.push(`${s.expression}: ${fmt(s.actual)}${s.note ? ` (${s.note})` : ''}`);
  }
  if ((m.dlqGrowth ?? 0) > 0) {
    causes.add('dlq');
    reasons.push(`the dead-letter queue grew by ${m.dlqGrowth} batch(es)`);
  }
  if (m.visibilityLag?.grew) {
    causes.add('visibility');
    reasons.push(`visibility lag grew by ${fmt(Math.round(m.visibilityLag.growthMs))} ms over the window (from a median of ${fmt(Math.round(m.visibilityLag.levelMs))} ms): ClickHouse falls behind`);
  }
  const verdict = causes.size === 0 ? 'pass' : 'fail';
  if (verdict === 'fail' && m.generatorSaturated) {
    causes.add('generator');
    reasons.push('the load generator itself was saturated');
  }
  return { verdict, marginal: isMarginal(m, tolerance), causes: CAUSE_ORDER.filter((c) => causes.has(c)), reasons };
}

function sloCause(s: ThresholdVerdict): CapacityCause {
  if (s.entry === VISIBLE_ENTRY_NAME) return 'visibility';
  if (s.metric === 'error_rate') return 'errors';
  if (s.metric === 'rps' || s.metric === 'count') return 'throughput';
  return 'latency';
}

/** Near the keep-up limit, an SLO near its limit, or a quantile from too few samples that is not far below its limit. */
export function isMarginal(m: StepMeasure, tolerance = KEEP_UP_TOLERANCE): boolean {
  // A clear failure is not made marginal by anything else.
  if (m.keepUp < 1 - 1.5 * tolerance) return false;
  if (m.slos.some((s) => !s.pass && s.limit > 0 && !s.note && Math.abs(s.actual / s.limit - 1) > SLO_MARGIN)) return false;
  if (m.keepUp >= 1 - 1.5 * tolerance && m.keepUp <= 1 - 0.5 * tolerance) return true;
  for (const s of m.slos) {
    if (s.limit <= 0 || s.note) continue;
    const ratio = s.actual / s.limit;
    if (Math.abs(ratio - 1) <= SLO_MARGIN) return true;
    const quantile = /^p\d/.test(s.metric);
    if (quantile && m.samples < m.samplesNeeded && ratio >= UNSTABLE_NEAR) return true;
  }
  return false;
}

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(x >= 100 ? 0 : x >= 10 ? 1 : 3));
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

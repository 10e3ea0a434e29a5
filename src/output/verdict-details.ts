/**
 * The details reports print under the gates' sentences (those are worded by judging and carried
 * in the result): the audit's counts by kind and by table, the generator's own load, the
 * time-to-visible probe's account.
 */
import { AUDIT_KINDS, type AuditKind, type GeneratorHealth, type RunAudit, type VisibilitySummary } from '../metrics/result.js';

type AuditCounts = Omit<RunAudit, 'runId' | 'runName'>;

/** What each audit kind is called in reports. */
export const AUDIT_KIND_LABELS: Record<AuditKind, string> = {
  metric: 'metrics', system: 'system metrics', data: 'data', console: 'console lines', file: 'files', other: 'config/tags',
};

/** `metrics 120/120 acked, system metrics 30/30 acked, …` (kinds with nothing logged left out). */
export function describeAuditKinds(a: AuditCounts): string {
  const parts = AUDIT_KINDS.filter((k) => a.kinds[k].logged > 0).map((k) => {
    const c = a.kinds[k];
    const extra = [c.failed ? `${c.failed} failed` : '', c.pending ? `${c.pending} pending` : ''].filter(Boolean).join(', ');
    return `${AUDIT_KIND_LABELS[k]} ${c.acked}/${c.logged} acked${extra ? ` (${extra})` : ''}`;
  });
  return parts.length ? parts.join(', ') : 'nothing logged';
}

/** `mlop_metrics 7200 expected, 7200 stored; …` (only when storage was checked). */
export function describeAuditTables(a: AuditCounts): string {
  return Object.entries(a.tables ?? {})
    .map(([name, t]) => `${name} ${t.expectedRows} expected, ${t.storedRows} stored${t.lostRows ? `, ${t.lostRows} lost` : ''}${t.duplicatedRows ? `, ${t.duplicatedRows} duplicated` : ''}`)
    .join('; ');
}

/** The generator's own load in one line, e.g. `Generator: main thread busy 41 % …`. */
export function describeGenerator(g: GeneratorHealth): string {
  return `Generator: main thread busy ${Math.round(g.utilisation * 100)} % (≥ 90 % in ${g.busyWindows} of ${g.windows} s), ` +
    `event-loop delay p99 ${g.loopDelayMs.p99} ms (max ${g.loopDelayMs.max} ms), CPU ${g.cpuCores.toFixed(2)} of ${g.cores} cores` +
    `${g.saturated ? ' — SATURATED' : ''}`;
}

/** The probe's own account, e.g. `time to visible: 120 samples seen (0 unseen), ±40 ms p50 error, 11 queries = 0.6 % of requests`. */
export function describeVisibility(v: VisibilitySummary): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
  const period = v.periodMs !== undefined ? `, flush bursts every ~${(v.periodMs / 1000).toFixed(1)} s` : '';
  const share = (ms: number): string => (v.p50Ms > 0 ? pct(ms / v.p50Ms) : 'n/a');
  const locked = v.lockedErrorMs ? `, ±${Math.round(v.lockedErrorMs.p50)} ms (${share(v.lockedErrorMs.p50)}) once the flush rhythm was learnt (${v.lockedErrorMs.seen} samples)` : '';
  return `time to visible: ${v.seen} of ${v.sampled} samples seen (${v.unseen} unseen), error ±${Math.round(v.errorMs.p50)} ms p50 / ±${Math.round(v.errorMs.max)} ms max` +
    ` (${share(v.errorMs.p50)} of the p50)${locked}, ${v.queries} queries = ${pct(v.costFraction)} of the run's requests${period}.`;
}

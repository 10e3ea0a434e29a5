/** The verdict on the console (`mlop-sim compare`, and after a run with --baseline): a table, its sentence, the seed's rule beside it. */
import type { RegressionVerdict, VerdictTest } from '../../metrics/verdict.js';

const pct = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%` : '–');
const num = (x: number, metric: string): string => (!Number.isFinite(x) ? '–' : metric === 'error_rate' ? x.toFixed(4) : x.toFixed(1));
const diff = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}` : '–');

const OUTCOME_TEXT: Record<VerdictTest['outcome'], string> = {
  regression: 'REGRESSION', improvement: 'improved', 'no-change': 'no change', inconclusive: 'inconclusive', skipped: 'skipped',
};

function row(t: VerdictTest): string[] {
  const err = t.metric === 'error_rate';
  const change = err ? diff(t.change) : pct(t.change);
  const interval = Number.isFinite(t.lo) ? (err ? `[${diff(t.lo)}, ${diff(t.hi)}]` : `[${pct(t.lo)}, ${pct(t.hi)}]`) : '–';
  const unit = err ? '' : ' ms';
  const outcome = OUTCOME_TEXT[t.outcome] + (t.outcome === 'no-change' ? ` (±${err ? t.bound.toFixed(4) : (t.bound * 100).toFixed(1) + '%'})` : '');
  return [t.entry, t.metric, num(t.base, t.metric) + (Number.isFinite(t.base) ? unit : ''), num(t.cand, t.metric) + (Number.isFinite(t.cand) ? unit : ''), change, interval, outcome];
}

export function formatVerdict(v: RegressionVerdict): string {
  const header = ['Entry', 'Metric', 'Base', 'Candidate', 'Change', `Interval (${((1 - v.settings.alpha) * 100).toFixed(0)}% all tests)`, 'Outcome'];
  const rows = v.tests.filter((t) => t.outcome !== 'skipped').map(row);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = [
    `Regression verdict: ${v.base.files.join(', ')} → ${v.candidate.files.join(', ')} (${v.scenario} scenario; ${v.tested} intervals, minimum effect ${(v.settings.minEffect * 100).toFixed(0)}%)`,
    line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line),
  ];
  const skipped = v.tests.filter((t) => t.outcome === 'skipped');
  if (skipped.length > 0) {
    const byEntry = new Map<string, string[]>();
    for (const t of skipped) byEntry.set(t.entry, [...(byEntry.get(t.entry) ?? []), t.metric]);
    const all = (e: string): boolean => v.tests.every((t) => t.entry !== e || t.outcome === 'skipped');
    out.push(`not tested (too few data): ${[...byEntry].map(([e, ms]) => (all(e) ? e : `${e} ${ms.join('/')}`)).join(', ')}`);
  }
  out.push(`${v.outcome === 'regression' ? 'FAIL' : v.outcome === 'pass' ? 'PASS' : 'INCONCLUSIVE'}: ${v.statement.replace(/^inconclusive: /, '')}`);
  if (v.seedRule) {
    out.push(`seed rule (+20% p95/p99, +0.05 error rate; does not decide here): ${v.seedRule.pass ? 'pass' : 'fail'}`);
    for (const c of v.seedRule.checks) out.push(`  ${c.pass ? 'ok  ' : 'FAIL'} ${c.sentence ?? ''}`);
  }
  for (const n of v.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}

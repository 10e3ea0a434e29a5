/**
 * A duet run's two sides side by side on the console: per judged entry and HTTP route, A's and
 * B's requests, p50/p95/p99 and error rate, and B ÷ A. Each side's figures are its own.
 */
import type { EntrySummary, SimulationResult } from '../../metrics/result.js';
import { duetEntryNames, duetRatio, duetRow } from '../duet-rows.js';
import { fit, formatMs, formatPercent } from '../number-format.js';

const QUANTILES = ['p50', 'p95', 'p99'] as const;

export function duetTable(result: SimulationResult): string[] {
  const duet = result.duet;
  if (!duet) return [];
  const names = duetEntryNames(result);
  const width = Math.min(44, Math.max(10, ...names.map((n) => Array.from(n).length)));
  const head = `${fit('Name', width)} ${fit('side', 4)} ${fit('# reqs', 8, 'right')} ${QUANTILES.map((q) => fit(q, 9, 'right')).join('')} ${fit('errors', 9, 'right')}`;
  const lines = [`Duet: A ${duet.a.target.ingestUrl} (baseline) and B ${duet.b.target.ingestUrl} (candidate), the same users at the same moments`, head, '-'.repeat(head.length)];
  for (const name of names) {
    const a = duetRow(duet.a, name);
    const b = duetRow(duet.b, name);
    const line = (label: string, e: EntrySummary | undefined, cells: (q: typeof QUANTILES[number]) => string, err: string): string =>
      `${fit(label === 'A' ? name : '', width)} ${fit(label, 4)} ${fit(e ? String(e.count) : '', 8, 'right')} ${QUANTILES.map((q) => fit(cells(q), 9, 'right')).join('')} ${fit(err, 9, 'right')}`;
    const rate = (e: EntrySummary | undefined): number => (e && e.count > 0 ? e.failures / e.count : 0);
    lines.push(line('A', a, (q) => (a ? formatMs(a.percentiles[q]) : '–'), formatPercent(rate(a))));
    lines.push(line('B', b, (q) => (b ? formatMs(b.percentiles[q]) : '–'), formatPercent(rate(b))));
    lines.push(line('B÷A', undefined, (q) => duetRatio(b?.percentiles[q], a?.percentiles[q]), ''));
  }
  return [...lines, '-'.repeat(head.length), ''];
}

/**
 * What `history check` and `history show` print: the change points with their run, size and
 * direction, the verdict in one sentence, and the series as one table per entry.
 */
import type { HistoryCheck, SeriesChange } from './check.js';
import type { HistoryMetric, HistoryRecord } from './record.js';

const UNIT: Record<HistoryMetric, string> = { p50_ms: 'ms', p95_ms: 'ms', p99_ms: 'ms', error_rate: '%', rps: '/s' };
const SHORT: Record<HistoryMetric, string> = { p50_ms: 'p50', p95_ms: 'p95', p99_ms: 'p99', error_rate: 'errors', rps: 'rps' };

/** A figure with its unit: `21.30 ms`, `1.20 %`, `480.1 /s`. */
export function formatFigure(metric: HistoryMetric, v: number): string {
  if (metric === 'error_rate') return `${(v * 100).toFixed(2)} %`;
  if (metric === 'rps') return `${v.toFixed(1)} /s`;
  return `${v.toFixed(2)} ${UNIT[metric]}`;
}

/** `result 21 (abc123)`: 1-based, with its label when it has one. */
export function resultName(run: number, label: string | null): string {
  return `result ${run + 1}${label ? ` (${label})` : ''}`;
}

function sizeText(c: SeriesChange): string {
  if (c.changePct === null) return 'from 0';
  return `${c.changePct >= 0 ? '+' : ''}${c.changePct.toFixed(1)} %`;
}

export function changeLine(c: SeriesChange): string {
  return `${c.entry} ${SHORT[c.metric]}: ${c.direction} at ${resultName(c.run, c.label)}, ${formatFigure(c.metric, c.before)} → ${formatFigure(c.metric, c.after)} (${sizeText(c)}, p = ${c.pValue.toFixed(3)})`;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The verdict in one sentence. */
export function verdictSentence(check: HistoryCheck): string {
  const gating = check.changes.filter((c) => c.gates);
  const within = `within the last ${plural(check.window, 'result')}`;
  if (gating.length === 0) return `PASS: no regression starts ${within} (${plural(check.changes.length, 'change point')} in ${plural(check.records.length, 'result')}).`;
  const first = gating[0];
  const more = gating.length > 1 ? ` and ${gating.length - 1} more` : '';
  return `FAIL: a regression starts ${within}: ${first.entry} ${SHORT[first.metric]} ${sizeText(first)} at ${resultName(first.run, first.label)}${more}.`;
}

export function formatCheck(check: HistoryCheck, store: string, method: string): string {
  const lines = [`history: ${plural(check.records.length, 'result')} in ${store}; ${check.series} series; ${method}`];
  if (check.records.length < 3) lines.push('  (a change point needs at least 3 results)');
  if (check.changes.length === 0) lines.push('change points: none');
  else {
    lines.push('change points:');
    const sorted = [...check.changes].sort((a, b) => a.run - b.run || a.entry.localeCompare(b.entry));
    for (const c of sorted) lines.push(`  ${c.gates ? '✗' : ' '} ${changeLine(c)}`);
  }
  lines.push(verdictSentence(check));
  return lines.join('\n') + '\n';
}

/** One table per entry: a row per result, its figures, and the change points that start there. */
export function formatSeries(records: readonly HistoryRecord[], entries: readonly string[], changes: readonly SeriesChange[]): string {
  const out: string[] = [];
  for (const entry of entries) {
    out.push(`${entry}`);
    const header = ['#', 'time (UTC)', 'label', 'p50 ms', 'p95 ms', 'p99 ms', 'errors %', 'rps', 'change points'];
    const rows: string[][] = [];
    records.forEach((r, i) => {
      const f = r.entries[entry];
      if (!f) return;
      const here = changes.filter((c) => c.entry === entry && c.run === i).map((c) => `${c.direction === 'regression' ? '▲' : '▼'} ${SHORT[c.metric]} ${sizeText(c)}`);
      rows.push([
        String(i + 1), r.time.slice(0, 19).replace('T', ' '), r.label ?? '', f.p50_ms.toFixed(2), f.p95_ms.toFixed(2), f.p99_ms.toFixed(2),
        (f.error_rate * 100).toFixed(2), f.rps.toFixed(1), here.join(', '),
      ]);
    });
    const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => row[k].length)));
    const line = (cells: string[]): string => cells.map((c, k) => (k >= 3 && k <= 7 ? c.padStart(widths[k]) : c.padEnd(widths[k]))).join('  ').trimEnd();
    out.push(line(header), ...rows.map(line), '');
  }
  return out.join('\n');
}

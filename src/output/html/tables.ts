/** The HTML report's tables, rendered on the writer's side so they read without JavaScript. */
import { AGGREGATED } from '../../core/entry-names.js';
import { AUDIT_KINDS, QUANTILE_KEYS, type EntrySummary, type RunAudit, type SimulationResult } from '../../metrics/result.js';
import { describeControls } from '../control-text.js';
import { entrySections, judgedUnit } from '../entry-sections.js';
import { AUDIT_KIND_LABELS, describeGenerator } from '../verdict-details.js';
import { formatMs, formatNumber, formatPercent, formatRate } from '../number-format.js';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export type Cell = string | number | { html: string };

function cell(c: Cell, tag: 'td' | 'th'): string {
  if (typeof c === 'object') return `<${tag}>${c.html}</${tag}>`;
  const numeric = typeof c === 'number' || /^[-+]?[\d.,]+( ?(%|ms|MB))?$/.test(c);
  return `<${tag}${numeric && tag === 'td' ? ' class="num"' : ''}>${escapeHtml(String(c))}</${tag}>`;
}

export function table(id: string, header: string[], rows: Cell[][], footer: Cell[][] = []): string {
  const head = `<thead><tr>${header.map((h) => cell(h, 'th')).join('')}</tr></thead>`;
  const body = `<tbody>${rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('')}</tbody>`;
  const foot = footer.length ? `<tfoot>${footer.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('')}</tfoot>` : '';
  return `<table id="${escapeHtml(id)}">${head}${body}${foot}</table>`;
}

function verdict(pass: boolean): Cell {
  return { html: pass ? '<span class="ok">pass</span>' : '<span class="bad">FAIL</span>' };
}

function statsRow(e: EntrySummary, name: string): Cell[] {
  const ratio = e.count > 0 ? e.failures / e.count : 0;
  return [e.method, name, e.count, `${e.failures} (${formatPercent(ratio)})`, formatMs(e.avgMs), formatMs(e.minMs),
    formatMs(e.maxMs), formatMs(e.percentiles.p50), formatRate(e.rps), formatRate(e.failuresPerS), formatNumber(e.avgBytes, 1)];
}

const STATS_HEADER = (count: string, rate: string): string[] =>
  ['Type', 'Name', count, '# fails', 'Avg ms', 'Min ms', 'Max ms', 'Med ms', rate, 'failures/s', 'Avg size B'];

/**
 * HTTP requests (footer: the judged groups and Aggregated, HTTP only), then records and SDK calls
 * in tables of their own: no row adds one unit to another.
 */
export function statsTable(result: SimulationResult): string {
  const s = entrySections(result);
  const footer = [...s.groups.map((g) => statsRow(g, g.route)), statsRow(result.aggregated, AGGREGATED)];
  let html = table('stats', STATS_HEADER('# reqs', 'req/s'), s.http.map((e) => statsRow(e, e.route)), footer);
  if (s.records.length) html += '<h3>Records (log→ack)</h3>' + table('stats-records', STATS_HEADER('# records', 'records/s'), s.records.map((e) => statsRow(e, e.route)));
  if (s.calls.length) html += '<h3>SDK calls</h3>' + table('stats-calls', STATS_HEADER('# calls', 'calls/s'), s.calls.map((e) => statsRow(e, e.route)));
  if (s.tasks.length) html += '<h3>Tasks that failed</h3>' + table('stats-tasks', STATS_HEADER('# calls', 'calls/s'), s.tasks.map((e) => statsRow(e, e.route)));
  return html;
}

export function percentileTable(result: SimulationResult): string {
  const s = entrySections(result);
  const row = (e: EntrySummary, name: string): Cell[] => [e.method, name, e.count, ...QUANTILE_KEYS.map((k) => formatMs(e.percentiles[k]))];
  const head = (unit: string): string[] => ['Type', 'Name', unit, ...QUANTILE_KEYS.map((k) => `${k.slice(1)}%`)];
  const footer = [...s.groups.map((g) => row(g, g.route)), row(result.aggregated, AGGREGATED)];
  let html = table('percentiles', head('# reqs'), s.http.filter((e) => e.count > 0).map((e) => row(e, e.route)), footer);
  const others = [...s.records, ...s.calls].filter((e) => e.count > 0);
  if (others.length) html += table('percentiles-other', head('# records / calls'), others.map((e) => row(e, e.route)));
  return html;
}

export function failuresTable(result: SimulationResult): string {
  if (result.failures.length === 0) return '<p>No failures.</p>';
  return table('failures', ['Method', 'Name', 'Error', 'Occurrences'], result.failures.map((f) => [f.method, f.name, f.error, f.occurrences]));
}

export function thresholdsTable(result: SimulationResult): string {
  if (result.thresholds.length === 0) return '<p>No thresholds.</p>';
  return table('thresholds', ['Threshold', 'Entry', 'Metric', 'Limit', 'Actual', 'Verdict', 'Meaning'],
    result.thresholds.map((v) => [v.expression, v.entry, v.metric, `${v.op} ${formatNumber(v.limit, 6)}`,
      formatNumber(v.actual, 6), verdict(v.pass), v.sentence ?? '']));
}

export function baselineSection(result: SimulationResult): string {
  const b = result.baseline;
  if (!b) return '<p>No baseline given.</p>';
  const rows = b.checks.map((c): Cell[] => [c.metric, formatNumber(c.baseline, 4), formatNumber(c.current, 4),
    Number.isFinite(c.change) ? formatNumber(c.change, 4) : '∞', formatNumber(c.limit, 4), c.sentence ?? '', verdict(c.pass)]);
  return `<p>Compared with <code>${escapeHtml(b.file)}</code>: ${b.pass ? 'within limits' : 'regressed'}.</p>` +
    table('baseline', ['Metric', 'Baseline', 'Current', 'Change', 'Limit', 'Meaning', 'Verdict'], rows);
}

function auditRow(name: string, a: Omit<RunAudit, 'runId' | 'runName'>): Cell[] {
  const opt = (n: number | undefined): Cell => (n === undefined ? 'n/a' : n);
  return [name, a.logged, a.acked, a.failed, a.pending, a.expectedRows, opt(a.storedRows), opt(a.lostRows), opt(a.duplicatedRows)];
}

export function auditSection(result: SimulationResult): string {
  const a = result.audit;
  if (!a) return '<p>No delivery audit (only sdk runs are audited).</p>';
  const kinds = AUDIT_KINDS.map((k): Cell[] => {
    const c = a.totals.kinds[k];
    return [AUDIT_KIND_LABELS[k], c.logged, c.acked, c.failed, c.pending, c.expectedRows];
  });
  const tables = Object.entries(a.totals.tables ?? {}).map(([name, t]): Cell[] => [name, t.expectedRows, t.storedRows, t.lostRows, t.duplicatedRows]);
  return `<p class="${a.pass ? 'ok' : 'bad'}">${escapeHtml(a.sentence ?? '')}</p>` +
    table('audit-kinds', ['Kind', 'Logged', 'Acked', 'Failed', 'Pending', 'Expected rows'], kinds) +
    (tables.length ? table('audit-tables', ['Table', 'Expected rows', 'Stored', 'Lost', 'Duplicated'], tables) : '') +
    table('audit', ['Run', 'Logged', 'Acked', 'Failed', 'Pending', 'Expected rows', 'Stored', 'Lost', 'Duplicated'],
      a.runs.map((r) => auditRow(`${r.runName} (#${r.runId})`, r)), [auditRow('Total', a.totals)]);
}

export function dlqTable(result: SimulationResult): string {
  const row = (when: string, d: SimulationResult['dlq']['start']): Cell[] =>
    d ? [when, d.batches_pending, d.records_pending, formatNumber(d.disk_usage_mb, 2)] : [when, 'n/a', 'n/a', 'n/a'];
  return table('dlq', ['When', 'Batches pending', 'Records pending', 'Disk MB'], [row('start', result.dlq.start), row('end', result.dlq.end)]);
}

/** The seed's count and rate in their unit: an sdk run judges records, and names the HTTP requests apart. */
function countRows(result: SimulationResult): Cell[][] {
  if (judgedUnit(result) === 'requests') return [['Requests', result.total_requests], ['Requests/s', formatRate(result.rps)]];
  return [
    ['Records', result.total_requests], ['Records/s', formatRate(result.rps)],
    ['HTTP requests', result.aggregated.count], ['HTTP requests/s', formatRate(result.aggregated.rps)],
  ];
}

export function summaryTable(result: SimulationResult): string {
  const t = result.target;
  const rows: Cell[][] = [
    ['Scenario', result.scenario], ['Users', result.users], ['Spawn rate', `${result.spawnRate}/s`], ['Seed', result.seed],
    ['Started', result.startedAt], ['Ended', result.endedAt], ['Duration', `${formatNumber(result.durationS, 1)} s`],
    ['Target', `ingest ${t.ingestUrl}, api ${t.apiUrl}${t.embedded ? ' (embedded reference server)' : ''}`],
    ['Judged entries', result.judged.join(', ') || '(none)'],
    ['p50 / p95 / p99', `${formatMs(result.p50_ms)} / ${formatMs(result.p95_ms)} / ${formatMs(result.p99_ms)} ms`],
    ['Error rate', formatPercent(result.error_rate)], ...countRows(result),
  ];
  if (result.load) rows.push(['Load', `${result.load.executor}: ${result.load.description}`]);
  if (result.corrected) {
    rows.push(['Dropped iterations', result.dropped_iterations ?? 0]);
    rows.push(['Iteration p50 / p95 / p99 from the intended start (corrected)', `${formatMs(result.corrected.p50_ms)} / ${formatMs(result.corrected.p95_ms)} / ${formatMs(result.corrected.p99_ms)} ms`]);
  }
  if (result.capacity) rows.push(['Capacity', `${result.capacity.assessment} (${formatPercent(result.capacity.error_rate)} errors)`]);
  if (result.interrupted) rows.push(['Interrupted', result.control?.some((c) => c.action === 'stop' && c.applied) ? 'yes (stopped from the live page)' : 'yes (Ctrl+C)']);
  if (result.control?.length) rows.push(['Changed by hand', describeControls(result.control)]);
  if (result.generator) rows.push(['Load generator', describeGenerator(result.generator).replace(/^Generator: /, '')]);
  // Text cells (not right-aligned numbers): this is a key/value list.
  return table('summary', ['Run', ''], rows.map(([k, v]) => [k, { html: escapeHtml(String(v)) }]));
}

/**
 * The end-of-run console summary, laid out like Locust's (stats table, then "Response time
 * percentiles (approximated)", then the error report), followed by the gates and the verdict:
 * PASS or FAIL with one line per reason. Plain text, fixed-width columns.
 */
import { describeControls } from '../control-text.js';
import { formatVerdict } from './verdict-text.js';
import { AGGREGATED } from '../../core/entry-names.js';
import { QUANTILE_KEYS, type EntrySummary, type ScaleOutReport, type SimulationResult } from '../../metrics/result.js';
import { entrySections, judgedUnit } from '../entry-sections.js';
import { duetTable } from './duet-table.js';
import {
  describeAuditKinds, describeAuditTables, describeGenerator, describeVisibility,
} from '../verdict-details.js';
import { fit, formatMs, formatPercent, formatRate, oneLine } from '../number-format.js';

const TYPE_WIDTH = 8; // Locust's STATS_TYPE_WIDTH
const PERCENTILE_HEADERS = ['50%', '66%', '75%', '80%', '90%', '95%', '98%', '99%', '99.9%', '99.99%', '100%'];

function nameWidth(result: SimulationResult): number {
  const longest = Math.max(10, ...result.entries.map((e) => Array.from(e.route).length));
  return Math.min(longest, 48);
}

/** Column titles of one section: what is counted, and its rate. */
interface Units {
  count: string;
  rate: string;
}
const REQUESTS: Units = { count: '# reqs', rate: 'req/s' };
const RECORDS: Units = { count: '# records', rate: 'records/s' };
const CALLS: Units = { count: '# calls', rate: 'calls/s' };

function statsSection(title: string, units: Units, rows: EntrySummary[], footer: [EntrySummary, string][], width: number): string[] {
  if (rows.length === 0 && footer.length === 0) return [];
  const line = (cells: string[]): string =>
    `${fit(cells[0]!, TYPE_WIDTH)} ${fit(cells[1]!, width)} ${fit(cells[2]!, 9, 'right')} ${fit(cells[3]!, 14, 'right')} |` +
    `${cells.slice(4, 8).map((c) => fit(c, 8, 'right')).join('')} | ${fit(cells[8]!, 9, 'right')} ${fit(cells[9]!, 11, 'right')}`;
  const row = (e: EntrySummary, name: string): string => {
    const failRatio = e.count > 0 ? e.failures / e.count : 0;
    return line([
      e.method, name, String(e.count), `${e.failures}(${formatPercent(failRatio).replace(' ', '')})`,
      formatMs(e.avgMs), formatMs(e.minMs), formatMs(e.maxMs), formatMs(e.percentiles.p50),
      formatRate(e.rps), formatRate(e.failuresPerS),
    ]);
  };
  // Dashes with a '|' exactly under each '|' of the rows.
  const separator = `${'-'.repeat(TYPE_WIDTH + width + 27)}|${'-'.repeat(33)}|${'-'.repeat(22)}`;
  return [
    title,
    line(['Type', 'Name', units.count, '# fails', 'Avg', 'Min', 'Max', 'Med', units.rate, 'failures/s']),
    separator,
    ...rows.map((e) => row(e, e.route)),
    ...(footer.length ? [separator, ...footer.map(([e, name]) => row(e, name))] : []),
    '',
  ];
}

function statsTable(result: SimulationResult, width: number): string[] {
  const s = entrySections(result);
  return [
    ...statsSection('HTTP requests', REQUESTS, s.http, [...s.groups.map((g): [EntrySummary, string] => [g, g.route]), [result.aggregated, AGGREGATED]], width),
    ...statsSection('Records (E2E: from log() to the 2xx that carried them; one per NDJSON line or file)', RECORDS, s.records, [], width),
    ...statsSection('SDK calls (time spent inside the call)', CALLS, s.calls, [], width),
    ...statsSection('Tasks that failed', CALLS, s.tasks, [], width),
  ];
}

function percentileSection(title: string, unit: string, rows: EntrySummary[], footer: [EntrySummary, string][], width: number): string[] {
  const shown = rows.filter((e) => e.count > 0);
  if (shown.length === 0 && footer.length === 0) return [];
  const line = (cells: string[]): string =>
    `${fit(cells[0]!, TYPE_WIDTH)} ${fit(cells[1]!, width)} ${fit(cells[2]!, 9, 'right')} ` +
    cells.slice(3).map((c) => fit(c, 7, 'right')).join(' ');
  const row = (e: EntrySummary, name: string): string =>
    line([e.method, name, String(e.count), ...QUANTILE_KEYS.map((k) => formatMs(e.percentiles[k]))]);
  const separator = '-'.repeat(TYPE_WIDTH + width + 11 + PERCENTILE_HEADERS.length * 8);
  return [
    title,
    line(['Type', 'Name', unit, ...PERCENTILE_HEADERS]),
    separator,
    ...shown.map((e) => row(e, e.route)),
    ...(footer.length ? [separator, ...footer.map(([e, name]) => row(e, name))] : []),
    '',
  ];
}

function percentileTable(result: SimulationResult, width: number): string[] {
  const s = entrySections(result);
  return [
    'Response time percentiles (ms, approximated by t-digest)',
    ...percentileSection('HTTP requests', '# reqs', s.http, [...s.groups.map((g): [EntrySummary, string] => [g, g.route]), [result.aggregated, AGGREGATED]], width),
    ...percentileSection('Records (log→ack)', '# records', s.records, [], width),
    ...percentileSection('SDK calls', '# calls', s.calls, [], width),
  ];
}

function errorReport(result: SimulationResult): string[] {
  if (result.failures.length === 0) return [];
  return [
    'Error report',
    `${fit('# occurrences', 18)} Error`,
    '-'.repeat(80),
    ...result.failures.map((f) => `${fit(String(f.occurrences), 18)} ${oneLine(`${f.method} ${f.name}: ${f.error}`)}`),
    '-'.repeat(80),
    '',
  ];
}

function gateLines(result: SimulationResult): string[] {
  const mark = (pass: boolean): string => (pass ? 'ok  ' : 'FAIL');
  const lines = [`Judged entries: ${result.judged.length > 0 ? result.judged.join(', ') : '(none)'}`];
  if (result.thresholds.length > 0) {
    lines.push('Thresholds:', ...result.thresholds.map((v) => `  ${mark(v.pass)} ${v.sentence ?? ''}`));
  }
  if (result.duet?.verdict) {
    lines.push('Duet: side B against side A, windows paired in time:', ...formatVerdict(result.duet.verdict).trimEnd().split('\n'));
  }
  if (result.verdict) {
    // Issue 20: the verdict decides; the seed rule's lines are printed inside it, beside.
    lines.push(...formatVerdict(result.verdict).trimEnd().split('\n'));
  } else if (result.baseline) {
    lines.push(`Baseline ${result.baseline.file}:`, ...result.baseline.checks.map((c) => `  ${mark(c.pass)} ${c.sentence ?? ''}`));
  }
  if (result.audit) {
    lines.push(result.audit.sentence ?? '');
    lines.push(`  by kind: ${describeAuditKinds(result.audit.totals)}`);
    if (result.audit.storageChecked) lines.push(`  by table: ${describeAuditTables(result.audit.totals)}`);
    for (const run of result.audit.runs) if (run.sentence) lines.push(`  run ${oneLine(run.runName)} (#${run.runId}): ${run.sentence}`);
  }
  if (result.storage) {
    const s = result.storage;
    lines.push(s.sentence ?? '');
    for (const run of s.runs) if (run.sentence) lines.push(`  run ${oneLine(run.runName ?? '')} (#${run.runId}): ${run.sentence}`);
  }
  if (result.visibility) lines.push(describeVisibility(result.visibility));
  if (result.capacity) {
    lines.push(`Capacity: ${result.capacity.assessment} (${formatPercent(result.capacity.error_rate)} errors)`);
  }
  const dlq = (label: string, d: SimulationResult['dlq']['start']): string =>
    d ? `${label} ${d.batches_pending} batches, ${d.records_pending} records, ${d.disk_usage_mb} MB` : `${label} n/a`;
  lines.push(`DLQ: ${dlq('start', result.dlq.start)}; ${dlq('end', result.dlq.end)}`);
  if (result.generator) lines.push(describeGenerator(result.generator));
  if (result.scaleOut) lines.push(describeScaleOut(result.scaleOut));
  if (result.control?.length) lines.push(`Changed by hand (live page): ${describeControls(result.control)}`);
  return lines;
}

/** Under an arrival rate: the load, the drops, and which iteration latency is which. */
function openModelLines(result: SimulationResult): string[] {
  if (!result.corrected || !result.load) return [];
  const c = result.corrected;
  return [
    `Load: ${result.load.executor}, ${result.load.description}`,
    `Open model: ${result.dropped_iterations ?? 0} dropped iterations; iteration latency from the intended start (corrected, wrk2) ` +
      `p50 ${formatMs(c.p50_ms)} ms, p95 ${formatMs(c.p95_ms)} ms, p99 ${formatMs(c.p99_ms)} ms — "ITERATION from actual start" is timed from the send`,
  ];
}

/** `Workers: 2, all complete (coordinator CPU 0.4 s)` or `Shards: 3 merged, shard 1 incomplete (…)`. */
function describeScaleOut(s: ScaleOutReport): string {
  const what = s.mode === 'workers' ? 'worker' : 'shard';
  const broken = s.parts.filter((p) => !p.complete).map((p) => `${what} ${p.index} incomplete (${p.reason ?? 'no result'})`);
  const dups = s.parts.filter((p) => p.duplicates).map((p) => `${what} ${p.index} given ${p.duplicates! + 1} times, counted once`);
  const cpu = s.coordinatorCpuS !== undefined ? ` (coordinator CPU ${s.coordinatorCpuS.toFixed(2)} s)` : '';
  const plan = s.fingerprint ? `, plan ${s.fingerprint}` : '';
  return `${s.mode === 'workers' ? 'Workers' : 'Shards'}: ${s.segments}${plan}, ${[...broken, ...dups].join('; ') || 'all complete'}${cpu}`;
}

/** The whole summary, lines joined with `\n`, ending with the verdict and its reasons. */
export function formatFinalTable(result: SimulationResult): string {
  const width = nameWidth(result);
  const verdict = result.pass ? 'PASS' : 'FAIL';
  const unit = judgedUnit(result);
  const header = `${result.scenario} scenario, ${result.users} users, ${result.durationS.toFixed(1)} s` +
    `${result.interrupted ? ' (interrupted)' : ''}: ${result.judged[0] ?? AGGREGATED} p50 ${formatMs(result.p50_ms)} ms, p95 ${formatMs(result.p95_ms)} ms, ` +
    `p99 ${formatMs(result.p99_ms)} ms, errors ${formatPercent(result.error_rate)}, ${result.total_requests} ${unit}, ${formatRate(result.rps)} ${unit}/s` +
    (unit === 'records' ? `; HTTP: ${result.aggregated.count} requests, ${formatRate(result.aggregated.rps)} req/s` : '');
  return [
    ...statsTable(result, width),
    ...percentileTable(result, width),
    ...errorReport(result),
    ...duetTable(result),
    header,
    ...openModelLines(result),
    ...gateLines(result),
    '',
    ...(result.warnings ?? []).map((w) => `WARNING: ${w}`),
    verdict,
    ...result.reasons.map((r) => `  - ${r}`),
    '',
  ].join('\n');
}

/**
 * The HTML report (`--html FILE`): one self-contained page that opens offline — inline CSS,
 * the result embedded as JSON, inline canvas charts (charts.ts), no external resources.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SimulationResult } from '../../metrics/result.js';
import { orderLatest } from '../latest-json/latest.js';
import { CHART_SCRIPT } from './charts.js';
import {
  auditSection, baselineSection, dlqTable, escapeHtml, failuresTable, percentileTable, statsTable, summaryTable, thresholdsTable,
} from './tables.js';
import { storageSection } from './storage.js';
import { duetSection } from './duet.js';
import { verdictSection } from './verdict.js';

const STYLE = `
:root { color-scheme: light; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111827; background: #f9fafb; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 12px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #d1d5db; padding-bottom: 4px; }
.banner { padding: 12px 16px; border-radius: 6px; font-weight: 600; }
.banner.pass { background: #dcfce7; border: 1px solid #15803d; color: #14532d; }
.banner.fail { background: #fee2e2; border: 1px solid #b91c1c; color: #7f1d1d; }
.banner.running { background: #dbeafe; border: 1px solid #1d4ed8; color: #1e3a8a; }
#live-bar { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; padding: 8px 24px; background: #111827; color: #f9fafb; }
#live-bar input { width: 7em; }
#live-bar a { color: #bfdbfe; }
#live-bar .answer { color: #fde68a; }
.banner .verdict { font-size: 20px; }
.banner ul { margin: 6px 0 0; font-weight: 400; }
.banner .warning { margin: 8px 0 0; padding: 6px 8px; background: #fef3c7; border: 1px solid #b45309; color: #78350f; font-weight: 600; }
table { border-collapse: collapse; background: #fff; margin: 6px 0; }
th, td { border: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tfoot td { font-weight: 600; background: #f9fafb; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
figure { margin: 0; background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
canvas { width: 100%; height: 260px; display: block; }
.ok { color: #15803d; font-weight: 600; }
.bad { color: #b91c1c; font-weight: 600; }
code { background: #f3f4f6; padding: 1px 4px; border-radius: 3px; }
`;

/** JSON safe inside <script>: every `<` becomes \u003c, so neither `</script>` nor `<!--` can end the block. */
export function embeddedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function banner(result: SimulationResult): string {
  const cls = result.pass ? 'pass' : 'fail';
  const reasons = result.reasons.length ? `<ul>${result.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>` : '';
  const note = result.interrupted ? ' (interrupted)' : '';
  const id = (w: string): string => (w === result.generator?.timingWarning ? 'generator-timing' : 'generator-warning');
  const warnings = (result.warnings ?? []).map((w) => `<p class="warning" id="${id(w)}">Warning: ${escapeHtml(w)}</p>`).join('');
  return `<div id="verdict" class="banner ${cls}"><span class="verdict">${result.pass ? 'PASS' : 'FAIL'}</span>${note} — exit code ${result.exitCode}${reasons}${warnings}</div>`;
}

/** While the run goes: the verdict the gates would give now, marked as provisional. */
function runningBanner(result: SimulationResult): string {
  const reasons = result.reasons.length ? `<ul>${result.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>` : '';
  const verdict = result.pass ? 'passing' : 'failing';
  return `<div id="verdict" class="banner running"><span class="verdict">RUNNING</span> — ${Math.floor(result.durationS)} s; the gates as they stand now: ${verdict}${reasons}</div>`;
}

function chart(id: string, caption: string, extra = ''): string {
  return `<figure><figcaption>${escapeHtml(caption)}${extra}</figcaption><canvas id="${id}" role="img" aria-label="${escapeHtml(caption)}"></canvas></figure>`;
}

/** What the live page (--web) adds around the report: its control bar and its script. */
export interface LivePageParts {
  /** Before <main>: the controls. */
  bar: string;
  /** After the chart script: the live updates. */
  script: string;
  /** The data the page's charts start from, in place of the whole result's (the live page's: what the charts read). */
  data?: string;
}

function title(result: SimulationResult): string {
  return `mlop-sim report — ${result.scenario}, ${result.users} users, ${result.startedAt}`;
}

/**
 * The inside of <main>: the whole report. `running` gives the provisional banner of a run still
 * going (the live page sends this fragment each second).
 */
export function reportMain(result: SimulationResult, running = false): string {
  const picker = ' for <select id="latency-entry" aria-label="entry"></select>';
  return `<h1>${escapeHtml(title(result))}</h1>
${running ? runningBanner(result) : banner(result)}
<h2>Run</h2>
${summaryTable(result)}
<h2>Charts</h2>
<div class="charts">
${chart('chart-rps', 'Requests per second')}
${chart('chart-latency', 'Latency percentiles (p50 / p95 / p99)', picker)}
${chart('chart-errors', 'Failures per second')}
${chart('chart-users', 'Users')}
</div>
${duetSection(result)}
<h2>Statistics</h2>
${statsTable(result)}
<h2>Response time percentiles (ms)</h2>
${percentileTable(result)}
<h2>Failures</h2>
${failuresTable(result)}
<h2>Thresholds</h2>
${thresholdsTable(result)}
<h2>Baseline</h2>
${result.verdict ? `<h3>Regression verdict</h3>${verdictSection(result.verdict)}<h3>Seed rule</h3>` : ''}${baselineSection(result)}
<h2>Delivery audit</h2>
${auditSection(result)}
<h2>ClickHouse: storage audit and time to visible</h2>
${storageSection(result)}
<h2>Dead-letter queue (/health/dlq)</h2>
${dlqTable(result)}
`;
}

/** The data the charts read, as embedded in the page (and sent with each live update). */
export function pageData(result: SimulationResult): string {
  return embeddedJson(orderLatest(result));
}

/**
 * The report page. One renderer for the file (--html) and the live page (--web): the live page is
 * this page of the result so far, with `live` adding its controls and update script; at the end
 * the live page serves this function's output for the final result, the same bytes --html writes.
 */
export function htmlPage(result: SimulationResult, live?: LivePageParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title(result))}</title>
<style>${STYLE}</style>
</head>
<body>
${live ? `${live.bar}\n` : ''}<main>
${reportMain(result, live !== undefined)}</main>
<script type="application/json" id="mlop-sim-data">${live?.data ?? pageData(result)}</script>
<script>${CHART_SCRIPT}</script>
${live ? `<script>${live.script}</script>\n` : ''}</body>
</html>
`;
}

/** Writes the page (creating its folder), returns its path. */
export async function writeHtml(result: SimulationResult, file: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, htmlPage(result), 'utf8');
  return file;
}

/**
 * The capacity page (`mlop-sim capacity --html FILE`): one self-contained file that opens
 * offline, with the answer, two curves drawn as inline SVG — achieved against offered load (the
 * diagonal is "kept up"), latency quantiles against load — the knee (the figure) marked on both,
 * and the step table; the report is embedded as JSON like the run report's.
 */
import type { CapacityReport, CapacityStep } from '../../metrics/capacity-report.js';
import { embeddedJson } from '../html/page.js';
import { escapeHtml, table } from '../html/tables.js';
import { formatMs } from '../number-format.js';

const W = 560, H = 300, PAD = { l: 60, r: 16, t: 16, b: 44 };

interface Line { name: string; color: string; points: Array<[number, number]>; dashed?: boolean }

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const mag = 10 ** Math.floor(Math.log10(v));
  const norm = v / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

function svgChart(id: string, xLabel: string, yLabel: string, lines: Line[], steps: CapacityStep[], yOf: (s: CapacityStep) => number, knee?: number): string {
  const all = lines.flatMap((l) => l.points);
  const xMax = niceMax(Math.max(1, ...all.map((p) => p[0])));
  const yMax = niceMax(Math.max(1, ...all.map((p) => p[1])));
  const pw = W - PAD.l - PAD.r, ph = H - PAD.t - PAD.b;
  const x = (v: number): number => PAD.l + (v / xMax) * pw;
  const y = (v: number): number => PAD.t + ph - (Math.min(v, yMax) / yMax) * ph;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const grid = ticks.map((f) => `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(f * yMax)}" y2="${y(f * yMax)}" stroke="#e5e7eb"/>` +
    `<text x="${PAD.l - 6}" y="${y(f * yMax) + 4}" text-anchor="end">${fmt(f * yMax)}</text>` +
    `<text x="${x(f * xMax)}" y="${H - PAD.b + 16}" text-anchor="middle">${fmt(f * xMax)}</text>`).join('');
  const paths = lines.map((l) => {
    const d = [...l.points].sort((a, b) => a[0] - b[0]).map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    return `<path d="${d}" fill="none" stroke="${l.color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="5 4"' : ''}/>`;
  }).join('');
  const dots = steps.map((s) => `<circle cx="${x(s.offered).toFixed(1)}" cy="${y(yOf(s)).toFixed(1)}" r="4" class="${s.verdict}"><title>step ${s.index}: ${s.offered} → ${s.verdict}</title></circle>`).join('');
  const kneeMark = knee !== undefined && knee > 0
    ? `<line id="${id}-knee" x1="${x(knee)}" x2="${x(knee)}" y1="${PAD.t}" y2="${PAD.t + ph}" stroke="#7c3aed" stroke-dasharray="3 3"/><text x="${x(knee) + 4}" y="${PAD.t + 12}" fill="#7c3aed">knee ${fmt(knee)}</text>`
    : '';
  const legend = lines.map((l, i) => `<text x="${PAD.l + 8 + i * 110}" y="${PAD.t + ph + 34}" fill="${l.color}">■ ${escapeHtml(l.name)}</text>`).join('');
  return `<svg id="${id}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(yLabel)} against ${escapeHtml(xLabel)}">` +
    `<g font-size="11" fill="#374151">${grid}</g>${paths}${dots}${kneeMark}<g font-size="11">${legend}</g>` +
    `<text x="${W - PAD.r}" y="${H - 4}" text-anchor="end" font-size="11">${escapeHtml(xLabel)}</text>` +
    `<text x="12" y="${PAD.t + 4}" font-size="11" transform="rotate(-90 12 ${PAD.t + 4})" text-anchor="end">${escapeHtml(yLabel)}</text></svg>`;
}

const fmt = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(v % 1000 === 0 ? 0 : 1)}k` : String(Math.round(v * 100) / 100));

export function capacityPage(r: CapacityReport, meta: { scenario: string; seed: number; exitCode: number; reasons: string[] }): string {
  const steps = r.steps;
  // Lines through the deciding run of each load (a rerun replaces its first run); dots for every run.
  const deciding = [...new Map(steps.map((s) => [s.offered, s])).values()];
  const unit = r.unit === 'runs' ? 'concurrent runs' : 'requests/s';
  const offered = deciding.map((s): [number, number] => [s.offered, s.offered]);
  const throughput = svgChart('achieved-vs-offered', `offered (${unit})`, `achieved (${unit})`, [
    { name: 'kept up', color: '#9ca3af', points: offered, dashed: true },
    { name: 'achieved', color: '#1f5fbf', points: deciding.map((s) => [s.offered, s.achieved]) },
  ], steps, (s) => s.achieved, r.figure);
  const latency = svgChart('latency-vs-load', `offered (${unit})`, 'latency (ms)', [
    { name: 'p50', color: '#15803d', points: deciding.map((s) => [s.offered, s.p50Ms]) },
    { name: 'p95', color: '#c2410c', points: deciding.map((s) => [s.offered, s.p95Ms]) },
    { name: 'p99', color: '#b91c1c', points: deciding.map((s) => [s.offered, s.p99Ms]) },
  ], steps, (s) => s.p95Ms, r.figure);
  const rows = steps.map((s) => [s.index, s.phase, s.offered, s.achieved, `${(s.keepUp * 100).toFixed(1)} %`, formatMs(s.p50Ms), formatMs(s.p95Ms), formatMs(s.p99Ms),
    s.samples, `${s.lengthS} s`, { html: `<span class="${s.verdict === 'pass' ? 'ok' : 'bad'}">${s.verdict.toUpperCase()}</span>${s.marginal ? ' (marginal)' : ''}` }, s.reasons.join('; ')]);
  const cls = meta.exitCode === 0 ? 'pass' : 'fail';
  const reasons = meta.reasons.length ? `<ul>${meta.reasons.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mlop-sim capacity — ${escapeHtml(meta.scenario)}</title>
<style>
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: #111827; background: #f9fafb; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 48px; }
.banner { padding: 12px 16px; border-radius: 6px; font-weight: 600; }
.banner.pass { background: #dcfce7; border: 1px solid #15803d; } .banner.fail { background: #fee2e2; border: 1px solid #b91c1c; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
figure { margin: 0; background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px; }
circle.pass { fill: #15803d; } circle.fail { fill: #b91c1c; }
table { border-collapse: collapse; background: #fff; } th, td { border: 1px solid #e5e7eb; padding: 4px 8px; } th { background: #f3f4f6; }
.ok { color: #15803d; font-weight: 600; } .bad { color: #b91c1c; font-weight: 600; }
</style></head>
<body><main>
<h1>Capacity — ${escapeHtml(meta.scenario)} scenario</h1>
<div id="verdict" class="banner ${cls}"><span id="capacity-summary">${escapeHtml(r.summary)}</span> — exit code ${meta.exitCode}${reasons}</div>
<p>SLOs: ${r.slos.map((s) => `<code>${escapeHtml(s)}</code>`).join(', ')}; seed ${meta.seed}; ${steps.length} steps in ${r.elapsedS} s. Each step is judged on its second half.</p>
<div class="charts"><figure><figcaption>Achieved against offered</figcaption>${throughput}</figure><figure><figcaption>Latency against load (judged entry)</figcaption>${latency}</figure></div>
<h2>Steps</h2>
${table('capacity-steps', ['#', 'phase', 'offered', 'achieved', 'kept up', 'p50 ms', 'p95 ms', 'p99 ms', 'samples', 'length', 'verdict', 'why'], rows)}
<script type="application/json" id="mlop-sim-data">${embeddedJson({ capacity: r })}</script>
</main></body></html>
`;
}

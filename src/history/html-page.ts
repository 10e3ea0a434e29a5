/**
 * `history show --html FILE`: one self-contained page (no script, no CDN; opens offline) with
 * the check's verdict, its change points, and per entry inline SVG charts of the series —
 * p50/p95/p99, error rate and throughput against the result number — where each change point is
 * a dashed vertical line at the first result of the new level (red: regression, green:
 * improvement). The look follows the run report's (src/output/html/page.ts).
 */
import type { HistoryCheck, SeriesChange } from './check.js';
import type { HistoryMetric, HistoryRecord } from './record.js';
import { changeLine, resultName, verdictSentence } from './text.js';

const STYLE = `
:root { color-scheme: light; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111827; background: #f9fafb; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 12px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #d1d5db; padding-bottom: 4px; }
.banner { padding: 12px 16px; border-radius: 6px; font-weight: 600; }
.banner.pass { background: #dcfce7; border: 1px solid #15803d; color: #14532d; }
.banner.fail { background: #fee2e2; border: 1px solid #b91c1c; color: #7f1d1d; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
figure { margin: 0; background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg { width: 100%; height: auto; display: block; }
ul.changes li.regression { color: #b91c1c; }
ul.changes li.improvement { color: #15803d; }
`;

const COLORS = ['#1f5fbf', '#c2410c', '#7c3aed'];
const CHARTS: Array<{ title: string; metrics: HistoryMetric[]; scale: number }> = [
  { title: 'median latency (ms)', metrics: ['p50_ms'], scale: 1 },
  { title: 'tail latency (ms)', metrics: ['p95_ms', 'p99_ms'], scale: 1 },
  { title: 'error rate (%)', metrics: ['error_rate'], scale: 100 },
  { title: 'throughput (/s)', metrics: ['rps'], scale: 1 },
];

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const W = 560;
const H = 240;
const PAD = { left: 56, right: 14, top: 14, bottom: 34 };

function chart(records: readonly HistoryRecord[], entry: string, spec: (typeof CHARTS)[number], changes: readonly SeriesChange[]): string {
  const n = records.length;
  const points = spec.metrics.map((m) => records.flatMap((r, i) => (r.entries[entry] ? [[i, r.entries[entry][m] * spec.scale] as const] : [])));
  // The axis spans the data (not from 0), so a shift of a few percent is visible.
  const ys = points.flat().map((p) => p[1]);
  const lo = ys.length ? Math.min(...ys) : 0;
  const hi = ys.length ? Math.max(...ys) : 1;
  const margin = hi > lo ? (hi - lo) * 0.15 : Math.max(Math.abs(hi) * 0.1, 1);
  const yMin = Math.max(0, lo - margin);
  const yMax = hi + margin;
  const pw = W - PAD.left - PAD.right;
  const ph = H - PAD.top - PAD.bottom;
  const X = (i: number): number => PAD.left + (n > 1 ? (i / (n - 1)) * pw : pw / 2);
  const Y = (v: number): number => PAD.top + ph - ((v - yMin) / (yMax - yMin)) * ph;
  const parts: string[] = [];
  for (let k = 0; k <= 4; k++) {
    const v = yMin + ((yMax - yMin) * k) / 4;
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${Y(v).toFixed(1)}" y2="${Y(v).toFixed(1)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${(Y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#374151">${v.toPrecision(3)}</text>`);
  }
  const step = Math.max(1, Math.ceil(n / 10));
  for (let i = 0; i < n; i += step) parts.push(`<text x="${X(i).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11" fill="#374151">${i + 1}</text>`);
  for (const c of changes.filter((x) => x.entry === entry && spec.metrics.includes(x.metric))) {
    const x = ((X(c.run - 1) + X(c.run)) / 2).toFixed(1);
    const color = c.direction === 'regression' ? '#b91c1c' : '#15803d';
    parts.push(`<line class="change-point ${c.direction}" data-metric="${c.metric}" data-result="${c.run + 1}" x1="${x}" x2="${x}" y1="${PAD.top}" y2="${PAD.top + ph}" stroke="${color}" stroke-width="2" stroke-dasharray="5 4"><title>${escapeHtml(changeLine(c))}</title></line>`);
  }
  points.forEach((pts, k) => {
    if (pts.length === 0) return;
    const d = pts.map(([i, v]) => `${X(i).toFixed(1)},${Y(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${COLORS[k]}" stroke-width="1.6" points="${d}"/>`);
    for (const [i, v] of pts) parts.push(`<circle cx="${X(i).toFixed(1)}" cy="${Y(v).toFixed(1)}" r="2.4" fill="${COLORS[k]}"><title>${escapeHtml(`${resultName(i, records[i].label)}: ${spec.metrics[k]} ${v.toFixed(3)}`)}</title></circle>`);
  });
  const legend = spec.metrics.map((m, k) => `<tspan fill="${COLORS[k]}">■ ${m}</tspan>`).join(' ');
  parts.push(`<text x="${PAD.left}" y="${H - 4}" font-size="11">${legend} <tspan fill="#374151">(x: result number)</tspan></text>`);
  return `<figure><figcaption>${escapeHtml(spec.title)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(`${entry} ${spec.title}`)}">${parts.join('')}</svg></figure>`;
}

export function historyHtml(check: HistoryCheck, entries: readonly string[], store: string): string {
  const verdict = verdictSentence(check);
  const list = check.changes.length
    ? `<ul class="changes">${check.changes.map((c) => `<li class="${c.direction}">${escapeHtml(changeLine(c))}${c.gates ? ' <strong>(fails the check)</strong>' : ''}</li>`).join('')}</ul>`
    : '<p>No change point.</p>';
  const sections = entries.map((entry) => `<h2>${escapeHtml(entry)}</h2><div class="charts">${CHARTS.map((s) => chart(check.records, entry, s, check.changes)).join('')}</div>`);
  const first = check.records[0]?.time ?? '';
  const last = check.records[check.records.length - 1]?.time ?? '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>mlop-sim results history</title>
<style>${STYLE}</style></head>
<body><main>
<h1>Results history</h1>
<p>${check.records.length} results from ${escapeHtml(store)} (${escapeHtml(first)} – ${escapeHtml(last)}); change points by E-divisive means.</p>
<div class="banner ${check.pass ? 'pass' : 'fail'}">${escapeHtml(verdict)}</div>
<h2>Change points</h2>
${list}
${sections.join('\n')}
</main></body></html>
`;
}

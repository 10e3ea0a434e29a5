/**
 * The regression verdict's section of the HTML page (after a run with --baseline, and the page
 * `mlop-sim compare --html FILE` writes): each latency interval drawn as a bar on one shared
 * axis of relative change, with the ±minimum-effect band shaded, then the table's numbers.
 * Inline SVG: the page stays self-contained.
 */
import type { RegressionVerdict, VerdictTest } from '../../metrics/verdict.js';
import { escapeHtml } from './tables.js';

const W = 760, ROW = 22, LABEL = 300, PAD = 12;
const pct = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} %`;
const COLOR: Record<VerdictTest['outcome'], string> = {
  regression: '#b91c1c', improvement: '#15803d', 'no-change': '#2563eb', inconclusive: '#b45309', skipped: '#9ca3af',
};

function bars(v: RegressionVerdict): string {
  const tests = v.tests.filter((t) => t.metric !== 'error_rate' && Number.isFinite(t.lo));
  if (tests.length === 0) return '';
  const m = v.settings.minEffect;
  const reach = Math.max(2 * m, ...tests.map((t) => Math.max(Math.abs(t.lo), Math.abs(t.hi)))) * 1.1;
  const x = (c: number): number => LABEL + ((c + reach) / (2 * reach)) * (W - LABEL - PAD);
  const h = tests.length * ROW + 28;
  const parts = [
    `<rect x="${x(-m)}" y="0" width="${x(m) - x(-m)}" height="${h - 20}" fill="#e5e7eb"><title>±${(m * 100).toFixed(0)} % minimum effect</title></rect>`,
    `<line x1="${x(0)}" x2="${x(0)}" y1="0" y2="${h - 20}" stroke="#6b7280"/>`,
    `<text x="${x(-m)}" y="${h - 6}" font-size="11" text-anchor="middle">${pct(-m)}</text>`,
    `<text x="${x(m)}" y="${h - 6}" font-size="11" text-anchor="middle">${pct(m)}</text>`,
    `<text x="${x(-reach / 1.1)}" y="${h - 6}" font-size="11" text-anchor="middle">${pct(-reach / 1.1)}</text>`,
    `<text x="${x(reach / 1.1)}" y="${h - 6}" font-size="11" text-anchor="middle">${pct(reach / 1.1)}</text>`,
  ];
  tests.forEach((t, i) => {
    const y = i * ROW + 4;
    const c = COLOR[t.outcome];
    const tip = escapeHtml(`${t.entry} ${t.metric}: ${pct(t.change)} [${pct(t.lo)}, ${pct(t.hi)}] — ${t.outcome}`);
    parts.push(
      `<text x="${LABEL - 8}" y="${y + 13}" font-size="12" text-anchor="end">${escapeHtml(`${t.entry} ${t.metric}`)}</text>`,
      `<g class="interval" data-outcome="${t.outcome}"><title>${tip}</title>` +
      `<rect x="${x(t.lo)}" y="${y + 5}" width="${Math.max(1, x(t.hi) - x(t.lo))}" height="8" fill="${c}" opacity="0.75"/>` +
      `<circle cx="${x(t.change)}" cy="${y + 9}" r="3.5" fill="${c}"/></g>`,
    );
  });
  return `<svg id="verdict-intervals" role="img" aria-label="intervals of the relative change per entry and quantile" viewBox="0 0 ${W} ${h}" width="100%" style="max-width:${W}px;background:#fff;border:1px solid #e5e7eb">${parts.join('')}</svg>`;
}

function rows(v: RegressionVerdict): string {
  const cell = (t: VerdictTest): string => {
    const err = t.metric === 'error_rate';
    const f = (n: number): string => (!Number.isFinite(n) ? '–' : err ? n.toFixed(4) : pct(n));
    const val = (n: number): string => (!Number.isFinite(n) ? '–' : err ? n.toFixed(4) : `${n.toFixed(1)} ms`);
    return `<tr><td>${escapeHtml(t.entry)}</td><td>${t.metric}</td><td class="num">${val(t.base)}</td><td class="num">${val(t.cand)}</td>` +
      `<td class="num">${f(t.change)}</td><td class="num">[${f(t.lo)}, ${f(t.hi)}]</td><td style="color:${COLOR[t.outcome]}">${escapeHtml(t.outcome)}${t.reason ? `: ${escapeHtml(t.reason)}` : ''}</td></tr>`;
  };
  return `<table id="verdict-tests"><thead><tr><th>Entry</th><th>Metric</th><th>Base</th><th>Candidate</th><th>Change</th><th>Interval</th><th>Outcome</th></tr></thead><tbody>${v.tests.map(cell).join('')}</tbody></table>`;
}

export function verdictSection(v: RegressionVerdict | undefined): string {
  if (!v) return '<p>No regression verdict (no baseline with distributions given).</p>';
  const cls = v.outcome === 'regression' ? 'bad' : v.outcome === 'pass' ? 'ok' : '';
  const seed = v.seedRule ? `<p>The seed's rule on the same files (+20 % p95/p99, +0.05 error rate): ${v.seedRule.pass ? 'pass' : 'fail'}.</p>` : '';
  return `<p id="verdict-statement" class="${cls}">${escapeHtml(v.outcome.toUpperCase())}: ${escapeHtml(v.statement)}</p>` +
    `<p>Base ${escapeHtml(v.base.files.join(', '))} → candidate ${escapeHtml(v.candidate.files.join(', '))}; ${v.tested} intervals at ${((1 - v.settings.alpha) * 100).toFixed(0)} % for all together (Bonferroni), minimum effect ${(v.settings.minEffect * 100).toFixed(0)} %.</p>` +
    bars(v) + rows(v) + seed + v.notes.map((n) => `<p>Note: ${escapeHtml(n)}</p>`).join('');
}

/** A page with the verdict alone (`mlop-sim compare --html FILE`). */
export function verdictPage(v: RegressionVerdict): string {
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>mlop-sim compare — ${escapeHtml(v.scenario)}</title>\n` +
    `<style>body{font:14px/1.45 system-ui,sans-serif;margin:16px 24px;color:#111827}table{border-collapse:collapse}th,td{border:1px solid #e5e7eb;padding:4px 8px}td.num{text-align:right}.ok{color:#15803d;font-weight:600}.bad{color:#b91c1c;font-weight:600}</style>\n` +
    `</head>\n<body>\n<h1>Regression verdict</h1>\n${verdictSection(v)}\n</body>\n</html>\n`;
}

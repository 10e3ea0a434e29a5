/** A duet run on the HTML page: both sides' figures side by side, and B's verdict against A. */
import type { SimulationResult } from '../../metrics/result.js';
import { duetEntryNames, duetRatio, duetRow } from '../duet-rows.js';
import { formatNumber } from '../number-format.js';
import { escapeHtml, table, type Cell } from './tables.js';
import { verdictSection } from './verdict.js';

export function duetSection(result: SimulationResult): string {
  const duet = result.duet;
  if (!duet) return '';
  const rows = duetEntryNames(result).map((name): Cell[] => {
    const a = duetRow(duet.a, name), b = duetRow(duet.b, name);
    const q = (s: typeof a, k: 'p50' | 'p95' | 'p99'): Cell => (s ? formatNumber(s.percentiles[k], 4) : '–');
    return [name, a?.count ?? 0, b?.count ?? 0, q(a, 'p50'), q(b, 'p50'), duetRatio(b?.percentiles.p50, a?.percentiles.p50),
      q(a, 'p95'), q(b, 'p95'), duetRatio(b?.percentiles.p95, a?.percentiles.p95), q(a, 'p99'), q(b, 'p99'), duetRatio(b?.percentiles.p99, a?.percentiles.p99)];
  });
  return `<h2>Duet: A (baseline) and B (candidate)</h2>
<p>A <code>${escapeHtml(duet.a.target.ingestUrl)}</code> and B <code>${escapeHtml(duet.b.target.ingestUrl)}</code>, driven by the same users at the same moments. Each side's figures are its own.</p>
${table('duet', ['Name', 'A reqs', 'B reqs', 'A p50', 'B p50', 'B÷A', 'A p95', 'B p95', 'B÷A', 'A p99', 'B p99', 'B÷A'], rows)}
${duet.verdict ? `<h3>B against A (windows paired in time)</h3>${verdictSection(duet.verdict)}` : ''}`;
}

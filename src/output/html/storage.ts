/** The HTML report's ClickHouse section: the storage audit per kind and run, and the time-to-visible probe. */
import type { SimulationResult, StorageAudit, StorageKind } from '../../metrics/result.js';
import { describeVisibility } from '../verdict-details.js';
import { escapeHtml, table, type Cell } from './tables.js';

const KINDS: StorageKind[] = ['metrics', 'logs', 'data', 'files'];

export function storageSection(result: SimulationResult): string {
  const s = result.storage;
  const v = result.visibility;
  if (!s && !v) return '<p>No ClickHouse given (--clickhouse-url): storage not audited, time to visible not measured.</p>';
  let html = '';
  if (s) {
    html += `<p class="${s.pass ? 'ok' : 'bad'}">${escapeHtml(s.sentence ?? '')}</p>`;
    const header = ['Run', ...KINDS.flatMap((k) => [`${k} acked`, `${k} stored`, `${k} lost`, `${k} dup.`])];
    const cells = (kinds: StorageAudit['totals']): Cell[] =>
      KINDS.flatMap((kind) => [kinds[kind].acked, kinds[kind].stored, kinds[kind].lost, kinds[kind].duplicated]);
    html += table('storage', header, s.runs.map((r) => [`${r.runName ?? ''} (#${r.runId})`, ...cells(r.kinds)]), [['Total', ...cells(s.totals)]]);
  }
  if (v) html += `<p>${escapeHtml(describeVisibility(v))}</p>`;
  return html;
}

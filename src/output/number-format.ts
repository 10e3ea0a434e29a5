/**
 * Number formatting shared by the text reports (console table, live line, JUnit, HTML tables).
 * Latencies are sub-millisecond (docs/protocol/measurement.md), so milliseconds keep decimals where they matter.
 */

/** Milliseconds for a fixed-width column: 3 decimals under 1 ms, 2 under 10 ms, 1 under 100 ms, whole above. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  const abs = Math.abs(ms);
  if (abs < 1) return ms.toFixed(3);
  if (abs < 10) return ms.toFixed(2);
  if (abs < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

/** A rate per second with 2 decimals (Locust prints req/s as %.2f). */
export function formatRate(perS: number): string {
  return Number.isFinite(perS) ? perS.toFixed(2) : 'n/a';
}

/** A fraction (0.0123) as a percentage string (`1.23 %`). */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return 'n/a';
  return `${(fraction * 100).toFixed(2)} %`;
}

/** A plain number for prose and data columns: integers as is, others rounded to `digits` decimals. */
export function formatNumber(n: number, digits = 3): string {
  if (Number.isNaN(n)) return 'n/a';
  if (n === Infinity) return '∞';
  if (n === -Infinity) return '-∞';
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toFixed(digits)));
}

/** Pads (or cuts, marking the cut with `…`) a value to exactly `width` characters. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const chars = Array.from(text);
  if (chars.length > width) return width <= 1 ? chars.slice(0, width).join('') : chars.slice(0, width - 1).join('') + '…';
  const pad = ' '.repeat(width - chars.length);
  return align === 'left' ? text + pad : pad + text;
}

/** Text from the outside (server error bodies) made safe for one console line: no line breaks, no control characters. */
export function oneLine(text: string): string {
  return text.replace(/\r\n|\r|\n/g, ' ↵ ').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

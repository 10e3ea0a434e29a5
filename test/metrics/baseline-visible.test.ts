/** The baseline also compares `E2E log→visible` p95 when both runs measured it (--clickhouse-url). */
import { describe, expect, it } from 'vitest';
import { compareBaseline, parseBaselineFile } from '../../src/metrics/baseline.js';

const latest = (visibleP95?: number): string =>
  JSON.stringify({
    p95_ms: 10, p99_ms: 20, error_rate: 0,
    entries: visibleP95 === undefined ? [] : [{ name: 'E2E log→visible', percentiles: { p95: visibleP95 } }],
  });

describe('baseline with time to visible', () => {
  it('reads the visible p95 from a saved latest.json, and nothing when the run had no ClickHouse', () => {
    expect(parseBaselineFile(latest(5200), 'b.json').visible_p95_ms).toBe(5200);
    expect(parseBaselineFile(latest(), 'b.json').visible_p95_ms).toBeUndefined();
  });

  it('fails when the visible p95 grew by more than 20 %, passes within it, and is skipped when either side lacks it', () => {
    const base = parseBaselineFile(latest(5000), 'b.json');
    const grown = compareBaseline(base, { p95_ms: 10, p99_ms: 20, error_rate: 0, visible_p95_ms: 6100 }, 'b.json');
    expect(grown.pass).toBe(false);
    expect(grown.checks.find((c) => c.metric === 'visible_p95_ms')).toMatchObject({ baseline: 5000, current: 6100, pass: false });
    expect(compareBaseline(base, { p95_ms: 10, p99_ms: 20, error_rate: 0, visible_p95_ms: 5900 }, 'b.json').pass).toBe(true);
    expect(compareBaseline(base, { p95_ms: 10, p99_ms: 20, error_rate: 0 }, 'b.json').checks.map((c) => c.metric)).toEqual(['p95_ms', 'p99_ms', 'error_rate']);
  });
});

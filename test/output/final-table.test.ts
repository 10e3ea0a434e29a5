import { describe, expect, it } from 'vitest';
import { formatFinalTable } from '../../src/output/index.js';
import { makeResult } from './fixture.js';

describe('formatFinalTable', () => {
  it('prints a Locust-like stats table with every entry and the Aggregated row last', () => {
    const lines = formatFinalTable(makeResult()).split('\n');
    const header = lines[0]!;
    for (const column of ['Type', 'Name', '# reqs', '# fails', 'Avg', 'Min', 'Max', 'Med', 'req/s', 'failures/s']) {
      expect(header).toContain(column);
    }
    const stats = lines.slice(0, lines.indexOf(''));
    expect(stats.at(-1)).toMatch(/^\s+Aggregated\s+2100\s+6\(0\.29%\)/);
    const metrics = stats.find((l) => l.includes('/ingest/metrics'))!;
    expect(metrics).toMatch(/^POST\s+\/ingest\/metrics\s+1480\s+6\(0\.41%\) \|\s+2\.94\s+0\.630\s+25\.2\s+2\.10 \|\s+49\.33\s+0\.20$/);
    // Fixed width: every row of the table is as long as the header.
    for (const l of stats) expect(Array.from(l).length).toBe(Array.from(header).length);
  });

  it('prints the percentile table with Locust\'s columns and sub-millisecond values', () => {
    const text = formatFinalTable(makeResult());
    const lines = text.split('\n');
    const start = lines.indexOf('Response time percentiles (ms, approximated by t-digest)');
    expect(start).toBeGreaterThan(0);
    expect(lines[start + 1]).toMatch(/# reqs\s+50%\s+66%\s+75%\s+80%\s+90%\s+95%\s+98%\s+99%\s+99\.9%\s+99\.99%\s+100%$/);
    const enqueue = lines.slice(start).filter((l) => l.startsWith('SDK      run.log (metrics)'));
    expect(enqueue).toHaveLength(1);
    expect(enqueue[0]).toMatch(/ 1500\s+0\.012\s+0\.014\s/); // the SDK's enqueue time is microseconds
  });

  it('ends with FAIL and one line per reason, after the judged entries, the gates and the audit totals', () => {
    const result = makeResult();
    result.reasons.push('Delivery audit lost 3 rows.');
    const lines = formatFinalTable(result).trimEnd().split('\n');
    expect(lines.slice(-3)).toEqual(['FAIL', `  - ${result.reasons[0]}`, '  - Delivery audit lost 3 rows.']);
    const text = lines.join('\n');
    expect(text).toContain('Judged entries: e2e log→ack, SDK HTTP (all)');
    expect(text).toContain('FAIL e2e log→ack p95 was 1613 ms, which breaks P95_THRESHOLD_MS=500');
    expect(text).toContain('Delivery audit passed over 2 runs: 2400 records logged, 2397 acked, 0 failed, 3 pending; 13185 rows expected, 13185 stored, 0 lost, 0 duplicated.');
    expect(text).toContain('p95_ms changed by +7.5 %');
  });

  it('says PASS with no reason lines when the run passed, and keeps server errors on one line', () => {
    const result = makeResult();
    result.pass = true;
    result.reasons = [];
    result.exitCode = 0;
    const text = formatFinalTable(result);
    expect(text.trimEnd().split('\n').at(-1)).toBe('PASS');
    expect(text).toContain('socket hang up </script><script>window.__injected = 1</script> ↵ second line');
  });

  it("shows the generator's warnings just above the verdict, and nothing when there are none", () => {
    const result = makeResult();
    const warning = "mlop-sim's own event loop ran up to 7.5 ms late at p99, above the 2 ms it tolerates: … (--workers).";
    result.warnings = [warning];
    const lines = formatFinalTable(result).trimEnd().split('\n');
    const at = lines.findIndex((l) => l === 'PASS' || l === 'FAIL');
    expect(lines[at - 1]).toBe(`WARNING: ${warning}`);
    result.warnings = [];
    expect(formatFinalTable(result)).not.toContain('WARNING:');
  });
});

/** The capacity answer in words and on the page: never more than was measured (a floor says "at least" and why). */
import { describe, expect, it } from 'vitest';
import type { CapacityReport, CapacityStep } from '../../src/metrics/capacity-report.js';
import { capacityPage, capacitySummary } from '../../src/output/capacity/index.js';

const step = (index: number, offered: number, verdict: 'pass' | 'fail'): CapacityStep => ({
  index, phase: 'ramp', offered, achieved: verdict === 'pass' ? offered : 300, keepUp: verdict === 'pass' ? 1 : 300 / offered,
  requestsPerS: offered, ingestRequestsPerS: offered, lengthS: 10, windowS: 5, samples: offered * 5, samplesNeeded: 2000,
  p50Ms: 2, p95Ms: 5, p99Ms: 9, p999Ms: 12, maxMs: 20, errorRate: 0, generatorSaturated: false, slos: [], verdict, marginal: false,
  causes: verdict === 'pass' ? [] : ['throughput'], reasons: verdict === 'pass' ? [] : ['achieved 300 of 320 offered'],
});

const base = (over: Partial<CapacityReport>): CapacityReport => ({
  unit: 'requests/s', kind: 'capacity', figure: 305, bracket: { low: 305, high: 310 }, limitedBy: 'target',
  firstFailure: { offered: 310, causes: ['throughput'], reasons: ['achieved 300 of 310 offered'] }, summary: '', slos: ['p95<500'], elapsedS: 100,
  steps: [step(1, 160, 'pass'), step(2, 320, 'fail'), step(3, 305, 'pass'), step(4, 310, 'fail')], ...over,
});

describe('capacitySummary', () => {
  it('a capacity: the figure, its bracket and what failed first', () => {
    expect(capacitySummary(base({}))).toBe('sustains 305 requests/s (between 305, passed, and 310, failed); above it, what failed first: throughput (achieved below offered).');
  });
  it('a generator-bound search is a floor that names the generator, never a capacity', () => {
    const s = capacitySummary(base({ kind: 'floor', limitedBy: 'generator', unit: 'runs', figure: 2400, bracket: { low: 2400, high: 2450 } }));
    expect(s).toMatch(/^sustains at least 2,400 concurrent runs — a floor, not the capacity: the generator, not the target, limited this/);
    expect(capacitySummary(base({ kind: 'floor', limitedBy: 'generator', unit: 'requests/s', figure: 1000, bracket: { low: 1000, high: 2000 } }))).toMatch(/mlop-sim capacity --workers N/);
    expect(s).toContain('--workers');
  });
  it('time and --max-load floors, and below the lowest step', () => {
    expect(capacitySummary(base({ kind: 'floor', limitedBy: 'time', bracket: { low: 305 }, firstFailure: undefined }))).toMatch(/at least 305 .*\(raise --max-time\)/);
    expect(capacitySummary(base({ kind: 'floor', limitedBy: 'max-load', bracket: { low: 305 }, firstFailure: undefined }))).toMatch(/up to --max-load/);
    expect(capacitySummary(base({ kind: 'below-lowest', figure: 0, bracket: { low: 0, high: 20 }, firstFailure: { offered: 20, causes: ['latency'], reasons: ['p95<1: 2.5'] } })))
      .toBe('below the lowest step: the target did not sustain 20 requests/s within the SLOs (p95<1: 2.5).');
  });
});

describe('capacityPage', () => {
  it('draws both curves with the knee at the figure, one dot per run, and escapes what it prints', () => {
    const r = base({ slos: ['p95<500 <script>'] });
    r.summary = capacitySummary(r);
    const page = capacityPage(r, { scenario: 'http', seed: 1, exitCode: 0, reasons: [] });
    expect(page).toContain('<svg id="achieved-vs-offered"');
    expect(page).toContain('<svg id="latency-vs-load"');
    expect(page).toMatch(/id="achieved-vs-offered-knee"[^>]*/);
    expect(page.match(/<circle /g)).toHaveLength(2 * r.steps.length);
    expect(page).not.toContain('<script>"');
    expect(page).toContain('p95&lt;500 &lt;script&gt;');
    const data = JSON.parse(page.split('<script type="application/json" id="mlop-sim-data">')[1].split('</script>')[0]);
    expect(data.capacity.figure).toBe(305);
  });
});

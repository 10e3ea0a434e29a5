import { describe, expect, it } from 'vitest';
import type { RegressionVerdict, VerdictTest } from '../../src/metrics/verdict.js';
import { DEFAULT_SETTINGS } from '../../src/metrics/statistics/compare-entries.js';
import { htmlPage } from '../../src/output/html/page.js';
import { verdictSection } from '../../src/output/html/verdict.js';
import { formatVerdict } from '../../src/output/console/verdict-text.js';
import { makeResult } from './fixture.js';

const test = (entry: string, metric: VerdictTest['metric'], change: number, lo: number, hi: number, outcome: VerdictTest['outcome']): VerdictTest =>
  ({ entry, metric, judged: true, base: 20, cand: 20 * (1 + change), change, lo, hi, outcome, bound: Math.max(Math.abs(lo), Math.abs(hi)) });

const verdict: RegressionVerdict = {
  outcome: 'regression', statement: 'regression beyond the +5.0 % minimum effect: SDK HTTP (all) p95 …', scenario: 'sdk',
  base: { files: ['base.json'], runs: 1 }, candidate: { files: ['this run'], runs: 1 }, settings: DEFAULT_SETTINGS, tested: 3, z: 2.39,
  tests: [
    test('SDK HTTP (all)', 'p50', 0.9, 0.8, 1.0, 'regression'),
    test('SDK HTTP (all)', 'p95', 0.02, -0.03, 0.07, 'no-change'),
    { ...test('SDK HTTP (all)', 'error_rate', 0, -0.002, 0.002, 'no-change'), base: 0, cand: 0 },
    { ...test('POST /api/slug', 'p99', NaN, NaN, NaN, 'skipped'), reason: 'p99 needs at least 500 samples on each side (base 40, candidate 40)' },
  ],
  notes: [],
};

describe('the verdict in the reports', () => {
  it('draws each latency interval as a bar coloured by its outcome, with the minimum-effect band', () => {
    const html = verdictSection(verdict);
    expect((html.match(/<g class="interval"/g) ?? []).length).toBe(2);
    expect(html).toMatch(/<g class="interval" data-outcome="regression">/);
    expect(html).toMatch(/<title>±3 % minimum effect<\/title>/);
    expect(html).toMatch(/p99 needs at least 500 samples/);
  });

  it('the run report carries it under Baseline when the run had one; the console names entry, quantile and interval', () => {
    const page = htmlPage({ ...makeResult(), verdict });
    expect(page).toMatch(/<h3>Regression verdict<\/h3>.*id="verdict-statement" class="bad">REGRESSION/s);
    const text = formatVerdict(verdict);
    expect(text).toMatch(/SDK HTTP \(all\)\s+p50\s+20\.0 ms\s+38\.0 ms\s+\+90\.0%\s+\[\+80\.0%, \+100\.0%\]\s+REGRESSION/);
    expect(text).toMatch(/not tested \(too few data\): POST \/api\/slug/);
    expect(text).toMatch(/^FAIL: regression beyond/m);
  });
});

import { describe, expect, it } from 'vitest';
import { Recorder } from '../../src/metrics/recorder.js';
import {
  evaluateThresholds, limitSpecs, parseThreshold, thresholdsFromEnv, ThresholdSyntaxError,
} from '../../src/metrics/thresholds.js';
import { BaselineFileError, compareBaseline, parseBaselineFile } from '../../src/metrics/baseline.js';

const ALIASES = { e2e: 'E2E log→ack', agg: 'Aggregated', http: 'SDK HTTP (all)' };

describe('parseThreshold', () => {
  it('reads the k6-like form, resolving aliases', () => {
    expect(parseThreshold('e2e:p95<800', ALIASES)).toEqual({ expression: 'e2e:p95<800', entry: 'E2E log→ack', metric: 'p95', op: '<', limit: 800 });
    expect(parseThreshold('http:p99<=1000', ALIASES)).toMatchObject({ entry: 'SDK HTTP (all)', metric: 'p99', op: '<=', limit: 1000 });
    expect(parseThreshold('agg:error_rate<0.01', ALIASES)).toMatchObject({ entry: 'Aggregated', metric: 'error_rate', op: '<', limit: 0.01 });
    expect(parseThreshold('POST /ingest/metrics:p50<20')).toMatchObject({ entry: 'POST /ingest/metrics', metric: 'p50', limit: 20 });
    expect(parseThreshold(' agg : p99.9 >= 1.5e2 ', ALIASES)).toMatchObject({ entry: 'Aggregated', metric: 'p99.9', op: '>=', limit: 150 });
    expect(parseThreshold('agg:rps>100', ALIASES)).toMatchObject({ metric: 'rps', op: '>', limit: 100 });
    for (const m of ['p66', 'p75', 'p80', 'p90', 'p98', 'p99.99', 'p100', 'avg', 'min', 'max']) {
      expect(parseThreshold(`agg:${m}<1`).metric).toBe(m);
    }
  });

  it('rejects bad expressions with one clear sentence', () => {
    const bad: [string, RegExp][] = [
      ['p95<800', /needs the form <entry>:<metric><op><value>/],
      [':p95<800', /needs the form/],
      ['e2e:p95=800', /lacks a comparison/],
      ['e2e:p97<800', /unknown metric "p97"/],
      ['e2e:latency<800', /unknown metric/],
      ['e2e:p95<', /not a finite number/],
      ['e2e:p95<fast', /"fast" as its limit/],
      ['e2e:p95<<800', /not a finite number/],
    ];
    for (const [expr, message] of bad) {
      let caught: unknown;
      try { parseThreshold(expr, ALIASES); } catch (e) { caught = e; }
      expect(caught, expr).toBeInstanceOf(ThresholdSyntaxError);
      const text = (caught as Error).message;
      expect(text, expr).toMatch(message);
      expect(text.split('\n')).toHaveLength(1);
    }
  });
});

describe('evaluateThresholds', () => {
  const rec = new Recorder({ now: () => 1_700_000_000_000 });
  for (let i = 1; i <= 100; i++) rec.record('E2E', 'log→ack', i * 10, i <= 98);
  const lookup = (entry: string) => (entry === 'Aggregated' ? rec.group('Aggregated', () => true, 10) : rec.summary(entry, 10));

  it('judges percentiles, error rate, rps, avg/min/max against their limits', () => {
    const specs = ['e2e:p95<1000', 'e2e:p95<950', 'e2e:p95<=950', 'agg:error_rate<0.01', 'agg:error_rate<=0.02', 'agg:rps>=10', 'e2e:avg<505', 'e2e:min>10', 'e2e:max<=1000']
      .map((e) => parseThreshold(e, ALIASES));
    const verdicts = evaluateThresholds(specs, lookup);
    expect(verdicts.map((v) => [v.expression, v.actual, v.pass])).toEqual([
      ['e2e:p95<1000', 950, true],
      ['e2e:p95<950', 950, false],
      ['e2e:p95<=950', 950, true],
      ['agg:error_rate<0.01', 0.02, false],
      ['agg:error_rate<=0.02', 0.02, true],
      ['agg:rps>=10', 10, true],
      ['e2e:avg<505', 505, false],
      ['e2e:min>10', 10, false],
      ['e2e:max<=1000', 1000, true],
    ]);
  });

  it('fails a threshold whose entry was never recorded, saying so', () => {
    const [v] = evaluateThresholds([parseThreshold('POST /nowhere:p95<10')], lookup);
    expect(v).toMatchObject({ entry: 'POST /nowhere', actual: 0, pass: false });
    expect(v.note).toMatch(/no entry named "POST \/nowhere"/);
  });

  it('applies the seed gate (p95 ≤ 500, p99 ≤ 1000, error rate ≤ 0.01) to each judged entry', () => {
    const specs = limitSpecs(thresholdsFromEnv({}), ['E2E log→ack']);
    const verdicts = evaluateThresholds(specs, lookup);
    expect(verdicts.map((v) => [v.expression, v.metric, v.actual, v.pass])).toEqual([
      ['P95_THRESHOLD_MS=500', 'p95', 950, false],
      ['P99_THRESHOLD_MS=1000', 'p99', 990, true],
      ['MAX_ERROR_RATE=0.01', 'error_rate', 0.02, false],
    ]);
  });
});

describe('thresholdsFromEnv', () => {
  it('uses config.py defaults and reads overrides', () => {
    expect(thresholdsFromEnv({})).toEqual({ p95Ms: 500, p99Ms: 1000, maxErrorRate: 0.01 });
    expect(thresholdsFromEnv({ P95_THRESHOLD_MS: '250', P99_THRESHOLD_MS: ' 800.5 ', MAX_ERROR_RATE: '0', UNRELATED: 'x' }))
      .toEqual({ p95Ms: 250, p99Ms: 800.5, maxErrorRate: 0 });
    expect(thresholdsFromEnv({ P95_THRESHOLD_MS: '' }).p95Ms).toBe(500);
  });

  it('rejects invalid numbers with one sentence naming the variable', () => {
    for (const [env, message] of [
      [{ P95_THRESHOLD_MS: 'fast' }, /^P95_THRESHOLD_MS="fast" is not valid: it must be a number of milliseconds ≥ 0\.$/],
      [{ P99_THRESHOLD_MS: '-1' }, /^P99_THRESHOLD_MS="-1"/],
      [{ MAX_ERROR_RATE: '5' }, /^MAX_ERROR_RATE="5" is not valid: it must be a fraction between 0 and 1\.$/],
    ] as const) {
      expect(() => thresholdsFromEnv(env)).toThrow(ThresholdSyntaxError);
      expect(() => thresholdsFromEnv(env)).toThrow(message);
    }
  });
});

describe('compareBaseline', () => {
  const base = { p95_ms: 100, p99_ms: 200, error_rate: 0.01 };

  it('passes growth up to 20 % and error-rate growth up to 0.05', () => {
    const v = compareBaseline(base, { p95_ms: 120, p99_ms: 150, error_rate: 0.06 }, 'baseline.json');
    expect(v.pass).toBe(true);
    expect(v.file).toBe('baseline.json');
    expect(v.checks.map((c) => [c.metric, c.pass])).toEqual([['p95_ms', true], ['p99_ms', true], ['error_rate', true]]);
    expect(v.checks.map((c) => c.change)).toEqual([0.2, -0.25, expect.closeTo(0.05, 10)]);
    // Exactly at the limits despite float rounding (0.07 − 0.02, (1.2 − 1) / 1).
    expect(compareBaseline({ p95_ms: 10, p99_ms: 10, error_rate: 0.02 }, { p95_ms: 12, p99_ms: 12, error_rate: 0.07 }, 'b').pass).toBe(true);
  });

  it('fails when p95 or p99 grows more than 20 %, or the error rate by more than 0.05', () => {
    expect(compareBaseline(base, { ...base, p95_ms: 121 }, 'b').checks[0]).toMatchObject({ pass: false, limit: 0.2 });
    expect(compareBaseline(base, { ...base, p95_ms: 121 }, 'b').pass).toBe(false);
    expect(compareBaseline(base, { ...base, p99_ms: 250 }, 'b').checks[1]).toMatchObject({ change: 0.25, pass: false });
    const err = compareBaseline(base, { ...base, error_rate: 0.07 }, 'b');
    expect(err.pass).toBe(false);
    expect(err.checks[2].change).toBeCloseTo(0.06, 10);
  });

  it('handles a zero baseline: 0 → 0 passes, growth within 1 ms passes, beyond it fails', () => {
    const zero = { p95_ms: 0, p99_ms: 0, error_rate: 0 };
    expect(compareBaseline(zero, zero, 'b')).toMatchObject({ pass: true });
    expect(compareBaseline(zero, zero, 'b').checks[0].change).toBe(0);
    const small = compareBaseline(zero, { p95_ms: 0.4, p99_ms: 1, error_rate: 0 }, 'b');
    expect(small.pass).toBe(true);
    expect(small.checks[0]).toMatchObject({ change: Infinity, pass: true });
    expect(small.checks[0].note).toMatch(/1 ms absolute floor/);
    const big = compareBaseline(zero, { p95_ms: 3, p99_ms: 0, error_rate: 0 }, 'b');
    expect(big.pass).toBe(false);
    expect(big.checks[0]).toMatchObject({ change: Infinity, pass: false });
  });

  it('does not fail on sub-millisecond noise above 20 %', () => {
    expect(compareBaseline({ p95_ms: 0.3, p99_ms: 0.5, error_rate: 0 }, { p95_ms: 0.45, p99_ms: 1.2, error_rate: 0 }, 'b').pass).toBe(true);
  });
});

describe('parseBaselineFile', () => {
  it('reads the seed keys of a latest.json', () => {
    const text = JSON.stringify({ p50_ms: 2, p95_ms: 3, p99_ms: 4, error_rate: 0, total_requests: 926, rps: 31, entries: [] });
    expect(parseBaselineFile(text, 'baseline/baseline_results.json')).toEqual({ p95_ms: 3, p99_ms: 4, error_rate: 0 });
  });

  it('rejects malformed files with one sentence naming the file', () => {
    const cases: [string, RegExp][] = [
      ['{not json', /^Baseline file b\.json is not valid JSON\.$/],
      ['[1,2]', /must hold a JSON object/],
      ['{"p95_ms": 3}', /lacks p99_ms, error_rate/],
      ['{"p95_ms": "3", "p99_ms": 4, "error_rate": 0}', /p95_ms = "3", which is not a number/],
      ['{"p95_ms": 3, "p99_ms": -4, "error_rate": 0}', /p99_ms = -4/],
      ['{"p95_ms": 3, "p99_ms": 4, "error_rate": null}', /error_rate = null/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseBaselineFile(text, 'b.json'), text).toThrow(BaselineFileError);
      expect(() => parseBaselineFile(text, 'b.json'), text).toThrow(message);
    }
  });
});

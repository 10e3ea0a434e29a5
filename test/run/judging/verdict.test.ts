import { describe, expect, it } from 'vitest';
import { isHttpEntry } from '../../../src/core/entry-names.js';
import { distributionsOf } from '../../../src/metrics/distributions.js';
import { Recorder } from '../../../src/metrics/recorder.js';
import { parseMinEffect, parseMinEffectMs, verdictSettings } from '../../../src/run/judging/compare.js';
import type { ResultFile } from '../../../src/run/judging/compare-files.js';
import { regressionVerdict } from '../../../src/run/judging/verdict.js';
import { createRandom } from '../../../src/core/random.js';

const T0 = 1_700_000_000_000;

/** An http-like run: two routes with lognormal latencies (median `median` ms), 30 s. */
function result(file: string, seed: number, median: number, extraRoute = false, metricsFactor = 1): ResultFile {
  const rng = createRandom(seed);
  const clock = { ms: T0 };
  const rec = new Recorder({ now: () => clock.ms });
  for (let i = 0; i < 30 * 80; i++) {
    clock.ms = T0 + i * 12.5;
    const z = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
    rec.record('POST', i % 2 ? '/ingest/metrics' : '/ingest/logs', median * (i % 2 ? metricsFactor : 1) * Math.exp(0.5 * z), true);
    if (extraRoute && i % 10 === 0) rec.record('POST', '/ingest/files', 3, true);
  }
  const names = ['Aggregated', ...rec.names()];
  const distributions = distributionsOf(rec, names.map((n) => ({ name: n, select: n === 'Aggregated' ? isHttpEntry : [n] })), 30);
  const agg = rec.group('Aggregated', isHttpEntry, 30);
  return { file, figures: { p95_ms: agg.percentiles.p95, p99_ms: agg.percentiles.p99, error_rate: 0, scenario: 'http', judged: ['Aggregated'] }, distributions };
}

describe('regressionVerdict', () => {
  it('names the entry and quantile of a +30 % slowdown, the typical request over all routes first, seed rule beside', () => {
    const v = regressionVerdict([result('a.json', 1, 20)], [result('b.json', 2, 26)]);
    expect(v.outcome).toBe('regression');
    expect(v.tests.slice(0, 2).map((t) => `${t.entry} ${t.metric}`)).toEqual(['All routes typical', 'Aggregated p50']);
    expect(v.tests[0].change).toBeGreaterThan(0.25);
    expect(v.tests[0].change).toBeLessThan(0.35);
    expect(v.statement).toMatch(/^regression beyond the \+3\.0 % minimum effect: (All routes typical|Aggregated p50) /);
    expect(v.seedRule?.checks.map((c) => c.metric)).toEqual(['p95_ms', 'p99_ms', 'error_rate']);
    // The typical test, then per entry p50, p95 and the error rate (p99 needs 1,000 samples a side; a route here has 1,200).
    expect(v.tests.filter((t) => t.outcome !== 'skipped').map((t) => `${t.entry} ${t.metric}`)).toHaveLength(v.tested);
  });

  it('names the clearest regression first: a doubled route before the aggregate it drags up', () => {
    const v = regressionVerdict([result('a.json', 1, 20)], [result('b.json', 2, 20, false, 2)]);
    expect(v.outcome).toBe('regression');
    expect(v.tests.some((t) => t.entry === 'Aggregated' && t.outcome === 'regression')).toBe(true);
    expect(v.statement).toMatch(/^regression beyond the \+3\.0 % minimum effect: POST \/ingest\/metrics p\d\d /);
  });

  it('A/A: a pass stating its bound; a route only one side has is noted, not compared', () => {
    const v = regressionVerdict([result('a.json', 3, 20)], [result('b.json', 4, 20, true)]);
    expect(v.outcome).toBe('pass');
    expect(v.statement).toMatch(/^no change beyond ±\d+\.\d % \(95 %\) in All routes, Aggregated(; too noisy to judge: Aggregated p99 \(±\d+ %\))?\.$/);
    expect(v.notes).toContain('only the candidate has POST /ingest/files: not compared.');
    expect(v.tests.some((t) => t.entry === 'POST /ingest/files')).toBe(false);
  });

  it('several runs per side: the run is the unit; the seed rule is not applied', () => {
    const v = regressionVerdict([1, 2, 3].map((s) => result(`a${s}.json`, s, 20)), [4, 5, 6].map((s) => result(`b${s}.json`, s, 20)));
    expect(v.base.runs).toBe(3);
    expect(v.seedRule).toBeUndefined();
    expect(v.outcome).not.toBe('regression');
  });

  it('reads --min-effect as a percentage or a fraction', () => {
    expect(parseMinEffect('5%')).toBe(0.05);
    expect(parseMinEffect('0.1')).toBe(0.1);
    expect(parseMinEffect('10')).toBe(0.1);
    expect(() => parseMinEffect('abc')).toThrow(/--min-effect must be a change between 0 and 100 %/);
    expect(() => parseMinEffect('0')).toThrow();
  });

  it('reads --min-effect-ms as milliseconds, 0 dropping the floor', () => {
    expect(parseMinEffectMs('0.1')).toBe(0.1);
    expect(parseMinEffectMs('0.25ms')).toBe(0.25);
    expect(parseMinEffectMs('0')).toBe(0);
    expect(() => parseMinEffectMs('-1')).toThrow(/--min-effect-ms must be a number of milliseconds/);
    expect(() => parseMinEffectMs('fast')).toThrow(/--min-effect-ms/);
  });

  it('the millisecond floor decides for fast routes: +15 % at 2 ms is below 0.5 ms, above 0.1 ms', () => {
    const a = result('a.json', 7, 2), b = result('b.json', 8, 2.3);
    const floored = regressionVerdict([a], [b]);
    // max(3 %, 0.5 ms / 2 ms) = 25 %: the shift is seen but is not a regression.
    expect(floored.tests[0].change).toBeGreaterThan(0.08);
    expect(floored.outcome).not.toBe('regression');
    // A duet's minimum, max(1 %, 0.1 ms / 2 ms) = 5 %, calls it.
    const duetLike = regressionVerdict([a], [b], verdictSettings({ minEffect: 0.01, minEffectMs: 0.1 }));
    expect(duetLike.outcome).toBe('regression');
    expect(duetLike.statement).toMatch(/^regression beyond the \+1\.0 % minimum effect: All routes typical/);
    expect(verdictSettings({ minEffectMs: 0 }).minEffect).toBe(0.03);
  });
});

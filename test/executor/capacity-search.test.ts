/**
 * The capacity search against fake targets of known capacity (a FIFO server of rate C seen from
 * an open-model generator, optionally a generator that saturates at G) on a manual clock: the
 * figure is within the resolution below C and never above it, a generator limit is a floor, the
 * time budget and marginal steps behave as documented.
 */
import { describe, expect, it } from 'vitest';
import { searchCapacity, type SearchOptions } from '../../src/executor/capacity/search.js';
import { judgeStep, type StepMeasure } from '../../src/executor/capacity/step-verdict.js';
import type { ThresholdVerdict } from '../../src/metrics/result.js';

interface FakeTarget {
  capacity: number;
  /** The generator completes at most this (and reports itself saturated above). */
  generatorLimit?: number;
  /** Multiplicative noise on the completed rate, e.g. 0.005 = ±0.5 % (deterministic sequence). */
  noise?: number;
  /** p95 in ms below capacity (grows 10× above it). */
  p95Ms?: number;
}

function fake(t: FakeTarget, clock: { t: number }, p95Limit = 500) {
  const offeredSeen: number[] = [];
  let k = 0;
  const run = async (load: number, lengthS: number): Promise<StepMeasure> => {
    offeredSeen.push(load);
    clock.t += lengthS + 1;
    const generator = t.generatorLimit !== undefined && load > t.generatorLimit;
    const wiggle = 1 + (t.noise ?? 0) * Math.sin(++k * 2.3);
    const achieved = Math.min(load, t.capacity * wiggle, t.generatorLimit ?? Infinity);
    const over = load > t.capacity;
    const p95 = (t.p95Ms ?? 5) * (over ? 10 : 1);
    const slo: ThresholdVerdict = { expression: `p95<${p95Limit}`, entry: 'Aggregated', metric: 'p95', op: '<', limit: p95Limit, actual: p95, pass: p95 < p95Limit };
    return {
      offered: load, achieved, keepUp: achieved / load, requestsPerS: achieved, ingestRequestsPerS: achieved, lengthS, windowS: lengthS / 2,
      samples: Math.round(achieved * lengthS / 2), samplesNeeded: 400, p50Ms: p95 / 2, p95Ms: p95, p99Ms: p95 * 1.2, p999Ms: p95 * 1.3, maxMs: p95 * 1.5, errorRate: 0,
      generatorSaturated: generator, slos: [slo],
    };
  };
  return { run, offeredSeen };
}

const opts = (clock: { t: number }, extra: Partial<SearchOptions> = {}): SearchOptions => ({
  start: 20, integer: true, maxTimeS: 600, now: () => clock.t, lengthFor: (_l, rerun) => (rerun ? 16 : 8), keepUpCause: 'throughput', ...extra,
});

describe('searchCapacity against a FIFO target of known capacity', () => {
  for (const capacity of [37, 300, 317, 1000, 2450]) {
    it(`C = ${capacity}: the figure is within 3 % below C, never above C + 2 %, with the bracket around it`, async () => {
      const clock = { t: 0 };
      const { run } = fake({ capacity }, clock);
      const r = await searchCapacity(run, opts(clock));
      expect(r.kind).toBe('capacity');
      expect(r.limitedBy).toBe('target');
      expect(r.figure).toBeLessThanOrEqual(capacity * 1.02);
      expect(r.figure).toBeGreaterThanOrEqual(capacity * 0.97 - 1);
      expect(r.bracket.low).toBe(r.figure);
      expect(r.bracket.high).toBeGreaterThan(r.figure);
      expect(r.firstFailure?.causes).toContain('throughput');
      expect(r.steps.every((s) => (s.verdict === 'pass') === (s.offered <= capacity * 1.02))).toBe(true);
    });
  }

  it('a noisy target (its rate wobbles up to ±1 %): never above its best rate + 2 %, and repeated searches agree within ±5 %', async () => {
    const figures: number[] = [];
    for (let i = 0; i < 5; i++) {
      const clock = { t: 0 };
      const { run } = fake({ capacity: 400, noise: 0.01 * (i + 1) / 5 }, clock);
      figures.push((await searchCapacity(run, opts(clock))).figure);
    }
    const mid = figures.reduce((a, b) => a + b) / figures.length;
    for (const f of figures) {
      expect(f).toBeLessThanOrEqual(400 * 1.01 * 1.02);
      expect(f).toBeGreaterThanOrEqual(400 * 0.99 * 0.97 - 1);
      expect(Math.abs(f - mid) / mid).toBeLessThanOrEqual(0.05);
    }
  });

  it('latency is what fails first when the SLO is tighter than the queue', async () => {
    const clock = { t: 0 };
    // p95 5 ms below capacity, 50 ms above; an SLO at 20 ms fails on latency and throughput.
    const { run } = fake({ capacity: 200 }, clock, 20);
    const r = await searchCapacity(run, opts(clock));
    expect(r.firstFailure?.causes.slice(0, 2)).toEqual(['latency', 'throughput']);
  });

  it('a generator slower than the target: a floor, limited by the generator, never a capacity', async () => {
    const clock = { t: 0 };
    const { run } = fake({ capacity: 5000, generatorLimit: 700 }, clock);
    const r = await searchCapacity(run, opts(clock));
    expect(r.kind).toBe('floor');
    expect(r.limitedBy).toBe('generator');
    expect(r.figure).toBeLessThanOrEqual(700);
    expect(r.firstFailure?.causes).toContain('generator');
  });

  it('the lowest step failing: below-lowest, figure 0', async () => {
    const clock = { t: 0 };
    const { run, offeredSeen } = fake({ capacity: 10 }, clock);
    const r = await searchCapacity(run, opts(clock));
    expect(r.kind).toBe('below-lowest');
    expect(r.figure).toBe(0);
    expect(offeredSeen).toEqual([20]);
  });

  it('the time budget: no step starts that would end after it; a search cut short in the ramp is a floor', async () => {
    const clock = { t: 0 };
    const { run } = fake({ capacity: 100_000 }, clock);
    const r = await searchCapacity(run, opts(clock, { maxTimeS: 40 }));
    expect(clock.t).toBeLessThanOrEqual(40);
    expect(r.kind).toBe('floor');
    expect(r.limitedBy).toBe('time');
    expect(r.figure).toBeGreaterThan(0);
  });

  it('--max-load: a target that passes at the highest load is a floor at that load', async () => {
    const clock = { t: 0 };
    const { run } = fake({ capacity: 100_000 }, clock);
    const r = await searchCapacity(run, opts(clock, { maxLoad: 150 }));
    expect(r).toMatchObject({ kind: 'floor', limitedBy: 'max-load', figure: 150 });
  });

  it('a marginal step (keep-up 98.5 %) is run again, longer, and the rerun decides', async () => {
    const clock = { t: 0 };
    const lengths: number[] = [];
    const { run } = fake({ capacity: 1000 }, clock);
    const r = await searchCapacity(async (load, lengthS) => {
      lengths.push(lengthS);
      const m = await run(load, lengthS);
      // The first run at 40 looks marginal, the rerun clean.
      if (load === 40 && lengths.filter((l) => l === 8).length === 2 && lengthS === 8) return { ...m, achieved: 40 * 0.985, keepUp: 0.985 };
      return m;
    }, opts(clock));
    const at40 = r.steps.filter((s) => s.offered === 40);
    expect(at40.map((s) => [s.phase, s.marginal, s.verdict])).toEqual([['ramp', true, 'pass'], ['rerun', false, 'pass']]);
    expect(at40[1].lengthS).toBe(16);
  });
});

describe('judgeStep', () => {
  const base: StepMeasure = {
    offered: 100, achieved: 100, keepUp: 1, requestsPerS: 100, ingestRequestsPerS: 100, lengthS: 10, windowS: 5, samples: 500, samplesNeeded: 400,
    p50Ms: 2, p95Ms: 4, p99Ms: 6, p999Ms: 7, maxMs: 8, errorRate: 0, generatorSaturated: false, slos: [],
  };
  it('passes at steady state and fails below 98 % kept up, on DLQ growth, on a failed SLO', () => {
    expect(judgeStep(base, 'throughput')).toMatchObject({ verdict: 'pass', causes: [], marginal: false });
    expect(judgeStep({ ...base, achieved: 97, keepUp: 0.97 }, 'throughput').causes).toEqual(['throughput']);
    expect(judgeStep({ ...base, achieved: 97, keepUp: 0.97 }, 'backlog').reasons[0]).toMatch(/queues grow/);
    expect(judgeStep({ ...base, dlqGrowth: 2 }, 'throughput').causes).toEqual(['dlq']);
    const err: ThresholdVerdict = { expression: 'error_rate<0.01', entry: 'Aggregated', metric: 'error_rate', op: '<', limit: 0.01, actual: 0.2, pass: false };
    expect(judgeStep({ ...base, slos: [err], generatorSaturated: true }, 'throughput').causes).toEqual(['errors', 'generator']);
  });
  it('a quantile from too few samples that is not far below its limit is marginal', () => {
    const slo: ThresholdVerdict = { expression: 'p99<100', entry: 'Aggregated', metric: 'p99', op: '<', limit: 100, actual: 80, pass: true };
    expect(judgeStep({ ...base, slos: [slo], samples: 100 }, 'throughput').marginal).toBe(true);
    expect(judgeStep({ ...base, slos: [slo], samples: 1000 }, 'throughput').marginal).toBe(false);
    expect(judgeStep({ ...base, slos: [{ ...slo, actual: 10 }], samples: 100 }, 'throughput').marginal).toBe(false);
    // A clear failure elsewhere is not marginal, however few the samples.
    const clear: ThresholdVerdict = { ...slo, expression: 'p95<50', metric: 'p95', limit: 50, actual: 400, pass: false };
    expect(judgeStep({ ...base, slos: [slo, clear], samples: 100 }, 'throughput').marginal).toBe(false);
    expect(judgeStep({ ...base, slos: [slo], samples: 100, keepUp: 0.9, achieved: 90 }, 'throughput').marginal).toBe(false);
  });
});

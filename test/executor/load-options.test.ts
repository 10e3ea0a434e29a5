/** The load flags and a scenario's stages/shape → one LoadPlan; bad values are one-sentence usage errors. */
import { describe, expect, it } from 'vitest';
import { SimUsageError } from '../../src/core/errors.js';
import { parseRate } from '../../src/executor/load-options.js';
import { resolveLoad } from '../../src/executor/registry.js';
import { thresholdSpecs } from '../../src/run/judging/gates.js';

const task = { sdkRuns: false };

describe('resolveLoad', () => {
  it('keeps constant users by default and picks the executor from the flags', () => {
    expect(resolveLoad({}, 1, task)).toMatchObject({ executor: 'constant-users', users: 50, runTimeS: 30 });
    expect(resolveLoad({ stages: ['10s:20', '5s:0'] }, 1, task)).toEqual({
      executor: 'ramping-users', startUsers: 0, stages: [{ durationS: 10, target: 20 }, { durationS: 5, target: 0 }],
    });
    expect(resolveLoad({ arrivalRate: '300/m', runTime: '1m' }, 1, task)).toMatchObject({
      executor: 'constant-arrival-rate', rate: 5, runTimeS: 60, preAllocatedUsers: 5, maxUsers: 5, onSaturation: 'drop', iteration: 'task',
    });
    expect(resolveLoad({ arrivalRate: 10, stages: ['1m:100'] }, 1, task)).toMatchObject({ executor: 'ramping-arrival-rate', startRate: 10, maxUsers: 100 });
    expect(resolveLoad({ stages: ['1m:2/s'] }, 1, task)).toMatchObject({ executor: 'ramping-arrival-rate', startRate: 0, stages: [{ durationS: 60, target: 2 }] });
  });

  it('sizes the SDK pool for whole runs: 200 jobs a minute, 5 minutes each', () => {
    const load = resolveLoad({ arrivalRate: '200/m', runLength: '5m', runTime: '10m' }, 1, { sdkRuns: true });
    expect(load).toMatchObject({ executor: 'constant-arrival-rate', iteration: 'run', runLengthS: 300, maxUsers: Math.ceil((200 / 60) * 305) });
  });

  it("uses the scenario's stages or shape when the flags set none, and the flags when they do", () => {
    const shape = () => null;
    expect(resolveLoad({}, 1, { sdkRuns: false, shape })).toMatchObject({ executor: 'load-shape', runTimeS: Infinity });
    expect(resolveLoad({}, 1, { sdkRuns: false, stages: [{ duration: '1m', target: '50/s' }] })).toMatchObject({ executor: 'ramping-arrival-rate' });
    expect(resolveLoad({ users: 3 }, 1, { sdkRuns: false, stages: [{ duration: '1m', target: 5 }] })).toMatchObject({ executor: 'ramping-users', startUsers: 3 });
    expect(resolveLoad({ arrivalRate: 5 }, 1, { sdkRuns: false, shape })).toMatchObject({ executor: 'constant-arrival-rate' });
  });

  it.each([
    [{ stages: ['30s'] }, /--stage must look like 30s:100/],
    [{ stages: ['30s:10'], runTime: '1m' }, /not both/],
    [{ maxUsers: 5 }, /need --arrival-rate/],
    [{ arrivalRate: '5/x' }, /--arrival-rate must be a rate like 50, 50\/s or 300\/m/],
    [{ arrivalRate: 5, maxUsers: 2, preAllocatedUsers: 3 }, /--max-users \(2\) must be at least --pre-allocated-users \(3\)/],
    [{ arrivalRate: 5, onSaturation: 'wait' as never }, /--on-saturation must be drop or queue/],
    [{ stages: ['10s:1.5'] }, /whole numbers of users/],
    [{ arrivalRate: 5, users: 10 }, /size the pool with --max-users/],
    [{ stages: ['10s:5'], spawnRate: 2 }, /--spawn-rate does not apply to stages/],
  ])('rejects %j', (o, message) => {
    expect(() => resolveLoad(o, 1, task)).toThrow(SimUsageError);
    expect(() => resolveLoad(o, 1, task)).toThrow(message);
  });

  it('refuses --run-length for a scenario without SDK runs', () => {
    expect(() => resolveLoad({ arrivalRate: 5, runLength: '1m' }, 1, task)).toThrow(/--run-length applies to SDK scenarios/);
  });

  it('parses rates per second, minute and hour', () => {
    expect(parseRate('50', 'x')).toBe(50);
    expect(parseRate('50/s', 'x')).toBe(50);
    expect(parseRate('300/m', 'x')).toBe(5);
    expect(parseRate('3600/h', 'x')).toBe(1);
  });
});

describe('open-model thresholds', () => {
  const base = { env: {}, overrides: {} };
  it("reads k6's dropped_iterations<1 as the count of ITERATION dropped, and the latency aliases", () => {
    const specs = thresholdSpecs({ ...base, expressions: ['dropped_iterations<1', 'corrected:p99<2500', 'actual:p95<=10'] }, ['Aggregated']);
    const extra = specs.slice(-3);
    expect(extra[0]).toMatchObject({ expression: 'dropped_iterations<1', entry: 'ITERATION dropped', metric: 'count', op: '<', limit: 1 });
    expect(extra[1]).toMatchObject({ entry: 'ITERATION from intended start (corrected)', metric: 'p99', limit: 2500 });
    expect(extra[2]).toMatchObject({ entry: 'ITERATION from actual start', metric: 'p95', op: '<=' });
  });
});

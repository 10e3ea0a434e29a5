/**
 * resolvePlan: what a run does when the user says nothing, and the one sentence (exit 2) for
 * each option value a user can get wrong, before any user starts.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_REPORT_DIR, DEFAULT_RUN_TIME_S, DEFAULT_SHUTDOWN_TIMEOUT_S, DEFAULT_USERS, resolvePlan, type SimulationOptions } from '../../src/run/plan.js';
import { SimUsageError } from '../../src/core/errors.js';
import { EXIT_CODES } from '../../src/core/exit-codes.js';

function usageMessage(o: SimulationOptions): string {
  try {
    resolvePlan(o);
  } catch (err) {
    expect(err).toBeInstanceOf(SimUsageError);
    expect((err as SimUsageError).exitCode).toBe(EXIT_CODES.usage);
    return (err as Error).message;
  }
  throw new Error(`resolvePlan accepted ${JSON.stringify(o)}`);
}

describe('resolvePlan defaults', () => {
  it('runs 50 sdk users, all spawned in the first second, for 30 s, writing reports/', () => {
    const p = resolvePlan({});
    expect([DEFAULT_USERS, DEFAULT_RUN_TIME_S, DEFAULT_SHUTDOWN_TIMEOUT_S, DEFAULT_REPORT_DIR]).toEqual([50, 30, 30, 'reports']);
    expect(p.scenarioRef).toBe('sdk');
    expect(p.load).toEqual({ executor: 'constant-users', users: 50, spawnRate: 50, runTimeS: 30 });
    expect(p.segment).toEqual({ index: 0, count: 1 });
    expect(p.wait).toBeUndefined();
    expect(p.host).toBeUndefined();
    expect(p.key).toBeUndefined();
    expect(p.shutdownTimeoutS).toBe(30);
    expect(p.thresholds).toEqual([]);
    expect(p.outputs).toEqual({ console: false, reportDir: 'reports', csv: undefined, csvFullHistory: false, html: undefined, junit: undefined, streams: [] });
    expect(Number.isInteger(p.seed)).toBe(true);
  });

  it('takes the spawn rate from the user count when none is given', () => {
    expect(resolvePlan({ users: 7 }).load.spawnRate).toBe(7);
    expect(resolvePlan({ users: 7, spawnRate: 0.5 }).load.spawnRate).toBe(0.5);
  });

  it('parses run time and shutdown timeout durations', () => {
    const p = resolvePlan({ runTime: '1m30s', shutdownTimeout: '500ms' });
    expect(p.load.runTimeS).toBe(90);
    expect(p.shutdownTimeoutS).toBe(0.5);
    expect(resolvePlan({ runTime: 12 }).load.runTimeS).toBe(12);
  });

  it('keeps a given seed, and draws a fresh one per plan otherwise', () => {
    expect(resolvePlan({ seed: 42 }).seed).toBe(42);
    const seeds = new Set(Array.from({ length: 5 }, () => resolvePlan({}).seed));
    expect(seeds.size).toBeGreaterThan(1);
  });
});

describe('resolvePlan: target and key', () => {
  it('reads INGEST_URL and TEST_API_KEY from the env given, not from process.env', () => {
    const p = resolvePlan({ env: { INGEST_URL: ' http://127.0.0.1:3003 ', TEST_API_KEY: 'mlps_abc' } });
    expect(p.host).toBe('http://127.0.0.1:3003');
    expect(p.key).toBe('mlps_abc');
    process.env.INGEST_URL = 'http://127.0.0.1:9';
    try {
      expect(resolvePlan({}).host).toBeUndefined();
    } finally {
      delete process.env.INGEST_URL;
    }
  });

  it('lets --host and --key win over the env, and treats blank values as unset', () => {
    const env = { INGEST_URL: 'http://127.0.0.1:3003', TEST_API_KEY: 'from-env' };
    expect(resolvePlan({ env, host: 'https://ingest.example', key: 'flag' })).toMatchObject({ host: 'https://ingest.example', key: 'flag' });
    expect(resolvePlan({ env, host: '  ', key: '' })).toMatchObject({ host: 'http://127.0.0.1:3003', key: 'from-env' });
    expect(resolvePlan({ env: { INGEST_URL: '', TEST_API_KEY: ' ' } })).toMatchObject({ host: undefined, key: undefined });
  });

  it.each([
    [{ host: 'not a url' }, '--host must be an http:// or https:// URL, got "not a url".'],
    [{ host: 'ftp://127.0.0.1' }, '--host must be an http:// or https:// URL, got "ftp://127.0.0.1".'],
    [{ env: { INGEST_URL: '127.0.0.1:3003' } }, '--host must be an http:// or https:// URL'],
    [{ apiUrl: 'localhost' }, '--api-url must be an http:// or https:// URL, got "localhost".'],
  ])('rejects a bad URL %j', (o, msg) => {
    expect(usageMessage(o as SimulationOptions)).toContain(msg);
  });
});

describe('resolvePlan usage errors', () => {
  it.each<[SimulationOptions, string]>([
    [{ users: 0 }, '--users must be a whole number of at least 1, got 0.'],
    [{ users: 1.5 }, '--users must be a whole number of at least 1, got 1.5.'],
    [{ users: -3 }, '--users must be a whole number of at least 1, got -3.'],
    [{ spawnRate: 0 }, '--spawn-rate must be above 0, got 0.'],
    [{ spawnRate: -1 }, '--spawn-rate must be above 0, got -1.'],
    [{ spawnRate: Infinity }, '--spawn-rate must be above 0, got Infinity.'],
    [{ spawnRate: NaN }, '--spawn-rate must be above 0, got NaN.'],
    [{ seed: 1.5 }, '--seed must be a whole number, got 1.5.'],
    [{ maxErrorRate: 1.5 }, '--max-error-rate must be between 0 and 1, got 1.5.'],
    [{ maxErrorRate: -0.1 }, '--max-error-rate must be between 0 and 1, got -0.1.'],
    [{ p95Ms: -1 }, '--p95 must be a number of at least 0, got -1.'],
    [{ p99Ms: NaN }, '--p99 must be a number of at least 0, got NaN.'],
    [{ embeddedServer: { errorRate: 2 } }, '--server-error-rate must be between 0 and 1, got 2.'],
    [{ embeddedServer: { latencyMs: -5 } }, '--server-latency must be a number of at least 0, got -5.'],
    [{ runTime: 'soon' }, '--run-time must look like 30s, 5m, 1h or a number of seconds, got "soon".'],
    [{ runTime: -1 }, '--run-time must be a non-negative duration, got -1.'],
    [{ shutdownTimeout: '10x' }, '--shutdown-timeout must look like 30s, 5m, 1h or a number of seconds, got "10x".'],
    [{ segment: { index: 0, count: 0 } }, 'the number of segments must be a whole number of at least 1, got 0.'],
    [{ segment: { index: 2, count: 2 } }, 'the segment index must be a whole number from 0 to 1, got 2.'],
    [{ segment: { index: -1, count: 3 } }, 'the segment index must be a whole number from 0 to 2, got -1.'],
  ])('%j → one sentence', (o, msg) => {
    expect(usageMessage(o)).toBe(msg);
  });

  it('accepts the limits at their edges', () => {
    expect(() => resolvePlan({ maxErrorRate: 0, p95Ms: 0, p99Ms: 0, embeddedServer: { errorRate: 1, latencyMs: 0 } })).not.toThrow();
    expect(() => resolvePlan({ maxErrorRate: 1, users: 1, seed: 0 })).not.toThrow();
  });
});

describe('resolvePlan --wait', () => {
  it.each<[SimulationOptions['wait'], { minS: number; maxS: number } | undefined]>([
    [undefined, undefined],
    ['0', { minS: 0, maxS: 0 }],
    ['0.5s', { minS: 0.5, maxS: 0.5 }],
    ['100ms-500ms', { minS: 0.1, maxS: 0.5 }],
    ['1-3', { minS: 1, maxS: 3 }],
    [{ minS: 0.2, maxS: 0.2 }, { minS: 0.2, maxS: 0.2 }],
  ])('%j → %j', (wait, expected) => {
    expect(resolvePlan({ wait }).wait).toEqual(expected);
  });

  it.each<[SimulationOptions['wait'], string]>([
    ['2s-1s', '--wait needs min ≤ max, got "2s-1s".'],
    ['later', '--wait must be 0, a duration such as 1s, or a range such as 100ms-500ms, got "later".'],
    ['1s-', '--wait must be 0, a duration such as 1s, or a range such as 100ms-500ms, got "1s-".'],
    [{ minS: 2, maxS: 1 }, '--wait needs 0 ≤ min ≤ max, got 2–1.'],
    [{ minS: -1, maxS: 1 }, '--wait needs 0 ≤ min ≤ max, got -1–1.'],
  ])('%j → one sentence', (wait, msg) => {
    expect(usageMessage({ wait })).toBe(msg);
  });
});

describe('resolvePlan outputs', () => {
  it('carries every output path, and reportDir false writes nothing', () => {
    const p = resolvePlan({ reportDir: false, csv: 'out/run', html: 'r.html', junit: 'j.xml', console: { intervalS: 1 } as never });
    expect(p.outputs).toEqual({ console: { intervalS: 1 }, reportDir: false, csv: 'out/run', csvFullHistory: false, html: 'r.html', junit: 'j.xml', streams: [] });
    expect(resolvePlan({ reportDir: 'elsewhere' }).outputs.reportDir).toBe('elsewhere');
  });

  it('carries the gates and the overrides unchanged', () => {
    const p = resolvePlan({ thresholds: ['e2e:p95<800'], baseline: 'base.json', p95Ms: 400, maxErrorRate: 0.02 });
    expect(p.thresholds).toEqual(['e2e:p95<800']);
    expect(p.baseline).toBe('base.json');
    expect(p.overrides).toEqual({ p95Ms: 400, p99Ms: undefined, maxErrorRate: 0.02 });
  });
});

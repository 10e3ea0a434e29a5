/**
 * What makes two shards "the same plan" (the fingerprint), which shard a process is
 * (`--shard`, `--shards` + JOB_COMPLETION_INDEX), `--start-at`, `--workers`, and the refusals
 * that must come before any process or socket is opened.
 */
import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimUsageError } from '../../../src/core/errors.js';
import { runScaled } from '../../../src/index.js';
import { fingerprintOf, planIdentity } from '../../../src/run/distributed/fingerprint.js';
import { resolveWorkers } from '../../../src/run/distributed/fleet-driver.js';
import { parseStartAt, resolveShard } from '../../../src/run/distributed/shard-spec.js';
import { resolvePlan, type SimulationOptions } from '../../../src/run/plan.js';

const fp = async (o: SimulationOptions): Promise<string> => fingerprintOf(await planIdentity(resolvePlan(o)));

describe('the plan fingerprint', () => {
  const base: SimulationOptions = { scenario: 'sdk', users: 100, runTime: '5m', seed: 7, segment: { index: 0, count: 4 } };

  it('is the same for every shard of one plan and whatever the target, gates or reports', async () => {
    const a = await fp(base);
    expect(await fp({ ...base, segment: { index: 3, count: 4 } })).toBe(a);
    expect(await fp({ ...base, host: 'http://127.0.0.1:1', key: 'k', thresholds: ['p99<5'], reportDir: 'x', html: 'y.html' })).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });

  it('differs when the load differs: seed, users, run time, number of shards, wait, scenario', async () => {
    const a = await fp(base);
    for (const other of [{ seed: 8 }, { users: 101 }, { runTime: '6m' }, { segment: { index: 0, count: 5 } }, { wait: '0' }, { scenario: 'http' }, { spawnRate: 3 }]) {
      expect(await fp({ ...base, ...other })).not.toBe(a);
    }
  });

  it('hashes a scenario file by content: a copy elsewhere matches, an edit does not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fp-'));
    const text = "export default { name: 'x', tasks: [{ name: 't', weight: 1, run() {} }] };\n";
    writeFileSync(join(dir, 'a.mjs'), text);
    writeFileSync(join(dir, 'b.mjs'), text);
    writeFileSync(join(dir, 'c.mjs'), text.replace("'x'", "'y'"));
    const a = await fp({ ...base, scenario: join(dir, 'a.mjs') });
    expect(await fp({ ...base, scenario: join(dir, 'b.mjs') })).toBe(a);
    expect(await fp({ ...base, scenario: join(dir, 'c.mjs') })).not.toBe(a);
  });
});

describe('which shard this process is', () => {
  it('reads --shard I/N, or --shards N with JOB_COMPLETION_INDEX', () => {
    expect(resolveShard({}, {})).toBeUndefined();
    expect(resolveShard({ shard: '2/4' }, {})).toEqual({ index: 2, count: 4 });
    expect(resolveShard({ shards: 3 }, { JOB_COMPLETION_INDEX: '1' })).toEqual({ index: 1, count: 3 });
    expect(resolveShard({ shard: '0/3', shards: 3 }, { JOB_COMPLETION_INDEX: '2' })).toEqual({ index: 0, count: 3 });
  });

  it('refuses what cannot be a shard with one sentence each', () => {
    const problem = (o: Parameters<typeof resolveShard>[0], env = {}): string => {
      try {
        resolveShard(o, env);
      } catch (err) {
        expect(err).toBeInstanceOf(SimUsageError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(problem({ shard: '1-of-4' })).toBe('--shard must be I/N with I from 0 to N-1, e.g. 0/4, got "1-of-4".');
    expect(problem({ shard: '4/4' })).toBe('the shard index must be a whole number from 0 to 3, got 4.');
    expect(problem({ shard: '0/0' })).toBe('the number of shards must be a whole number of at least 1, got 0.');
    expect(problem({ shard: '1/4', shards: 3 })).toBe('--shard 1/4 and --shards 3 disagree on the number of shards.');
    expect(problem({ shards: 4 })).toContain('set JOB_COMPLETION_INDEX');
    expect(problem({ shards: 4 }, { JOB_COMPLETION_INDEX: 'a' })).toBe('JOB_COMPLETION_INDEX must be a whole number, got "a".');
    expect(problem({ shards: 4 }, { JOB_COMPLETION_INDEX: '4' })).toBe('the shard index must be a whole number from 0 to 3, got 4.');
  });
});

describe('--start-at and --workers', () => {
  it('--start-at takes ISO 8601 or epoch seconds', () => {
    expect(parseStartAt('2026-12-02T03:00:00Z')).toBe(Date.UTC(2026, 11, 2, 3));
    expect(parseStartAt('1764644400')).toBe(1_764_644_400_000);
    expect(() => parseStartAt('soon')).toThrow('--start-at must be an ISO 8601 time');
  });

  it('--workers is a whole number ≥ 1 or auto (at least 1)', () => {
    expect(resolveWorkers(undefined)).toBe(1);
    expect(resolveWorkers(3)).toBe(3);
    expect(resolveWorkers('auto')).toBeGreaterThanOrEqual(1);
    expect(() => resolveWorkers(0)).toThrow('--workers must be a whole number of at least 1 or "auto", got 0.');
  });

  it('refuses a scenario object with --workers or --shard before starting anything', async () => {
    const scenario = { name: 'inline', tasks: [{ name: 't', weight: 1, run: () => undefined }] };
    await expect(runScaled({ scenario, scaleOut: { workers: 2 } })).rejects.toThrow(
      '--workers needs the scenario as a name or a file path: a scenario object cannot be sent to another process.',
    );
    await expect(runScaled({ scenario, seed: 1, scaleOut: { shard: '0/2' } })).rejects.toThrow('--shard needs the scenario as a name or a file path');
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeLatestJson } from '../../src/output/index.js';
import { makeResult } from './fixture.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mlop-sim-report-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('writeLatestJson', () => {
  it('writes <dir>/latest.json, creating missing folders, with the seed keys first', async () => {
    const dir = join(await tempDir(), 'reports', 'nested');
    const file = await writeLatestJson(makeResult(), dir);
    expect(file).toBe(join(dir, 'latest.json'));
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    // docs/protocol/load-test-suite.md §6.7: the seed's test_stop hook wrote exactly these keys.
    expect(Object.keys(parsed).slice(0, 6)).toEqual(['p50_ms', 'p95_ms', 'p99_ms', 'error_rate', 'total_requests', 'rps']);
    expect(parsed['p95_ms']).toBe(1613.3);
    expect(parsed['total_requests']).toBe(4500);
  });

  it('round-trips the result exactly and adds nothing to it', async () => {
    const result = makeResult();
    const text = await readFile(await writeLatestJson(result, await tempDir()), 'utf8');
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(parsed).toEqual(result);
    expect(Object.keys(parsed).sort()).toEqual(Object.keys(result).sort());
    expect(text).toContain('\n  "p50_ms": 620.5,'); // pretty-printed, two-space indent
  });

  it('writes an infinite baseline change (zero baseline) as null, keeping the file valid JSON', async () => {
    const result = makeResult();
    result.baseline = {
      file: 'b.json', pass: false,
      checks: [{ metric: 'p95_ms', baseline: 0, current: 3, change: Infinity, limit: 0.2, pass: false }],
    };
    const parsed = JSON.parse(await readFile(await writeLatestJson(result, await tempDir()), 'utf8')) as SimulationLike;
    expect(parsed.baseline.checks[0]?.change).toBeNull();
    expect(parsed.baseline.checks[0]?.current).toBe(3);
  });
});

interface SimulationLike { baseline: { checks: { change: number | null; current: number }[] } }

/**
 * End-to-end: `mlop-sim capacity --workers 2`, the built CLI forking two worker processes per step
 * against the embedded reference server with a known capacity (`--server-capacity 200`, a FIFO
 * queue of 200 requests/s). Each step's window is read from the workers' merged per-second
 * digests; the figure must land within −10 % / +2 % of R as in one process, and every step must
 * say it ran on two workers' worth of load (its achieved rate never above R).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, tempDir } from './cli-process.js';

beforeAll(() => ensureBuilt(), 120_000);

describe('mlop-sim capacity --workers 2', () => {
  it('http against --server-capacity 200: finds R within −10 % / +2 %, throughput failing first above it', async () => {
    const dir = tempDir();
    const r = await runCli(
      ['capacity', '--workers', '2', '--scenario', 'http', '--server-capacity', '200', '--start-load', '50', '--resolution', '0.05', '--max-time', '150s', '--seed', '7', '--report-dir', dir],
      { timeoutMs: 200_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const c = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')).capacity;
    expect(c).toMatchObject({ kind: 'capacity', limitedBy: 'target', unit: 'requests/s' });
    expect(c.figure).toBeGreaterThanOrEqual(180);
    expect(c.figure).toBeLessThanOrEqual(204);
    expect(c.bracket.high).toBeGreaterThan(c.figure);
    expect(c.firstFailure.causes).toContain('throughput');
    for (const s of c.steps) {
      expect(s.windowS).toBeGreaterThanOrEqual(3);
      expect(s.achieved).toBeLessThanOrEqual(Math.min(s.offered, 200 * 1.01));
      // the window holds the merged workers' samples: about offered (or R) × window seconds
      expect(s.samples).toBeGreaterThan(0.9 * Math.min(s.offered, 200) * s.windowS);
    }
    expect(r.stdout).toMatch(/Capacity: sustains \d+ requests\/s \(between \d+, passed, and \d+, failed\)/);
    expect(r.stdout).toMatch(/each step runs on 2 worker processes/);
    // the workers run without the generator's health monitor: the answer says its figure is unchecked for that
    expect(c.summary).toMatch(/unchecked for a generator limit: under --workers the generator's saturation is not monitored\.$/);
  }, 220_000);

  it('--workers with the sdk scenario, or --shard, is refused with one sentence (exit 2)', async () => {
    const sdk = await runCli(['capacity', '--workers', '2', '--scenario', 'sdk', '--report-dir', tempDir()], { timeoutMs: 60_000 });
    expect(sdk.code).toBe(2);
    expect(sdk.stderr).toMatch(/--workers applies to request scenarios/);
    const shard = await runCli(['capacity', '--shard', '1/2', '--scenario', 'http', '--report-dir', tempDir()], { timeoutMs: 60_000 });
    expect(shard.code).toBe(2);
  }, 130_000);
});

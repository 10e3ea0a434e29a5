/**
 * End-to-end: `mlop-sim capacity --workers 2`, the built CLI forking two worker processes per step
 * against the embedded reference server with a known capacity (`--server-capacity R`, a FIFO
 * queue of R requests/s). Each step's window is read from the workers' merged per-second
 * digests; the figure must land within −10 % / +2 % of R as in one process, and every step must
 * say it ran on two workers' worth of load (its achieved rate never above R). The sdk scenario's
 * keep-up test reads the runs' queues the workers stream; a generator that saturates in a worker
 * makes the answer a floor, as one process's own monitor does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, tempDir, writeBusyScenario } from './cli-process.js';

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
    expect(r.stdout).toMatch(/each step runs on 2 worker processes; .*each worker watches its own generator's saturation/);
    // each worker watches its generator: a figure is a capacity, not "unchecked"
    expect(c.summary).not.toMatch(/unchecked/);
  }, 220_000);

  it('sdk against --server-capacity 20: the runs\' queues are read from the workers, and the figure agrees with the request-rate truth', async () => {
    const R = 20;
    const dir = tempDir();
    const r = await runCli(
      ['capacity', '--workers', '2', '--scenario', 'sdk', '--server-capacity', String(R), '--start-load', '4', '--resolution', '0.2', '--max-time', '110s', '--seed', '3', '--report-dir', dir],
      { timeoutMs: 160_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/each step runs on 2 worker processes; .*the runs' queues from their readings/);
    const c = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')).capacity;
    expect(c).toMatchObject({ kind: 'capacity', limitedBy: 'target', unit: 'runs' });
    // Without the workers' readings no record would count as logged and every step would fall behind (kept up 0).
    const passed = c.steps.filter((s: { verdict: string }) => s.verdict === 'pass');
    expect(passed.length).toBeGreaterThan(0);
    for (const s of passed) expect(s.keepUp).toBeGreaterThanOrEqual(0.98);
    for (const s of c.steps) expect(s.ingestRequestsPerS).toBeLessThanOrEqual(R * 1.05);
    // The consistency: the capacity the request rate implies, R over the ingest requests a
    // run sends per second (pooled over the passed steps' windows), lies in the search's bracket
    // (one process: −0.6 % at R = 100, bench/RESULTS.md). One step's rate alone is too noisy for
    // this: 3–14 s windows of the SDK's flushes read 1.36–1.63 requests per run and second in one
    // search, and a check of one step's rate against 0.8 R read 15 of 16 once in CI.
    type Step = { offered: number; verdict: string; ingestRequestsPerS: number; windowS: number };
    const sent = passed.reduce((a: number, s: Step) => a + s.ingestRequestsPerS * s.windowS, 0);
    const runSeconds = passed.reduce((a: number, s: Step) => a + s.offered * s.windowS, 0);
    const implied = R / (sent / runSeconds);
    expect(implied).toBeGreaterThanOrEqual(0.9 * c.figure);
    expect(implied).toBeLessThanOrEqual(1.1 * c.bracket.high);
    expect(c.bracket.high).toBeGreaterThan(c.figure);
    expect(r.stdout).toMatch(/Capacity: sustains \d+ concurrent runs \(between \d+, passed, and \d+, failed\)/);
  }, 180_000);

  it('a generator slower than the target (each iteration spins 10 ms of a worker\'s CPU): the answer is a floor limited by the generator, never a capacity', async () => {
    const dir = tempDir();
    const file = writeBusyScenario(dir, 'spin', 10, "await ctx.http.post('/ingest/metrics', JSON.stringify({ time: Date.now(), step: 1, data: { 'x/y': 1 } }) + '\\n');");
    // Two workers top out near 2 × 100 iterations/s; the embedded server (no capacity limit) takes far more.
    const r = await runCli(['capacity', '--workers', '2', '--scenario', file, '--start-load', '40', '--max-time', '90s', '--seed', '4', '--report-dir', dir], { timeoutMs: 130_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const c = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')).capacity;
    expect(c).toMatchObject({ kind: 'floor', limitedBy: 'generator' });
    expect(c.figure).toBeLessThan(200);
    const failed = c.steps.filter((s: { verdict: string }) => s.verdict === 'fail');
    expect(failed.at(-1).generatorSaturated).toBe(true);
    expect(failed.at(-1).causes).toContain('generator');
    expect(r.stdout).toMatch(/Capacity: sustains at least \d+ requests\/s — a floor, not the capacity: the generator, not the target, limited this/);
    expect(r.stdout).toMatch(/mlop-sim capacity --workers N/);
  }, 150_000);

  it('--shard is refused with one sentence (exit 2)', async () => {
    const shard = await runCli(['capacity', '--shard', '1/2', '--scenario', 'http', '--report-dir', tempDir()], { timeoutMs: 60_000 });
    expect(shard.code).toBe(2);
  }, 130_000);
});

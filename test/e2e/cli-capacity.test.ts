/**
 * End-to-end: `mlop-sim capacity`, the built CLI against the embedded reference server with a
 * known capacity (`--server-capacity R`, a FIFO queue of rate R): the figure is within −10 % / +2 %
 * of R, latest.json and the HTML page carry the search, --expect-capacity gates, and bad input
 * exits with one sentence (2 for usage, 1 for an SLO failing at the lowest step).
 * R stays small (200/s) so the generator is never the limit on two shared cores.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, tempDir } from './cli-process.js';

beforeAll(() => ensureBuilt(), 120_000);

describe('mlop-sim capacity against a FIFO server of known rate', () => {
  it('http, R = 200/s: finds it within −10 % / +2 %, writes latest.json capacity and the page, and --expect-capacity 1000 fails the gate', async () => {
    const dir = tempDir();
    const html = join(dir, 'capacity.html');
    const r = await runCli(
      ['capacity', '--scenario', 'http', '--server-capacity', '200', '--start-load', '50', '--resolution', '0.05', '--max-time', '150s', '--seed', '7',
        '--report-dir', dir, '--html', html, '--expect-capacity', '1000'],
      { timeoutMs: 200_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    expect(latest.kind).toBe('capacity');
    const c = latest.capacity;
    expect(c.kind).toBe('capacity');
    expect(c.limitedBy).toBe('target');
    expect(c.unit).toBe('requests/s');
    expect(c.figure).toBeGreaterThanOrEqual(180);
    expect(c.figure).toBeLessThanOrEqual(204);
    expect(c.bracket.low).toBe(c.figure);
    expect(c.bracket.high).toBeGreaterThan(c.figure);
    expect(c.firstFailure.causes).toContain('throughput');
    // Every step keeps what it offered, achieved and measured; no passing step achieved more than R (+ 1 % of counting noise).
    for (const s of c.steps) {
      expect(s).toHaveProperty('offered');
      expect(s).toHaveProperty('p95Ms');
      expect(['pass', 'fail']).toContain(s.verdict);
      expect(s.achieved).toBeLessThanOrEqual(Math.min(s.offered, 200 * 1.01));
    }
    expect(latest.exit_code).toBe(1);
    expect(latest.reasons.join(' ')).toMatch(/below --expect-capacity 1000/);
    expect(r.stdout).toMatch(/Capacity: sustains \d+ requests\/s \(between \d+, passed, and \d+, failed\)/);
    expect(r.stdout).toMatch(/FAIL: the capacity found .* is below --expect-capacity 1000/);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('id="achieved-vs-offered"');
    expect(page).toContain('id="latency-vs-load"');
    expect(page).toContain('id="achieved-vs-offered-knee"');
    expect(page).toContain(c.summary.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').slice(0, 30));
  }, 220_000);

  it('stress: the seed summary (stress_test_results.json) is the search\'s, measured at the figure', async () => {
    const dir = tempDir();
    const r = await runCli(['capacity', '--scenario', 'stress', '--server-capacity', '80', '--start-load', '50', '--resolution', '0.2', '--max-time', '90s', '--report-dir', dir, '-q'], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const c = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')).capacity;
    const stress = JSON.parse(readFileSync(join(dir, 'stress_test_results.json'), 'utf8'));
    expect(Object.keys(stress).slice(0, 11)).toEqual(['test_type', 'p50_ms', 'p95_ms', 'p99_ms', 'p999_ms', 'max_ms', 'error_rate', 'total_requests', 'failed_requests', 'rps_avg', 'capacity_assessment']);
    expect(stress).toMatchObject({ test_type: 'stress', capacity_assessment: 'good', capacity_rps: c.figure, capacity_kind: c.kind });
    expect(c.figure).toBeGreaterThanOrEqual(50);
    expect(c.figure).toBeLessThanOrEqual(82);
    const at = c.steps.filter((s: { offered: number; verdict: string }) => s.offered === c.figure && s.verdict === 'pass').at(-1);
    expect(stress.p95_ms).toBe(at.p95Ms);
    expect(stress.rps_avg).toBe(at.requestsPerS);
  }, 150_000);

  it('an SLO already failing at the lowest step: exit 1, "below the lowest step"', async () => {
    const dir = tempDir();
    const r = await runCli(['capacity', '--scenario', 'http', '--slo', 'p95<0.01', '--start-load', '20', '--report-dir', dir, '-q'], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/below the lowest step: the target did not sustain 20 requests\/s/);
    expect(JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')).capacity).toMatchObject({ kind: 'below-lowest', figure: 0 });
  }, 90_000);

  it('bad input exits 2 with one sentence: an SLO naming no entry, --max-time shorter than a step, a load flag', async () => {
    const noEntry = await runCli(['capacity', '--scenario', 'http', '--slo', 'nosuch:p95<100', '--report-dir', tempDir()], { timeoutMs: 60_000 });
    expect(noEntry.code).toBe(2);
    expect(noEntry.stderr.trim()).toMatch(/^mlop-sim: the SLO "nosuch:p95<100" names no entry of this scenario/);
    expect(noEntry.stderr.trim().split('\n')).toHaveLength(1);
    const short = await runCli(['capacity', '--scenario', 'http', '--max-time', '5s']);
    expect(short.code).toBe(2);
    expect(short.stderr.trim()).toBe('mlop-sim: --max-time 5 s is shorter than one step (at least 8 s).');
    const load = await runCli(['capacity', '--arrival-rate', '50/s']);
    expect(load.code).toBe(2);
    expect(load.stderr).toMatch(/--arrival-rate does not apply to mlop-sim capacity/);
  }, 90_000);
});

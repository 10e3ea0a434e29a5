/**
 * End-to-end: the built CLI's open model against the embedded reference server with a stall —
 * latency from the intended start sees the stall that latency from the actual start hides, drops
 * are counted and gateable, an SDK arrival is a whole training run, and bad load flags exit 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, tempDir } from './cli-process.js';

function readLatest(dir: string): Record<string, any> {
  return JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
}

function entry(latest: Record<string, any>, name: string): Record<string, any> {
  const e = latest.entries.find((x: { name: string }) => x.name === name);
  if (!e) throw new Error(`no entry ${name}`);
  return e;
}

beforeAll(() => ensureBuilt(), 120_000);

// 100/s for 6 s; the server stops answering for 1.5 s from 2 s after its start.
const STALL = ['--scenario', 'http', '--arrival-rate', '100/s', '--run-time', '6s', '--server-stall', '1500ms@2s', '--seed', '3'];

describe('mlop-sim run with an arrival rate', () => {
  it('queued on 2 users: the corrected p99 sees the stall, the actual-send p99 does not, nothing is dropped', async () => {
    const dir = tempDir();
    const r = await runCli([...STALL, '--max-users', '2', '--on-saturation', 'queue', '--report-dir', dir, '--threshold', 'corrected:p99<300']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/target 100 it\/s \| dropped 0/);
    const latest = readLatest(dir);
    expect(latest.load.executor).toBe('constant-arrival-rate');
    expect(latest.dropped_iterations).toBe(0);
    // About 150 of 600 iterations are due during the stall and wait up to 1.5 s.
    expect(latest.corrected.p99_ms).toBeGreaterThan(900);
    expect(entry(latest, 'ITERATION from intended start (corrected)').count).toBe(600);
    expect(entry(latest, 'ITERATION from actual start').percentiles.p99).toBeLessThan(latest.corrected.p99_ms / 3);
    expect(latest.reasons.join('\n')).toMatch(/ITERATION from intended start \(corrected\) p99/);
  });

  it('dropped by default on 5 users: dropped_iterations counts them exactly and the gate fails', async () => {
    const dir = tempDir();
    const r = await runCli([...STALL, '--max-users', '5', '--report-dir', dir, '--threshold', 'dropped_iterations<1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const latest = readLatest(dir);
    // ~150 due in the stall, 5 of them in flight; a busy machine can add a few more drops
    // (iterations due while this process was descheduled find every user busy).
    expect(latest.dropped_iterations).toBeGreaterThan(120);
    expect(latest.dropped_iterations).toBeLessThan(300);
    expect(latest.dropped_iterations + entry(latest, 'ITERATION from actual start').count).toBe(600);
    expect(latest.thresholds.find((t: { expression: string }) => t.expression === 'dropped_iterations<1').actual).toBe(latest.dropped_iterations);
    expect(latest.failures.some((f: { name: string }) => f.name === 'dropped')).toBe(true);
  });

  it('sdk scenario: each arrival is a whole training run of --run-length, run to its end after the arrivals stop, and audited', async () => {
    const dir = tempDir();
    const r = await runCli(['--arrival-rate', '2/s', '--run-length', '2s', '--run-time', '3s', '--seed', '4', '--report-dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const latest = readLatest(dir);
    expect(latest.load.iteration).toBe('run');
    expect(entry(latest, 'ITERATION from actual start').count).toBe(6);
    expect(entry(latest, 'ITERATION from actual start').percentiles.p50).toBeGreaterThanOrEqual(2000);
    expect(latest.audit.runs).toHaveLength(6);
    expect(latest.audit.pass).toBe(true);
  });

  it('--stage ramps closed-model users and the history carries the target', async () => {
    const dir = tempDir();
    const r = await runCli(['--scenario', 'http', '--stage', '2s:6', '--stage', '1s:6', '--seed', '2', '--report-dir', dir, '--csv', join(dir, 'run')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const latest = readLatest(dir);
    expect(latest.load.executor).toBe('ramping-users');
    expect(latest.users).toBe(6);
    const targets = latest.history.Aggregated.map((p: { target?: number }) => p.target);
    expect(Math.max(...targets)).toBe(6);
    expect(latest.dropped_iterations).toBeUndefined();
    expect(readFileSync(join(dir, 'run_stats_history.csv'), 'utf8').split(/\r?\n/)[0]).toMatch(/,Target$/);
  });

  it("a scenario file's shape sets an arrival rate each second and stops the run with null", async () => {
    const dir = tempDir();
    const file = join(dir, 'shaped.mjs');
    writeFileSync(file, `
      export default {
        name: 'shaped',
        tasks: [{ name: 'noop', weight: 1, run: (ctx) => ctx.record('TASK', 'noop', 1, true) }],
      };
      export function shape({ elapsedS }) { return elapsedS < 2 ? { rate: 20 } : null; }
    `);
    const r = await runCli(['--scenario', file, '--report-dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const latest = readLatest(dir);
    expect(latest.load.executor).toBe('load-shape');
    expect(entry(latest, 'TASK noop').count).toBe(40);
    expect(latest.durationS).toBeLessThan(4);
  });

  it('bad load flags exit 2 with one sentence', async () => {
    const bad = await runCli(['--stage', '30s']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--stage must look like 30s:100/);
    const pool = await runCli(['--max-users', '5', '--run-time', '1s']);
    expect(pool.code).toBe(2);
    expect(pool.stderr).toMatch(/need --arrival-rate/);
    const stall = await runCli(['--server-stall', '3s', '--run-time', '1s']);
    expect(stall.code).toBe(2);
    expect(stall.stderr).toMatch(/--server-stall must look like 3s@20s/);
    const serve = await runCli(['serve', '--server-stall', 'soon@1s']);
    expect(serve.code).toBe(2);
    expect(serve.stderr).toMatch(/--server-stall must look like 30s, 5m, 1h/);
  });
});

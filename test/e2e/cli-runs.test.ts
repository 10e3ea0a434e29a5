/**
 * End-to-end: the built CLI against its embedded reference server on loopback — the runs a
 * user makes on a fresh clone, the reports they get, and the key never leaking.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY } from '../../src/server/index.js';
import { ensureBuilt, runCli, tempDir } from './cli-process.js';

const SEED_KEYS = ['p50_ms', 'p95_ms', 'p99_ms', 'error_rate', 'total_requests', 'rps'];

function readLatest(dir: string): Record<string, any> {
  return JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
}

function allFilesText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => readFileSync(join(d.parentPath, d.name), 'utf8'))
    .join('\n');
}

beforeAll(() => ensureBuilt(), 120_000);

describe('mlop-sim run against the embedded server', () => {
  it('sdk scenario, 10 users: PASS, exit 0, every report written, audit finds nothing lost, key never shown', async () => {
    const dir = tempDir();
    const r = await runCli([
      '--users', '10', '--run-time', '3s', '--seed', '5', '--report-dir', dir,
      '--csv', join(dir, 'run'), '--html', join(dir, 'report.html'), '--junit', join(dir, 'junit.xml'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[\s*\d+s\] users 10 \|/); // the live line (plain lines off a TTY)
    expect(r.stdout).toContain('E2E      log→ack');
    expect(r.stdout.trimEnd().endsWith('PASS')).toBe(true);

    const latest = readLatest(dir);
    expect(Object.keys(latest).slice(0, 6)).toEqual(SEED_KEYS);
    expect(latest.scenario).toBe('sdk');
    expect(latest.seed).toBe(5);
    expect(latest.judged).toEqual(['E2E log→ack', 'SDK HTTP (all)']);
    const e2e = latest.entries.find((e: { name: string }) => e.name === 'E2E log→ack');
    expect(latest.total_requests).toBe(e2e.count); // seed keys come from the primary judged entry
    expect(latest.total_requests).toBeGreaterThan(20);
    const names = latest.entries.map((e: { name: string }) => e.name);
    expect(names).toEqual(expect.arrayContaining(['POST /ingest/metrics', 'POST /api/runs/create', 'SDK run.log (metrics)', 'SDK run._log (explicit step)']));
    expect(latest.audit.storageChecked).toBe(true);
    expect(latest.audit.runs).toHaveLength(10);
    expect(latest.audit.totals.lostRows).toBe(0);
    expect(latest.audit.totals.acked).toBe(latest.audit.totals.logged);
    expect(latest.dlq.start).toEqual({ batches_pending: 0, records_pending: 0, disk_usage_mb: 0 });
    expect(latest.exitCode).toBe(0);

    for (const f of ['run_stats.csv', 'run_stats_history.csv', 'run_failures.csv', 'report.html', 'junit.xml']) {
      expect(existsSync(join(dir, f))).toBe(true);
    }
    for (const text of [r.stdout, r.stderr, allFilesText(dir)]) expect(text).not.toContain(DEFAULT_API_KEY);
  });

  it('http scenario, 10 users: raw NDJSON posts judged as Aggregated, exit 0', async () => {
    const dir = tempDir();
    const r = await runCli(['--scenario', 'http', '-u', '10', '-t', '3s', '--report-dir', dir, '--csv', join(dir, 'http')]);
    expect(r.code).toBe(0);
    const latest = readLatest(dir);
    expect(latest.judged).toEqual(['Aggregated']);
    expect(latest.total_requests).toBe(latest.aggregated.count);
    expect(latest.total_requests).toBeGreaterThan(40);
    expect(latest.error_rate).toBe(0);
    expect(latest.entries.map((e: { name: string }) => e.name).sort()).toEqual(['POST /ingest/data', 'POST /ingest/logs', 'POST /ingest/metrics']);
    expect(latest.audit).toBeUndefined();
    expect(readFileSync(join(dir, 'http_stats.csv'), 'utf8').split('\n')[0]).toMatch(/^Type,Name,Request Count,Failure Count,/);
    expect(r.stdout + r.stderr).not.toContain(DEFAULT_API_KEY);
  });

  it('stress scenario reports a capacity assessment and never fails the build', async () => {
    const dir = tempDir();
    // 50 % injected errors would fail any gate; the stress test still exits 0 and says "overloaded".
    const r = await runCli(['--scenario', 'stress', '-u', '5', '-t', '2s', '--server-error-rate', '0.5', '--report-dir', dir]);
    expect(r.code).toBe(0);
    const latest = readLatest(dir);
    expect(latest.capacity.assessment).toBe('overloaded');
    expect(latest.pass).toBe(true);
    const stress = JSON.parse(readFileSync(join(dir, 'stress_test_results.json'), 'utf8'));
    expect(stress.capacity_assessment).toBe('overloaded');
    expect(stress.error_rate).toBeGreaterThan(0.3);
    // The seed's stress_test_results.json keys, in its order (docs/protocol/load-test-suite.md §6.6).
    expect(Object.keys(stress)).toEqual(['test_type', 'p50_ms', 'p95_ms', 'p99_ms', 'p999_ms', 'max_ms', 'error_rate',
      'total_requests', 'failed_requests', 'rps_avg', 'capacity_assessment']);
    expect(stress.failed_requests).toBe(latest.aggregated.failures);
    // The batch post carries the seed's own entry name.
    expect(latest.entries.map((e: { name: string }) => e.name)).toContain('POST /ingest/metrics (batch)');
  });

  it('a user scenario file (examples/custom-scenario.ts) runs from the built CLI', async () => {
    const dir = tempDir();
    const r = await runCli(['--scenario', 'examples/custom-scenario.ts', '-u', '3', '-t', '3s', '--seed', '1', '--report-dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const latest = readLatest(dir);
    expect(latest.scenario).toBe('fine-tune');
    const names = latest.entries.map((e: { name: string }) => e.name);
    expect(names).toEqual(expect.arrayContaining(['SDK run.log (train step)', 'E2E log→ack', 'GET /health']));
    expect(latest.audit.runs.map((a: { runName: string }) => a.runName).sort()).toEqual(['fine-tune-1', 'fine-tune-2', 'fine-tune-3']);
  });

  it('baseline save copies latest.json to the baseline file', async () => {
    const dir = tempDir();
    const run = await runCli(['--scenario', 'http', '-u', '2', '-t', '1s', '--report-dir', dir, '--quiet']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('PASS');
    const to = join(dir, 'baseline', 'base.json');
    const save = await runCli(['baseline', 'save', '--report-dir', dir, '--to', to]);
    expect(save.code).toBe(0);
    expect(readFileSync(to, 'utf8')).toBe(readFileSync(join(dir, 'latest.json'), 'utf8'));
  });
});

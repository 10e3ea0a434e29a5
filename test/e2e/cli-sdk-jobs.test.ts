/**
 * End-to-end (issue 10): SDK virtual users are training jobs with the SDK's defaults. The real
 * CLI load-tests a standalone `mlop-sim serve`; afterwards the server's control routes show that
 * each run's system metrics (`sys/*`), console lines (the SDK's start-up lines and the job's
 * prints) and heartbeats really reached it, and that the audit counted each kind. With
 * --no-system-metrics --no-console none of them are sent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { DEFAULT_API_KEY } from '../../src/server/index.js';
import { cleanEnv, ensureBuilt, runCli, tempDir } from './cli-process.js';
import { startServe } from './serve-process.js';

beforeAll(() => ensureBuilt(), 120_000);

async function get(url: string): Promise<any> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return res.json();
}

function csvRows(file: string): string[][] {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(','));
}

it('system metrics, console lines and heartbeats of every virtual user reach the server; the flags turn them off', async () => {
  const { server, closed, url: started } = startServe([]);
  try {
    const url = await started;
    const env = cleanEnv({ TEST_API_KEY: DEFAULT_API_KEY });
    const dir = tempDir();
    const r = await runCli(['--host', url, '-u', '3', '-t', '6s', '--seed', '3', '--report-dir', dir, '--csv', join(dir, 'jobs')], { env, timeoutMs: 90_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    const kinds = latest.audit.totals.kinds;
    expect(kinds.metric.acked).toBeGreaterThan(0);
    expect(kinds.system.acked).toBeGreaterThanOrEqual(3 * 2); // a sample at start and every 4 s, per run
    expect(kinds.console.acked).toBeGreaterThanOrEqual(3 * 3); // the SDK's three start-up lines per run, plus prints
    for (const k of ['metric', 'system', 'console']) expect(kinds[k].acked).toBe(kinds[k].logged);
    expect(latest.audit.totals.tables.mlop_metrics.lostRows).toBe(0);
    expect(latest.audit.totals.tables.mlop_logs.storedRows).toBe(kinds.console.expectedRows);
    expect(r.stdout).toMatch(/by kind: metrics \d+\/\d+ acked, system metrics \d+\/\d+ acked, console lines \d+\/\d+ acked/);

    await fetch(`${url}/_sim/flush`, { method: 'POST' });
    const apiRuns = (await get(`${url}/_sim/api-runs`)).runs as { runId: number; heartbeats: number; logNames: Record<string, unknown> }[];
    for (const run of latest.audit.runs as { runId: number }[]) {
      const metrics = (await get(`${url}/_sim/runs/${run.runId}/rows?table=mlop_metrics`)).rows as { logName: string; step: number }[];
      const sys = metrics.filter((m) => m.logName.startsWith('sys/'));
      expect(sys.map((m) => m.logName)).toEqual(expect.arrayContaining(['sys/memory.used', 'sys/cpu.percentage.0']));
      expect([...new Set(sys.map((m) => m.step))]).toEqual(expect.arrayContaining([1, 2])); // own step counter: samples at 0 s and 4 s
      const logs = (await get(`${url}/_sim/runs/${run.runId}/rows?table=mlop_logs`)).rows as { message: string; logType: string }[];
      const errors = logs.filter((l) => l.logType === 'ERROR').map((l) => l.message);
      expect(errors[0]).toMatch(/^pluto: 🚀 \d\d:\d\d:\d\d \| Started sync process \(PID: \d+\)$/);
      expect(errors.some((m) => /\| Operation: View run .+ at .+/.test(m))).toBe(true);
      expect(errors.some((m) => / \[pluto-sync\] INFO: Sync process started \(parent PID: \d+\)$/.test(m))).toBe(true);
      expect(logs.some((l) => l.logType === 'INFO' && /^iteration \d+ loss=[\d.]+ acc=[\d.]+$/.test(l.message))).toBe(true);
      const api = apiRuns.find((a) => a.runId === run.runId)!;
      expect(api.heartbeats).toBeGreaterThanOrEqual(2);
      expect(Object.keys(api.logNames)).toEqual(expect.arrayContaining(['sys/memory.used', 'sys/pluto.lag_s', 'train/loss']));
    }

    // The numbers do not mix units: Aggregated adds up HTTP requests only; SDK HTTP (all) is a row.
    const rows = csvRows(join(dir, 'jobs_stats.csv'));
    const http = rows.slice(1).filter((c) => !['', 'SDK', 'E2E', 'TASK'].includes(c[0]!));
    const agg = rows.find((c) => c[1] === 'Aggregated')!;
    const group = rows.find((c) => c[1] === 'SDK HTTP (all)')!;
    expect(Number(agg[2])).toBe(http.reduce((s, c) => s + Number(c[2]), 0));
    expect(group[2]).toBe(agg[2]);
    expect(latest.entries.map((e: { name: string }) => e.name)).toContain('SDK HTTP (all)');
    expect(latest.aggregated.count).toBe(Number(agg[2]));

    // Off: no sys/* rows, no console lines, no system-metric names; the heartbeat stays.
    const off = tempDir();
    const q = await runCli(['--host', url, '-u', '2', '-t', '3s', '--report-dir', off, '--no-system-metrics', '--no-console'], { env, timeoutMs: 90_000 });
    expect(q.code).toBe(0);
    const quiet = JSON.parse(readFileSync(join(off, 'latest.json'), 'utf8'));
    expect(quiet.audit.totals.kinds.system.logged).toBe(0);
    expect(quiet.audit.totals.kinds.console.logged).toBe(0);
    await fetch(`${url}/_sim/flush`, { method: 'POST' });
    for (const run of quiet.audit.runs as { runId: number }[]) {
      const metrics = (await get(`${url}/_sim/runs/${run.runId}/rows?table=mlop_metrics`)).rows as { logName: string }[];
      expect(metrics.length).toBeGreaterThan(0);
      expect(metrics.filter((m) => m.logName.startsWith('sys/'))).toHaveLength(0);
      expect((await get(`${url}/_sim/runs/${run.runId}/rows?table=mlop_logs`)).rows).toHaveLength(0);
    }
  } finally {
    server.kill('SIGINT');
  }
  expect(await closed).toBe(0);
}, 180_000);

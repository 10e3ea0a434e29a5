/**
 * End-to-end with the real CLI and a real ClickHouse (Debian's clickhouse-server over HTTP):
 * SDK users → the embedded server's ingest → ClickHouse → storage audit and time to visible in
 * every report; `mlop-sim serve --clickhouse-url` as a --host target whose flusher fails (rows
 * lost, run fails with exact counts); credentials and reachability checked at start (exit 3).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY } from '../../src/server/index.js';
import { cleanEnv, ensureBuilt, runCli, tempDir } from '../e2e/cli-process.js';
import { startServe } from '../e2e/serve-process.js';
import { freePort, startDebianClickHouse, type DebianClickHouse } from './engines.js';

let ch: DebianClickHouse;
beforeAll(async () => {
  ensureBuilt();
  ch = await startDebianClickHouse();
}, 180_000);
afterAll(async () => {
  await ch?.stop();
});

const chFlags = (database: string): string[] => ['--clickhouse-url', ch.url, '--clickhouse-user', ch.user, '--clickhouse-database', database];

describe('mlop-sim with --clickhouse-url', () => {
  it('audits every acked row in ClickHouse and reports time to visible in every report; the password appears nowhere', async () => {
    const dir = tempDir();
    const env = cleanEnv({ CLICKHOUSE_PASSWORD: ch.password });
    const r = await runCli(
      ['-u', '4', '-t', '8s', ...chFlags('e2e_full'), '--clickhouse-probe-budget', '0.2', '--threshold', 'visible:p95<30000',
        '--report-dir', dir, '--junit', join(dir, 'junit.xml'), '--html', join(dir, 'report.html'), '--csv', join(dir, 'run')],
      { env, timeoutMs: 120_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Storage audit \(ClickHouse http:\/\/127\.0\.0\.1:\d+, database e2e_full\) passed over 4 runs: metrics (\d+) acked, \1 stored, 0 lost, 0 duplicated/);
    expect(r.stdout).toMatch(/E2E\s+log→visible\s+\d+/);
    expect(r.stdout).toMatch(/time to visible: \d+ of \d+ samples seen/);
    expect(r.stdout).toContain('ok   E2E log→visible p95 was');

    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    expect(latest.storage).toMatchObject({ database: 'e2e_full', pass: true, lostRows: 0, duplicatedRows: 0, settled: true });
    expect(latest.storage.totals.metrics.stored).toBe(latest.storage.totals.metrics.acked);
    // the metrics table holds the users' metrics and their system metrics (console lines go to mlop_logs)
    expect(latest.storage.totals.metrics.acked).toBe(latest.audit.totals.kinds.metric.expectedRows + latest.audit.totals.kinds.system.expectedRows);
    const visible = latest.entries.find((e: { name: string }) => e.name === 'E2E log→visible');
    expect(visible.count).toBeGreaterThan(0);
    expect(visible.count).toBe(latest.visibility.seen);
    expect(latest.visibility.costFraction).toBeLessThanOrEqual(0.2);
    // The probe's samples become visible after the ingest's flush: never before they were acked.
    expect(visible.percentiles.p50).toBeGreaterThan(latest.entries.find((e: { name: string }) => e.name === 'E2E log→ack').percentiles.p50);

    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toContain('name="storage audit (ClickHouse)"');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('ClickHouse: storage audit and time to visible');
    expect(html).toContain('log→visible');
    expect(readFileSync(join(dir, 'run_stats.csv'), 'utf8')).toContain('log→visible');
    for (const text of [r.stdout, r.stderr, JSON.stringify(latest), junit, html]) expect(text).not.toContain(ch.password);
  });

  it('--workers 2: the coordinator audits every worker\'s runs in ClickHouse once, and the workers\' time-to-visible samples are merged', async () => {
    const dir = tempDir();
    const env = cleanEnv({ CLICKHOUSE_PASSWORD: ch.password });
    const r = await runCli(
      ['--workers', '2', '-u', '4', '-t', '6s', '--seed', '8', ...chFlags('e2e_workers'), '--clickhouse-probe-budget', '0.2',
        '--threshold', 'visible:p95<30000', '--report-dir', dir, '--out', `json=${join(dir, 'points.json')}`],
      { env, timeoutMs: 120_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.match(/counting stored rows in ClickHouse/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/Storage audit \(ClickHouse http:\/\/127\.0\.0\.1:\d+, database e2e_workers\) passed over 4 runs: metrics (\d+) acked, \1 stored, 0 lost, 0 duplicated/);
    expect(r.stdout).toContain('ok   E2E log→visible p95 was');
    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    expect(latest.scaleOut.parts.every((p: { complete: boolean }) => p.complete)).toBe(true);
    expect(latest.storage).toMatchObject({ database: 'e2e_workers', pass: true, lostRows: 0, duplicatedRows: 0, settled: true });
    // the runs of both workers, their acked rows from the delivery counts the workers sent; the
    // reference server's own audit (stored = acked, through its ClickHouse store) too
    expect(latest.audit.runs).toHaveLength(4);
    expect(latest.audit).toMatchObject({ storage: 'checked', pass: true, totals: { lostRows: 0, duplicatedRows: 0, pending: 0 } });
    expect(latest.storage.totals.metrics.acked).toBe(latest.audit.totals.kinds.metric.expectedRows + latest.audit.totals.kinds.system.expectedRows);
    expect(latest.storage.totals.metrics.stored).toBe(latest.storage.totals.metrics.acked);
    expect(latest.storage.totals.logs.acked).toBe(latest.audit.totals.kinds.console.expectedRows);
    const visible = latest.entries.find((e: { name: string }) => e.name === 'E2E log→visible');
    expect(visible.count).toBeGreaterThan(0);
    expect(visible.count).toBe(latest.visibility.seen);
    expect(latest.visibility.p50Ms).toBe(visible.percentiles.p50);
    expect(latest.visibility.costFraction).toBeLessThanOrEqual(0.2);
    const points = readFileSync(join(dir, 'points.json'), 'utf8');
    expect(points).toContain('"type":"Audit"');
    for (const text of [r.stdout, JSON.stringify(latest), points]) expect(text).not.toContain(ch.password);
  });

  it('shards with --clickhouse-url: merge carries each shard\'s ClickHouse audit and time-to-visible probe into the one verdict', async () => {
    const env = cleanEnv({ CLICKHOUSE_PASSWORD: ch.password, TEST_API_KEY: DEFAULT_API_KEY });
    const serve = startServe([...chFlags('e2e_shards'), '--flush-interval', '1s'], env);
    try {
      const url = await serve.url;
      const dir = tempDir();
      const shards = await Promise.all(['0/2', '1/2'].map((shard) => runCli(
        ['--host', url, '--shard', shard, '--seed', '6', '-u', '4', '-t', '5s', ...chFlags('e2e_shards'), '--clickhouse-probe-budget', '0.2', '--report-dir', dir, '-q'],
        { env, timeoutMs: 120_000 })));
      for (const r of shards) expect(r.code, r.stderr).toBe(0);
      const files = [0, 1].map((i) => join(dir, `shard-${i}-of-2.json`));
      const parts = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
      for (const p of parts) expect(p.result.clickhouse).toMatchObject({ database: 'e2e_shards', pass: true, lostRows: 0 });
      const out = tempDir();
      const m = await runCli(['merge', ...files, '--report-dir', out, '--junit', join(out, 'junit.xml')], { env });
      expect(m.stderr).toBe('');
      expect(m.code).toBe(0);
      const latest = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8'));
      const acked = parts.reduce((n, p) => n + p.result.clickhouse.totals.metrics.acked, 0);
      expect(acked).toBeGreaterThan(0);
      expect(latest.storage).toMatchObject({ database: 'e2e_shards', pass: true, lostRows: 0 });
      expect(latest.storage.totals.metrics).toMatchObject({ acked, stored: acked, lost: 0 });
      expect(latest.storage.runs).toHaveLength(4);
      expect(latest.storage.totals.metrics.acked).toBe(latest.audit.totals.kinds.metric.expectedRows + latest.audit.totals.kinds.system.expectedRows);
      expect(m.stdout).toMatch(new RegExp(`Storage audit \\(ClickHouse http://127\\.0\\.0\\.1:\\d+, database e2e_shards\\) passed over 4 runs: metrics ${acked} acked, ${acked} stored`));
      expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('name="storage audit (ClickHouse)"');
      const visible = latest.entries.find((e: { name: string }) => e.name === 'E2E log→visible');
      expect(latest.visibility.seen).toBe(parts.reduce((n, p) => n + p.result.visibility.seen, 0));
      expect(visible.count).toBe(latest.visibility.seen);

      // A shard whose ClickHouse audit failed fails the merge, as it would have failed its run.
      const lossy = join(dir, 'lossy-shard-1-of-2.json');
      const p1 = parts[1];
      writeFileSync(lossy, JSON.stringify({ ...p1, result: { ...p1.result, clickhouse: { ...p1.result.clickhouse, pass: false, lostRows: 7,
        totals: { ...p1.result.clickhouse.totals, metrics: { ...p1.result.clickhouse.totals.metrics, stored: p1.result.clickhouse.totals.metrics.stored - 7, lost: 7 } } } } }));
      const failed = await runCli(['merge', files[0], lossy, '--report-dir', tempDir(), '-q'], { env });
      expect(failed.code).toBe(1);
      expect(failed.stdout).toMatch(/Storage audit \(ClickHouse [^)]*\) failed over 4 runs: metrics \d+ acked, \d+ stored, 7 lost/);
    } finally {
      serve.server.kill('SIGINT');
      await serve.closed;
    }
  });

  it('rows a failing flusher sent to the DLQ are lost in ClickHouse: the run fails with the exact count (serve --clickhouse-url as --host)', async () => {
    const env = cleanEnv({ CLICKHOUSE_PASSWORD: ch.password, TEST_API_KEY: DEFAULT_API_KEY });
    const serve = startServe([...chFlags('e2e_loss'), '--flush-failing', '--flush-interval', '1s'], env);
    try {
      const url = await serve.url;
      expect(serve.output()).toContain('Rows go to ClickHouse at');
      expect(serve.output()).not.toContain(ch.password);
      const dir = tempDir();
      const r = await runCli(['--host', url, '-u', '3', '-t', '3s', ...chFlags('e2e_loss'), '--clickhouse-settle-timeout', '3s', '--report-dir', dir], { env, timeoutMs: 120_000 });
      expect(r.code).toBe(1);
      const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
      const acked = latest.audit.totals.kinds.metric.expectedRows + latest.audit.totals.kinds.system.expectedRows; // mlop_metrics
      expect(acked).toBeGreaterThan(0);
      expect(latest.storage.totals.metrics).toEqual({ acked, stored: 0, lost: acked, duplicated: 0, unacked: 0 });
      // (the users' console lines are lost the same way, in the logs table: their count follows the metrics')
      const reason = latest.reasons.find((x: string) => x.startsWith('Storage audit'));
      expect(reason).toMatch(new RegExp(`^Storage audit \\(ClickHouse ${ch.url.replace(/[.:/]/g, '\\$&')}, database e2e_loss\\) failed over 3 runs: metrics ${acked} acked, 0 stored, ${acked} lost, 0 duplicated`));
      expect(reason).toContain(` (counts not settled (timeout) after ${(latest.storage.waitedMs / 1000).toFixed(1)} s).`);
      expect(r.stdout).toContain(`FAIL\n`);
      expect(latest.visibility.seen).toBe(0);
    } finally {
      serve.server.kill('SIGINT');
      await serve.closed;
    }
  });

  it('a wrong password or an unreachable ClickHouse: one sentence, exit 3, before any user starts', async () => {
    const wrong = await runCli(['-u', '1', '-t', '1s', ...chFlags('x'), '--clickhouse-password', 'not-it-123'], { timeoutMs: 60_000 });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toBe(`mlop-sim: ClickHouse at ${ch.url} rejected the credentials of user "mlop" (wrong user or password).\n`);
    expect(wrong.stdout + wrong.stderr).not.toContain('not-it-123');
    expect(wrong.stdout).not.toContain('scenario,');

    const port = await freePort();
    const gone = await runCli(['-u', '1', '-t', '1s', '--clickhouse-url', `http://127.0.0.1:${port}`], { env: cleanEnv({ CLICKHOUSE_PASSWORD: 'pw-env-1234' }), timeoutMs: 60_000 });
    expect(gone.code).toBe(3);
    expect(gone.stderr).toBe(`mlop-sim: cannot reach ClickHouse at http://127.0.0.1:${port} (ECONNREFUSED).\n`);

    const serveWrong = await runCli(['serve', '--port', '0', ...chFlags('x'), '--clickhouse-password', 'not-it-456'], { timeoutMs: 60_000 });
    expect(serveWrong.code).toBe(3);
    expect(serveWrong.stderr).toContain('rejected the credentials');
    expect(serveWrong.stderr).not.toContain('not-it-456');
  });

  it('a ClickHouse without the ingest tables is refused at start when the target is not embedded', async () => {
    const env = cleanEnv({ CLICKHOUSE_PASSWORD: ch.password, TEST_API_KEY: DEFAULT_API_KEY });
    const serve = startServe([], env); // an in-memory reference server: nothing creates the tables
    try {
      const url = await serve.url;
      const r = await runCli(['--host', url, '-u', '1', '-t', '1s', ...chFlags('default')], { env, timeoutMs: 60_000 });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^mlop-sim: ClickHouse database "default" at http:\/\/127\.0\.0\.1:\d+ has no table mlop_metrics, mlop_logs, mlop_data, mlop_files \(the ingest's tables, docs\/protocol\/clickhouse\.md\)\.\n$/);
    } finally {
      serve.server.kill('SIGINT');
      await serve.closed;
    }
  });
});

/**
 * `--out prometheus-rw=URL` end to end: the built CLI pushes to a real Prometheus on loopback
 * (Debian's package, remote-write receiver on), and the series are read back through its HTTP
 * API — while the run goes (each second's sample is queryable within 2 s of its second ending)
 * and after it (the final numbers equal latest.json's).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli, tempDir } from './cli-process.js';
import { ensurePrometheus, startPrometheus, type RunningPrometheus } from './prometheus-server.js';

let prom: RunningPrometheus;

beforeAll(async () => {
  ensureBuilt();
  const missing = ensurePrometheus();
  if (missing) throw new Error(missing);
  prom = await startPrometheus();
}, 900_000);

afterAll(async () => {
  await prom?.stop();
});

describe('--out prometheus-rw against a real Prometheus', () => {
  it('streams every second while the run goes, and its final numbers equal latest.json', async () => {
    const dir = tempDir();
    const lags: number[] = [];
    let polling = true;
    // While the run goes: how far behind the wall clock is the newest Aggregated sample?
    const poller = (async () => {
      while (polling) {
        const r = await prom.query('timestamp(mlop_sim_requests_per_second{entry="Aggregated"})').catch(() => []);
        if (r.length > 0) {
          const sampleEnd = Number(r[0].value[1]) + 1; // the sample covers [t, t+1)
          lags.push(Date.now() / 1000 - sampleEnd);
        }
        await new Promise((res) => setTimeout(res, 250));
      }
    })();
    const run = await runCli([
      '--headless', '-f', 'http', '-u', '5', '-r', '5', '-t', '6s', '--seed', '3', '--report-dir', dir,
      '--server-error-rate', '0.1', '--max-error-rate', '1', '--shutdown-timeout', '3s',
      '--out', `prometheus-rw=${prom.writeUrl}`,
    ]);
    polling = false;
    await poller;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    // Seen live: samples arrived during the run, each within 2 s of its second's end.
    const live = lags.slice(0, -2);
    console.info(`prometheus-rw: newest sample queryable ${Math.min(...live).toFixed(2)}–${Math.max(...live).toFixed(2)} s after its second ended (${live.length} polls)`);
    expect(live.length).toBeGreaterThan(10);
    expect(Math.max(...live)).toBeLessThan(2);

    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    const totals = await prom.query('mlop_sim_requests_total');
    const byEntry = new Map(totals.map((s) => [s.metric.entry, Number(s.value[1])]));
    expect(byEntry.get('Aggregated')).toBe(latest.aggregated.count);
    for (const e of latest.entries) expect(byEntry.get(e.name), e.name).toBe(e.count);
    const failures = await prom.query('mlop_sim_failures_total{entry="Aggregated"}');
    expect(Number(failures[0].value[1])).toBe(latest.aggregated.failures);
    expect(latest.aggregated.failures).toBeGreaterThan(0);

    for (const [q, key] of [['0.5', 'p50'], ['0.95', 'p95'], ['0.99', 'p99']]) {
      const r = await prom.query(`mlop_sim_final_latency_ms{entry="Aggregated",quantile="${q}"}`);
      expect(Number(r[0].value[1])).toBeCloseTo(latest.aggregated.percentiles[key], 9);
    }
    const users = await prom.query('max_over_time(mlop_sim_users[1m])');
    expect(Number(users[0].value[1])).toBe(5);
    const perSecond = await prom.query('count_over_time(mlop_sim_latency_ms{entry="Aggregated",quantile="0.95"}[1m])');
    expect(Number(perSecond[0].value[1])).toBeGreaterThanOrEqual(5);
    for (const name of ['mlop_sim_dropped_iterations_total', 'mlop_sim_generator_saturation', 'mlop_sim_run_pass']) {
      expect((await prom.query(name)).length, name).toBe(1);
    }

    // Every query of the Grafana dashboard in examples/ finds series.
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'examples/grafana-dashboard.json'), 'utf8'));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) expect((await prom.query(expr.replaceAll('$entry', '.*'))).length, expr).toBeGreaterThan(0);
  }, 120_000);

  it('--workers 2: the coordinator pushes the merged seconds while the workers run; the final numbers equal latest.json', async () => {
    const dir = tempDir();
    const start = Date.now() / 1000;
    let seenLive = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const r = await prom.query('timestamp(mlop_sim_requests_per_second{entry="Aggregated"})').catch(() => []);
        if (r.length > 0 && Number(r[0].value[1]) > start) seenLive++;
        await new Promise((res) => setTimeout(res, 250));
      }
    })();
    const run = await runCli([
      '--workers', '2', '-f', 'http', '-u', '4', '-r', '4', '-t', '5s', '--seed', '4', '--report-dir', dir, '--shutdown-timeout', '3s', '-q',
      '--out', `prometheus-rw=${prom.writeUrl}`,
    ]);
    polling = false;
    await poller;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // samples of this run were queryable while it went (not only pushed at the end)
    expect(seenLive).toBeGreaterThan(8);
    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    const totals = await prom.query('mlop_sim_requests_total');
    const byEntry = new Map(totals.map((s) => [s.metric.entry, Number(s.value[1])]));
    expect(byEntry.get('Aggregated')).toBe(latest.aggregated.count);
    for (const e of latest.entries) expect(byEntry.get(e.name), e.name).toBe(e.count);
    const users = await prom.query(`max_over_time(mlop_sim_users[${Math.ceil(Date.now() / 1000 - start)}s])`);
    expect(Number(users[0].value[1])).toBe(4);
  });

  it('a receiver that is not there never fails the run: one warning line at the end', async () => {
    const dir = tempDir();
    const port = await closedPort();
    const run = await runCli(['-f', 'http', '-u', '2', '-t', '2s', '--report-dir', dir, '--out', `prometheus-rw=http://127.0.0.1:${port}/api/v1/write`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/prometheus-rw: 0 pushes accepted .*a push failed \(ECONNREFUSED\)/);
  }, 60_000);

  it('a receiver that accepts and never answers holds the end at most 10 s more', async () => {
    const sockets: Socket[] = [];
    const hanging = createServer((s) => void sockets.push(s)).listen(0, '127.0.0.1');
    await new Promise((r) => hanging.once('listening', r));
    const port = (hanging.address() as { port: number }).port;
    const dir = tempDir();
    const t0 = Date.now();
    const run = await runCli(['-f', 'http', '-u', '2', '-t', '3s', '--report-dir', dir, '--out', `prometheus-rw=http://127.0.0.1:${port}/api/v1/write`]);
    const tookS = (Date.now() - t0) / 1000;
    for (const s of sockets) s.destroy();
    hanging.close();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/prometheus-rw: 0 pushes accepted .*a push failed .*seconds dropped/);
    expect(tookS).toBeLessThan(3 + 10 + 8); // run time + the stop budget + start-up and shutdown
  }, 60_000);
});

/** A loopback port nobody listens on (taken, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

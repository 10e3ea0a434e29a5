/**
 * Coming from Locust: the seed's own command lines (its load-test README, docs/cli.md "Coming
 * from Locust") run unchanged with `mlop-sim` in place of `locust -f …`; Locust's headless flags
 * work; flags that cannot mean anything here exit 2 naming their replacement; and the Locust CSVs
 * are read by Python's csv module the way Locust-reading tools do, float() on every number.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, ensureBuilt, ROOT, runCli, tempDir } from './cli-process.js';

beforeAll(() => ensureBuilt(), 120_000);

/** The seed README's environment, minus INGEST_URL (no stack here: the embedded server stands in). */
const SEED_ENV = cleanEnv({ P95_THRESHOLD_MS: '500', P99_THRESHOLD_MS: '1000', MAX_ERROR_RATE: '0.01' });

/** The seed's paths, under a temporary root instead of the container's /mnt. */
function seedPaths(): { root: string; reports: string; locustfile: string } {
  const root = tempDir();
  const reports = join(root, 'mnt/locust/reports');
  mkdirSync(reports, { recursive: true });
  return { root, reports, locustfile: join(root, 'mnt/locust/locustfile.py') };
}

/** A scenario file with tagged tasks: one records a sample, one throws (Locust's exceptions). */
function taggedScenario(dir: string): string {
  const file = join(dir, 'tagged.mjs');
  writeFileSync(file, `export default {
  name: 'tagged',
  wait: { minS: 0.01, maxS: 0.03 },
  tasks: [
    { name: 'work', weight: 3, tags: ['ingest'], run: (ctx) => ctx.record('CUSTOM', 'work', 1 + ctx.random.next(), true, 100) },
    { name: 'boom', weight: 1, tags: ['flaky'], run: () => { throw new Error('boom from task'); } },
    { name: 'untagged', weight: 1, run: (ctx) => ctx.record('CUSTOM', 'untagged', 1, true, 10) },
  ],
};
`);
  return file;
}

function latest(dir: string): Record<string, any> {
  return JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
}

describe("the seed's README commands, unchanged", () => {
  it('quick test: --headless --users 10 --spawn-rate 2 --run-time 30s --html …', async () => {
    const p = seedPaths();
    const r = await runCli([
      '-f', p.locustfile, '--headless', '--users', '10', '--spawn-rate', '2', '--run-time', '30s',
      '--html', join(p.reports, 'report.html'),
    ], { cwd: p.root, env: SEED_ENV, timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(join(p.reports, 'report.html'))).toBe(true);
    const l = latest(join(p.root, 'reports'));
    expect(l.scenario).toBe('sdk'); // locustfile.py is the seed's SDK test
    expect(l.users).toBe(10);
  }, 120_000);

  it('load test: --headless --users 100 --spawn-rate 10 --run-time 300s --html … --csv … (stopped with Ctrl+C after the first live line)', async () => {
    const p = seedPaths();
    const r = await runCli([
      '-f', p.locustfile, '--headless', '--users', '100', '--spawn-rate', '10', '--run-time', '300s',
      '--html', join(p.reports, 'report.html'), '--csv', join(p.reports, 'results'),
    ], { cwd: p.root, env: SEED_ENV, interrupt: { signal: 'SIGINT', afterText: 'users ' }, timeoutMs: 120_000 });
    expect(r.code).toBe(130);
    for (const f of ['report.html', 'results_stats.csv', 'results_stats_history.csv', 'results_failures.csv', 'results_exceptions.csv']) {
      expect(existsSync(join(p.reports, f)), f).toBe(true);
    }
  }, 120_000);

  it("the seed's HTTP and stress locustfiles by name pick the http and stress scenarios", async () => {
    for (const [file, scenario] of [['locustfile_http.py', 'http'], ['locustfile_stress.py', 'stress']]) {
      const dir = tempDir();
      const r = await runCli(['-f', `/mnt/locust/${file}`, '--headless', '-u', '3', '-r', '3', '-t', '1s', '--report-dir', dir, '--only-summary']);
      expect(r.code, r.stderr).toBe(0);
      expect(latest(dir).scenario).toBe(scenario);
      expect(r.stdout).not.toMatch(/\[\s*\d+s\] users/); // --only-summary: no live line
      expect(r.stdout).toContain('Aggregated');
    }
  }, 60_000);
});

describe("Locust's flags", () => {
  it('web UI options the live page lacks and master/worker flags exit 2 with one sentence naming the replacement', async () => {
    const cases: [string[], RegExp][] = [
      [['--master'], /--master is a Locust flag .*--workers N.*--shard I\/N.*mlop-sim merge/],
      [['--worker', '--master-host', 'x'], /--worker is a Locust flag .*--workers N/],
      [['--expect-workers', '4'], /--shard I\/N/],
      [['--web-login'], /--web-login is a Locust flag .*live page \(--web.*Basic auth/],
      [['--tls-cert', 'c.pem'], /TLS proxy/],
      [['--processes', '4'], /--workers N/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['--headless', ...args, '-t', '1s']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  }, 60_000);

  it('--json prints the final stats as Locust 2.x JSON on stdout (and nothing else there)', async () => {
    const dir = tempDir();
    const r = await runCli(['--headless', '-f', 'http', '-u', '2', '-t', '2s', '--report-dir', dir, '--json']);
    expect(r.code).toBe(0);
    const stats = JSON.parse(r.stdout) as Record<string, unknown>[];
    const l = latest(dir);
    expect(stats.map((s) => `${s.method} ${s.name}`).sort()).toEqual(l.entries.map((e: { name: string }) => e.name).sort());
    for (const s of stats) {
      for (const k of ['name', 'method', 'last_request_timestamp', 'start_time', 'num_requests', 'num_none_requests', 'num_failures',
        'total_response_time', 'max_response_time', 'min_response_time', 'total_content_length', 'response_times', 'num_reqs_per_sec', 'num_fail_per_sec']) {
        expect(s, k).toHaveProperty(k);
      }
      const perSecond = Object.values(s.num_reqs_per_sec as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(perSecond).toBe(s.num_requests);
    }
    expect(r.stderr).toContain('Aggregated'); // the table moved to stderr
  }, 60_000);

  it('--exit-code-on-error, -L, --logfile, --stop-timeout, --reset-stats', async () => {
    const dir = tempDir();
    const logfile = join(dir, 'logs/run.log');
    const r = await runCli([
      // errors at 0.5 over a few hundred requests: some fail after the reset whatever the draw
      '--headless', '-f', 'http', '-u', '3', '-r', '3', '-t', '2s', '--wait', '0.01', '--report-dir', dir, '--server-error-rate', '0.5',
      '--max-error-rate', '1', '--exit-code-on-error', '7', '--logfile', logfile, '--stop-timeout', '2', '--reset-stats',
    ]);
    expect(r.code).toBe(7); // gates passed, but requests failed: Locust's rule
    expect(r.stdout).not.toContain('mlop-sim: '); // progress lines went to the log file
    const log = readFileSync(logfile, 'utf8');
    expect(log).toMatch(/INFO\/mlop-sim: http scenario, 3 users/);
    expect(log).toContain('statistics reset (--reset-stats)');

    const quiet = await runCli(['--headless', '-f', 'http', '-u', '1', '-t', '1s', '--report-dir', dir, '-L', 'WARNING']);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toContain('mlop-sim: ');
    const bad = await runCli(['--headless', '-L', 'LOUD']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--loglevel must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL/);
  }, 60_000);

  it('--tags and --exclude-tags pick tagged tasks of a scenario file', async () => {
    const dir = tempDir();
    const file = taggedScenario(dir);
    const only = await runCli(['--headless', '-f', file, '-u', '2', '-t', '1s', '--report-dir', dir, '--tags', 'ingest']);
    expect(only.code, only.stderr).toBe(0);
    expect(latest(dir).entries.map((e: { name: string }) => e.name)).toEqual(['CUSTOM work']);
    const without = await runCli(['--headless', '-f', file, '-u', '2', '-t', '1s', '--report-dir', dir, '--exclude-tags', 'flaky']);
    expect(without.code).toBe(0);
    expect(latest(dir).entries.map((e: { name: string }) => e.name).sort()).toEqual(['CUSTOM untagged', 'CUSTOM work']);
    const none = await runCli(['--headless', '-f', file, '-t', '1s', '--tags', 'nothing']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--tags nothing leaves no task of scenario tagged to run/);
  }, 60_000);
});

describe("Locust's CSV files, read by Python's csv module", () => {
  it('every numeric column parses with float(); Totals are real; exceptions and failures are listed', async () => {
    const dir = tempDir();
    const file = taggedScenario(dir);
    const prefix = join(dir, 'csv/run');
    const r = await runCli(['--headless', '-f', file, '-u', '3', '-t', '3s', '--report-dir', dir, '--csv', prefix, '--csv-full-history', '--max-error-rate', '1']);
    expect(r.code, r.stderr).toBe(0);
    const py = spawnSync('python3', [join(ROOT, 'test/e2e/read_locust_csv.py'), prefix], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    expect(py.status).toBe(0);
    const got = JSON.parse(py.stdout);
    const l = latest(dir);
    expect(got.aggregated_count).toBe(l.aggregated.count);
    expect(got.aggregated_failures).toBe(l.aggregated.failures);
    expect(got.history_last_total).toBe(l.aggregated.count);
    expect(got.history_last_total_failures).toBe(l.aggregated.failures);
    expect(got.history_last_total_max).toBeCloseTo(l.aggregated.maxMs, 3);
    expect(got.history_last_total_avg).toBeCloseTo(l.aggregated.avgMs, 2);
    const counts: number[] = got.history_total_counts;
    expect(counts.every((c, i) => i === 0 || c >= counts[i - 1])).toBe(true); // cumulative
    expect(got.history_names).toEqual(['Aggregated', 'boom', 'untagged', 'work']); // --csv-full-history: every entry
    expect(got.exceptions).toHaveLength(1);
    const [count, message, traceback, nodes] = got.exceptions[0];
    expect(message).toBe('Error: boom from task');
    expect(count).toBe(l.entries.find((e: { name: string }) => e.name === 'TASK boom').failures);
    expect(traceback).toMatch(/tagged\.mjs/);
    expect(nodes).toBe('local');
    expect(got.failures).toEqual([['TASK', 'boom', 'boom from task', count]]);
  }, 60_000);
});
